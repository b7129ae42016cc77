/**
 * Delivery of a new secret to the `--to` sinks, as a staged rotation (`rotateToken`) takes it: the
 * sinks checked before anything is created, each sink's previous content kept (Sink.snapshot), the
 * secret delivered to each in order, and on rollback every sink attempted put back in reverse order
 * (a command cannot be undone: it is named as possibly holding the deleted secret). Used by
 * `leak --replace`; `rotate` does the same with a journal on disk (rotation/api-token.ts).
 */
import type { DeliveryTarget } from "@dt-tokens/client";
import type { Io } from "../io.js";
import { type FileBefore, restore } from "./before.js";
import { checkSink } from "./check.js";
import { makeSink, type SinkSpec } from "./parse.js";
import type { Sink } from "./sink.js";

export interface SinkDelivery {
  /** The sinks' labels, once delivery started (never a secret). */
  labels(): string[];
  prepare(previous: { id: string; name: string }): Promise<void>;
  /** `target` is a rotation's DeliveryTarget, or for a plain create the new token as its own previous. */
  deliver(
    secret: string,
    target: Pick<DeliveryTarget, "id" | "name"> & { previous: { id: string } },
  ): Promise<void>;
  undo(): Promise<void>;
}

export function sinkDelivery(
  specs: readonly SinkSpec[],
  io: Io,
  options: { timeoutMs: number; signal?: AbortSignal },
): SinkDelivery {
  let sinks: Sink[] = [];
  let attempted: { sink: Sink; before?: FileBefore }[] = [];
  return {
    labels: () => sinks.map((s) => s.label),
    prepare: async (previous) => {
      for (const spec of specs) await checkSink(spec, { id: previous.id, name: previous.name });
    },
    deliver: async (secret, target) => {
      const info = { id: target.previous.id, newId: target.id, name: target.name };
      sinks = specs.map((s) => makeSink(s, info, io, { timeoutMs: options.timeoutMs }));
      for (const sink of sinks) {
        attempted.push({ sink, ...(sink.snapshot && { before: await sink.snapshot() }) });
        await sink.deliver(secret, options.signal).catch((e: Error) => {
          throw new Error(`${sink.label}: ${e.message}`);
        });
      }
    },
    undo: async () => {
      const problems: string[] = [];
      for (const { sink, before } of [...attempted].reverse()) {
        if (before) await restore(before).catch((e: Error) => problems.push(`${sink.label}: ${e.message}`));
        else
          problems.push(
            `${sink.label} may hold the new secret, of a token that is deleted now: put the old one back there`,
          );
      }
      attempted = [];
      if (problems.length) throw new Error(problems.join("; "));
    },
  };
}

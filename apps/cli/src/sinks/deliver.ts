/**
 * Delivery of a new secret to the `--to` sinks, as a staged rotation (`rotateToken`) takes it: the
 * sinks checked before anything is created, the secret delivered to each in order, and on rollback
 * what was delivered put back in reverse order (a command cannot be undone: that is said). Used by
 * `leak --replace`; `rotate` does the same in its own words (commands/rotate.ts).
 */
import type { DeliveryTarget } from "@dt-tokens/client";
import type { Io } from "../io.js";
import { checkSink } from "./check.js";
import { makeSink, type SinkSpec } from "./parse.js";
import type { Sink } from "./sink.js";

export interface SinkDelivery {
  /** The sinks' labels, once delivery started (never a secret). */
  labels(): string[];
  prepare(previous: { id: string; name: string }): Promise<void>;
  deliver(secret: string, target: DeliveryTarget): Promise<void>;
  undo(): Promise<void>;
}

export function sinkDelivery(
  specs: readonly SinkSpec[],
  io: Io,
  options: { timeoutMs: number; signal?: AbortSignal },
): SinkDelivery {
  let sinks: Sink[] = [];
  let attempted: Sink[] = [];
  let succeeded: Sink[] = [];
  return {
    labels: () => sinks.map((s) => s.label),
    prepare: async (previous) => {
      for (const spec of specs) await checkSink(spec, { id: previous.id, name: previous.name });
    },
    deliver: async (secret, target) => {
      const info = { id: target.previous.id, newId: target.id, name: target.name };
      sinks = specs.map((s) => makeSink(s, info, io, { timeoutMs: options.timeoutMs }));
      for (const sink of sinks) {
        attempted.push(sink);
        await sink.deliver(secret, options.signal).catch((e: Error) => {
          throw new Error(`${sink.label}: ${e.message}`);
        });
        succeeded.push(sink);
      }
    },
    undo: async () => {
      const problems: string[] = [];
      for (const sink of [...attempted].reverse())
        await sink.undo?.().catch((e: Error) => problems.push(`${sink.label}: ${e.message}`));
      for (const sink of succeeded.filter((s) => !s.undo))
        problems.push(
          `${sink.label} received the new secret, which is deleted now: put the old one back there`,
        );
      [attempted, succeeded] = [[], []];
      if (problems.length) throw new Error(problems.join("; "));
    },
  };
}

/**
 * The sinks of a rotation as its journal keeps them, for every kind of token (API tokens,
 * ActiveGate tokens): made with a snapshot of what each held before, made again from the journal
 * for a recovery to deliver once more, and put back on rollback.
 */
import type { Io } from "../io.js";
import type { FileBefore } from "../sinks/before.js";
import { restore } from "../sinks/before.js";
import { makeSink, type SinkSpec } from "../sinks/parse.js";
import type { Sink, SinkTokenInfo } from "../sinks/sink.js";

/** One sink as the journal keeps it: how to make it again, and what it held before. */
export interface JournalSink {
  spec: SinkSpec;
  info: SinkTokenInfo;
  label: string;
  /** Its previous content (files and dotenv files); absent for a command or stdout. */
  before?: FileBefore;
}

/** The sinks of the rotation for the new token, and their snapshots (kept in the journal). */
export async function sinksFor(
  io: Io,
  specs: SinkSpec[],
  info: SinkTokenInfo,
  timeoutMs: number,
): Promise<{ sinks: Sink[]; journalSinks: JournalSink[] }> {
  const sinks = specs.map((s) => makeSink(s, info, io, { timeoutMs }));
  const journalSinks: JournalSink[] = [];
  for (const [i, sink] of sinks.entries())
    journalSinks.push({
      spec: specs[i]!,
      info,
      label: sink.label,
      ...(sink.snapshot && { before: await sink.snapshot() }),
    });
  return { sinks, journalSinks };
}

/**
 * Delivers the secret again to every sink of a journal that can take it again (stdout cannot: what
 * it printed is gone), each with the rotation's --sink-timeout. A recovery does this.
 */
export async function deliverAgain(
  io: Io,
  journal: { sinks: JournalSink[]; sinkTimeoutMs: number },
  secret: string,
): Promise<void> {
  const sinks = journal.sinks.map((s) => makeSink(s.spec, s.info, io, { timeoutMs: journal.sinkTimeoutMs }));
  for (const sink of sinks) if (sink.replayable) await sink.deliver(secret);
}

/** Puts back every sink's previous content, last first; the problems in words. */
export async function restoreSinks(sinks: JournalSink[], attempted: Set<string>): Promise<string[]> {
  const problems: string[] = [];
  for (const sink of [...sinks].reverse()) {
    if (!attempted.has(sink.label)) continue;
    if (sink.before)
      await restore(sink.before).catch((e: Error) => problems.push(`${sink.label}: ${e.message}`));
    else if (sink.spec.kind === "exec")
      problems.push(
        `${sink.label} may hold the new secret, of a token that is deleted now: put the old one back there`,
      );
    else if (sink.spec.kind === "stdout")
      problems.push("stdout received the new secret, of a token that is deleted now");
  }
  return problems;
}

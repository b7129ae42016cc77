/**
 * The rotation of one API token as the CLI runs it: the library's staged rotation (rotateToken),
 * under this machine's lock of the token, with a journal written and flushed before each stage,
 * so that a crash at any instant leaves what `recoverRotations` (run by `dt-tokens cleanup` and
 * `dt-tokens rotate --finish`) needs to complete the rotation or roll it back:
 *
 * | journal stage | what may exist                                  | recovery                      |
 * | ------------- | ----------------------------------------------- | ----------------------------- |
 * | prepared      | a replacement nobody has the secret of          | delete it (rolled back)       |
 * | delivering    | the secret in some sinks, maybe not verified    | deliver again, verify, commit, retire (completed); roll back if that fails |
 * | verified      | the secret in every sink, verified              | commit, retire                |
 * | committed     | the rotation done but for the retirement        | retire                        |
 */
import {
  type ApiTokensClient,
  clientWithSecret,
  deleteIfThere,
  inFlightReplacementsOf,
  NotFoundError,
  type RetireAction,
  redact,
  retireToken,
  verifyReplacement,
} from "@dt-tokens/client";
import type { Io } from "../io.js";
import type { FileBefore } from "../sinks/before.js";
import { restore } from "../sinks/before.js";
import { makeSink, type SinkSpec } from "../sinks/parse.js";
import type { Sink, SinkTokenInfo } from "../sinks/sink.js";
import { Journal } from "./journal.js";
import { type Lock, LockedError, lock } from "./lock.js";

export const JOURNAL_KIND = "api-token";

/** The lock (and journal) key of an API token's rotation. */
export const rotationKey = (environment: string, tokenId: string) =>
  `${JOURNAL_KIND} ${environment} ${tokenId}`;

/** One sink as the journal keeps it: how to make it again, and what it held before. */
export interface JournalSink {
  spec: SinkSpec;
  info: SinkTokenInfo;
  label: string;
  /** Its previous content (files and dotenv files); absent for a command or stdout. */
  before?: FileBefore;
}

/** What the journal of an API token's rotation holds. */
export interface ApiTokenRotation {
  stage: "prepared" | "delivering" | "verified" | "committed";
  environment: string;
  oldId: string;
  oldName: string;
  finalName: string;
  scopes: string[];
  retire: { action: RetireAction | "keep"; at?: string };
  /** Retire with the new secret: the old token is the CLI's own credential. */
  retireWithNewToken: boolean;
  /** How long an exec: sink may run (--sink-timeout), in a recovery too. */
  sinkTimeoutMs: number;
  newId?: string;
  /** The replacement's secret, from create until the rotation ends (the file is 0600). */
  secret?: string;
  sinks: JournalSink[];
}

/** Takes this machine's lock of a token's rotation, refusing when a journal of it was left behind. */
export const lockRotation = (io: Io, environment: string, tokenId: string): Promise<Lock> =>
  lockSubject(io, JOURNAL_KIND, rotationKey(environment, tokenId));

/**
 * Takes this machine's lock of one rotation's subject (any kind), refusing when a journal of it
 * was left behind: that rotation must be completed or rolled back first.
 */
export async function lockSubject(io: Io, kind: string, key: string): Promise<Lock> {
  const held = await lock(io.env, key);
  const { journals } = await Journal.list<unknown>(io.env, kind);
  if (journals.some((j) => j.record.key === key)) {
    await held.release();
    throw new LockedError(
      "an earlier rotation of it did not finish (its journal is on this machine): run `dt-tokens cleanup` to complete or roll it back first",
    );
  }
  return held;
}

/** Makes the sinks of a journal again (a recovery delivers through them). */
export const sinksOf = (io: Io, record: ApiTokenRotation, timeoutMs?: number): Sink[] =>
  record.sinks.map((s) => makeSink(s.spec, s.info, io, { timeoutMs }));

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

/** What a recovery did with one journal. */
export interface Recovery {
  oldId: string;
  name: string;
  newId?: string;
  status: "completed" | "rolled back" | "planned" | "in progress" | "failed" | "other environment";
  detail: string;
  /** Sinks that may hold a deleted secret, or could not be restored. */
  problems: string[];
}

/**
 * Completes or rolls back every rotation this machine's journal holds for `environment`. A
 * rotation still running (its lock is held) is left alone.
 */
export async function recoverRotations(
  io: Io,
  client: ApiTokensClient,
  environment: string,
  options: { dryRun?: boolean } = {},
): Promise<{
  recoveries: Recovery[];
  unreadable: { path: string; error: string }[];
  exposed: { path: string; mode: number }[];
}> {
  const { journals, unreadable, exposed } = await Journal.list<ApiTokenRotation>(io.env, JOURNAL_KIND);
  const recoveries: Recovery[] = [];
  for (const journal of journals) {
    const r = journal.record.data;
    const base = { oldId: r.oldId, name: r.finalName, ...(r.newId && { newId: r.newId }), problems: [] };
    if (r.environment !== environment) {
      recoveries.push({
        ...base,
        status: "other environment",
        detail: `it ran against ${r.environment}: recover it with --env-url ${r.environment}`,
      });
      continue;
    }
    let held: Lock;
    try {
      held = await lock(io.env, journal.record.key);
    } catch (error) {
      if (!(error instanceof LockedError)) throw error;
      recoveries.push({
        ...base,
        status: "in progress",
        detail: `process ${journal.record.pid} is running it`,
      });
      continue;
    }
    try {
      if (options.dryRun) recoveries.push({ ...base, status: "planned", detail: planOf(r) });
      else
        recoveries.push(
          await recoverOne(io, client, journal).catch((error: Error) => ({
            ...base,
            status: "failed" as const,
            detail: `${redact(error.message.split(r.secret ?? "\u0000").join("[REDACTED]"))}; its journal stays, run this again`,
          })),
        );
    } finally {
      await held.release();
    }
  }
  return { recoveries, unreadable, exposed };
}

function planOf(r: ApiTokenRotation): string {
  if (r.stage === "prepared")
    return "would delete its replacement, if one was created (nothing was delivered)";
  if (r.stage === "delivering") return `would deliver ${r.newId} again, verify, commit and retire ${r.oldId}`;
  return `would ${r.stage === "verified" ? "commit and " : ""}retire ${r.oldId}`;
}

async function recoverOne(
  io: Io,
  client: ApiTokensClient,
  journal: Journal<ApiTokenRotation>,
): Promise<Recovery> {
  const r = journal.record.data;
  const base = { oldId: r.oldId, name: r.finalName, ...(r.newId && { newId: r.newId }) };
  if (r.stage === "prepared") {
    // Nothing was delivered: a replacement made by this rotation (created after it started) goes.
    const started = Date.parse(journal.record.startedAt) - 60_000;
    const found = await inFlightReplacementsOf(client, r.oldId, { scope: r.scopes[0] });
    const ours = found.filter(
      (t) => !t.delivering && (!t.creationDate || Date.parse(t.creationDate) >= started),
    );
    for (const t of ours) await deleteIfThere(client, t.id, {});
    await journal.remove();
    return {
      ...base,
      ...(ours[0] && { newId: ours[0].id }),
      status: "rolled back",
      detail: ours.length
        ? `deleted its replacement ${ours.map((t) => t.id).join(", ")} (its secret was never delivered); ${r.oldId} is unchanged`
        : `no replacement was created; ${r.oldId} is unchanged`,
      problems: [],
    };
  }
  const secret = r.secret!;
  const newId = r.newId!;
  const allLabels = new Set(r.sinks.map((s) => s.label));
  if (r.stage === "delivering") {
    const exists = await client.get(newId).then(
      () => true,
      (e: unknown) => {
        if (e instanceof NotFoundError) return false;
        throw e;
      },
    );
    const rollBack = async (why: string): Promise<Recovery> => {
      const problems = await restoreSinks(r.sinks, allLabels);
      await deleteIfThere(client, newId, {});
      await journal.remove();
      return {
        ...base,
        status: "rolled back",
        detail: `${why}; every sink got its previous content back, ${newId} is deleted and ${r.oldId} is unchanged`,
        problems,
      };
    };
    if (!exists) return rollBack(`its replacement ${newId} is gone`);
    try {
      for (const sink of sinksOf(io, r, r.sinkTimeoutMs)) if (sink.replayable) await sink.deliver(secret);
      await verifyReplacement(client, secret, newId, r.scopes);
    } catch (error) {
      return rollBack(
        `delivering or verifying again failed (${(error as Error).message.split(secret).join("[REDACTED]")})`,
      );
    }
    await journal.save({ ...r, stage: "verified" });
  }
  if (journal.record.data.stage === "verified") {
    await client.update(newId, { name: r.finalName });
    await journal.save({ ...journal.record.data, stage: "committed" });
  }
  const retirer = r.retireWithNewToken ? clientWithSecret(client, secret) : client;
  const at = r.retire.at ? new Date(r.retire.at) : undefined;
  const { status } = await retireToken(retirer, { id: r.oldId, name: r.oldName }, r.retire.action, at);
  await journal.remove();
  const notReplayed = r.sinks.filter((s) => s.spec.kind === "stdout").map((s) => s.label);
  return {
    ...base,
    status: "completed",
    detail: `${newId} is delivered${notReplayed.length ? " (stdout cannot be written again: what it printed is the secret)" : ""}, verified and committed; ${r.oldId} ${
      status === "scheduled"
        ? `is marked to ${r.retire.action} after ${r.retire.at}`
        : status === "kept"
          ? "is kept"
          : r.retire.action === "delete"
            ? "is deleted"
            : "is disabled"
    }`,
    problems: [],
  };
}

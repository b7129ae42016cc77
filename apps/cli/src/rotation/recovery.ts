/**
 * The recovery of interrupted rotations (`dt-tokens cleanup`, `rotate --finish`, `ag-tokens rotate
 * --finish`), one driver for every kind of token. It reads the journals of one kind left on this
 * machine and, for each rotation of this environment that no process is running (its lock is
 * free), goes on from the stage its journal reached:
 *
 * | journal stage        | the driver                                                                  |
 * | -------------------- | --------------------------------------------------------------------------- |
 * | prepared             | deletes the replacements nobody has the secret of (rolled back)              |
 * | delivering           | the replacement gone: rolls back; else delivers again and verifies, or rolls back |
 * | verified (or later)  | completes the rotation (retires the old token)                              |
 *
 * The journal goes once the rotation is completed or rolled back; when a step fails it stays, for
 * the next run. What the kinds do differently (how a replacement is found, verified, deleted, and
 * the old token retired) comes from the kind's RecoverySteps.
 */
import { NotFoundError } from "@dt-tokens/client";
import type { Io } from "../io.js";
import { withoutSecret } from "../secrets.js";
import { Journal } from "./journal.js";
import type { JournalSink } from "./journal-sinks.js";
import { type Lock, LockedError, lock } from "./lock.js";

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

/** What a recovery of one kind's journals found and did. */
export interface Recoveries {
  recoveries: Recovery[];
  unreadable: { path: string; error: string }[];
  exposed: { path: string; mode: number }[];
}

/** What the journal of any kind of rotation holds, as far as the driver reads it. */
export interface RecoverableRotation {
  stage: "prepared" | "delivering" | "verified" | "committed";
  environment: string;
  oldId: string;
  newId?: string;
  /** The replacement's secret, from create until the rotation ends. */
  secret?: string;
  sinkTimeoutMs: number;
  sinks: JournalSink[];
}

/** What a kind of token does at each step of a recovery (with a client of its API). */
export interface RecoverySteps<R extends RecoverableRotation> {
  /** Stage prepared: the ids of the replacements this rotation made (created since `since`, in ms). */
  findUndelivered(r: R, since: number): Promise<string[]>;
  /** Deletes a token; one that is gone already counts as deleted. */
  deleteToken(id: string): Promise<void>;
  /** Reads a token: a NotFoundError says it is gone. */
  get(id: string): Promise<unknown>;
  /**
   * Stage delivering: delivers the secret again (deliverAgain) and verifies the replacement. Says
   * why when the rotation must be rolled back; throws when that cannot be told (the journal stays).
   */
  deliverAndVerify(r: R): Promise<string | undefined>;
  /** Puts every sink of `attempted` back and deletes the replacement (or keeps it): what it did, in words. */
  rollBack(r: R, attempted: Set<string>): Promise<{ detail: string; problems: string[] }>;
  /** Stage verified or later: ends the rotation (commits it, retires the old token): what it did, in words. */
  complete(journal: Journal<R>): Promise<string>;
}

/** One kind of rotation, as the driver recovers it. */
export interface RotationKind<R extends RecoverableRotation> {
  /** The kind its journals are written with. */
  journalKind: string;
  /** The stages its journals go through, in order. */
  stages: readonly RecoverableRotation["stage"][];
  /**
   * What in a journal's record (sound as far as the driver reads it) this kind cannot act on, in
   * words naming fields, never their values; undefined when nothing.
   */
  problemOf(r: R): string | undefined;
  /** The token's name, in the recovery's lines. */
  nameOf(r: R): string;
  /** What a recovery would do (--dry-run). */
  planOf(r: R): string;
  /** The steps, with their client: asked for only when a journal is to be recovered. */
  steps(): Promise<RecoverySteps<R>>;
}

/** What a rollback did, after "why; ", when every sink was put back and the replacement deleted. */
export const rolledBackText = (newId: string | undefined, oldId: string) =>
  `every sink got its previous content back, ${newId} is deleted and ${oldId} is unchanged`;

/**
 * Completes or rolls back every rotation of this kind this machine's journal holds for
 * `environment`. A rotation still running (its lock is held) is left alone.
 */
export async function recoverJournals<R extends RecoverableRotation>(
  io: Io,
  kind: RotationKind<R>,
  environment: string,
  options: { dryRun?: boolean } = {},
): Promise<Recoveries> {
  const { journals, unreadable, exposed } = await Journal.list<R>(io.env, kind.journalKind);
  const recoveries: Recovery[] = [];
  for (const journal of journals) {
    const r = journal.record.data;
    // A journal edited by hand or written by another version: nothing is done on its word (an
    // unknown stage would be taken for "verified" and retire the old token).
    const problem = recordProblem(r, kind.stages) ?? kind.problemOf(r);
    if (problem !== undefined) {
      unreadable.push({
        path: journal.path,
        error: `${problem}, so it is not a journal this version of dt-tokens writes`,
      });
      continue;
    }
    const base = { oldId: r.oldId, name: kind.nameOf(r), ...(r.newId && { newId: r.newId }), problems: [] };
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
        // The rotation itself, or another recovery of it (the rotation's process may be long dead).
        detail:
          error.holder === undefined || error.holder === journal.record.pid
            ? `process ${journal.record.pid} is running it`
            : `another dt-tokens process (${error.holder}) is recovering it`,
      });
      continue;
    }
    try {
      if (options.dryRun) recoveries.push({ ...base, status: "planned", detail: kind.planOf(r) });
      else
        recoveries.push(
          await recoverOne(await kind.steps(), kind.nameOf(r), journal).catch((error: Error) => ({
            ...base,
            status: "failed" as const,
            detail: `${withoutSecret(error.message, r.secret)}; its journal stays, run this again`,
          })),
        );
    } finally {
      await held.release();
    }
  }
  return { recoveries, unreadable, exposed };
}

const isText = (value: unknown) => typeof value === "string" && value !== "";
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * What in a journal's record the driver cannot act on, in words naming fields, never their values
 * (one of them may be the secret); undefined when it is sound as far as the driver reads it.
 */
function recordProblem(data: unknown, stages: readonly string[]): string | undefined {
  if (!isObject(data)) return "it holds no rotation";
  if (!stages.includes(data.stage as string)) return `its stage is not one of ${stages.join(", ")}`;
  for (const field of ["environment", "oldId"]) if (!isText(data[field])) return `its ${field} is missing`;
  if (data.stage !== "prepared")
    for (const field of ["newId", "secret"])
      if (!isText(data[field])) return `its stage is ${data.stage} but its ${field} is missing`;
  if (data.sinkTimeoutMs !== undefined && typeof data.sinkTimeoutMs !== "number")
    return "its sinkTimeoutMs is not a number";
  if (
    !Array.isArray(data.sinks) ||
    !data.sinks.every((s) => isObject(s) && isObject(s.spec) && isText(s.label))
  )
    return "its sinks are not a list of sinks";
  return undefined;
}

async function recoverOne<R extends RecoverableRotation>(
  steps: RecoverySteps<R>,
  name: string,
  journal: Journal<R>,
): Promise<Recovery> {
  const r = journal.record.data;
  const base = { oldId: r.oldId, name, ...(r.newId && { newId: r.newId }) };
  if (r.stage === "prepared") {
    // Nothing was delivered: a replacement made by this rotation (created after it started) goes.
    const started = Date.parse(journal.record.startedAt) - 60_000;
    const ours = await steps.findUndelivered(r, started);
    for (const id of ours) await steps.deleteToken(id);
    await journal.remove();
    return {
      ...base,
      ...(ours.length > 0 && { newId: ours[0] }),
      status: "rolled back",
      detail: ours.length
        ? `deleted its replacement ${ours.join(", ")} (its secret was never delivered); ${r.oldId} is unchanged`
        : `no replacement was created; ${r.oldId} is unchanged`,
      problems: [],
    };
  }
  const rollBack = async (why: string): Promise<Recovery> => {
    const { detail, problems } = await steps.rollBack(r, new Set(r.sinks.map((s) => s.label)));
    await journal.remove();
    return { ...base, status: "rolled back", detail: `${why}; ${detail}`, problems };
  };
  if (r.stage === "delivering") {
    const exists = await steps.get(r.newId!).then(
      () => true,
      (e: unknown) => {
        if (e instanceof NotFoundError) return false;
        throw e;
      },
    );
    if (!exists) return rollBack(`its replacement ${r.newId} is gone`);
    const why = await steps.deliverAndVerify(r);
    if (why !== undefined) return rollBack(why);
    await journal.save({ ...r, stage: "verified" });
  }
  const detail = await steps.complete(journal);
  await journal.remove();
  return { ...base, status: "completed", detail, problems: [] };
}

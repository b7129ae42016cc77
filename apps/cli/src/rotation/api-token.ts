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
  type RetireAction,
  retireToken,
  verifyReplacement,
} from "@dt-tokens/client";
import type { Io } from "../io.js";
import { withoutSecret } from "../secrets.js";
import { Journal } from "./journal.js";
import { deliverAgain, type JournalSink, restoreSinks } from "./journal-sinks.js";
import { type Lock, LockedError, lock } from "./lock.js";
import { type RecoverySteps, type RotationKind, recoverJournals, rolledBackText } from "./recovery.js";

export const JOURNAL_KIND = "api-token";

/** The lock (and journal) key of an API token's rotation. */
export const rotationKey = (environment: string, tokenId: string) =>
  `${JOURNAL_KIND} ${environment} ${tokenId}`;

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

/** How the recovery driver (recovery.ts) recovers an API token's rotation. */
const apiTokenKind = (io: Io, client: ApiTokensClient): RotationKind<ApiTokenRotation> => ({
  journalKind: JOURNAL_KIND,
  stages: ["prepared", "delivering", "verified", "committed"],
  problemOf,
  nameOf: (r) => r.finalName,
  planOf,
  steps: async () => apiTokenSteps(io, client),
});

/**
 * Completes or rolls back every rotation this machine's journal holds for `environment`. A
 * rotation still running (its lock is held) is left alone.
 */
export const recoverRotations = (
  io: Io,
  client: ApiTokensClient,
  environment: string,
  options: { dryRun?: boolean } = {},
) => recoverJournals(io, apiTokenKind(io, client), environment, options);

/** What in an API-token rotation's journal cannot be acted on (see RotationKind.problemOf). */
function problemOf(r: ApiTokenRotation): string | undefined {
  if (typeof r.oldName !== "string" || typeof r.finalName !== "string")
    return "its oldName or finalName is missing";
  if (!Array.isArray(r.scopes) || !r.scopes.every((s) => typeof s === "string"))
    return "its scopes are not a list of scopes";
  const retire = r.retire as Partial<ApiTokenRotation["retire"]> | undefined;
  if (
    typeof retire !== "object" ||
    retire === null ||
    !["disable", "delete", "keep"].includes(retire.action!)
  )
    return "its retire.action is not one of disable, delete, keep";
  if (retire.at !== undefined && Number.isNaN(Date.parse(retire.at))) return "its retire.at is not a time";
  if (typeof r.retireWithNewToken !== "boolean") return "its retireWithNewToken is not true or false";
  return undefined;
}

function planOf(r: ApiTokenRotation): string {
  if (r.stage === "prepared")
    return "would delete its replacement, if one was created (nothing was delivered)";
  if (r.stage === "delivering") return `would deliver ${r.newId} again, verify, commit and retire ${r.oldId}`;
  return `would ${r.stage === "verified" ? "commit and " : ""}retire ${r.oldId}`;
}

function apiTokenSteps(io: Io, client: ApiTokensClient): RecoverySteps<ApiTokenRotation> {
  return {
    // The replacements marked as this rotation's, not yet delivering: their secret was never delivered.
    async findUndelivered(r, since) {
      const found = await inFlightReplacementsOf(client, r.oldId, { scope: r.scopes[0] });
      return found
        .filter((t) => !t.delivering && (!t.creationDate || Date.parse(t.creationDate) >= since))
        .map((t) => t.id);
    },
    deleteToken: (id) => deleteIfThere(client, id, {}),
    get: (id) => client.get(id),
    async deliverAndVerify(r) {
      const secret = r.secret!;
      try {
        await deliverAgain(io, r, secret);
        await verifyReplacement(client, secret, r.newId!, r.scopes);
      } catch (error) {
        return `delivering or verifying again failed (${withoutSecret((error as Error).message, secret)})`;
      }
      return undefined;
    },
    async rollBack(r, attempted) {
      const problems = await restoreSinks(r.sinks, attempted);
      await deleteIfThere(client, r.newId!, {});
      return { detail: rolledBackText(r.newId, r.oldId), problems };
    },
    async complete(journal) {
      const r = journal.record.data;
      const secret = r.secret!;
      const newId = r.newId!;
      if (r.stage === "verified") {
        await client.update(newId, { name: r.finalName });
        await journal.save({ ...r, stage: "committed" });
      }
      const retirer = r.retireWithNewToken ? clientWithSecret(client, secret) : client;
      const at = r.retire.at ? new Date(r.retire.at) : undefined;
      const { status } = await retireToken(retirer, { id: r.oldId, name: r.oldName }, r.retire.action, at);
      const notReplayed = r.sinks.filter((s) => s.spec.kind === "stdout").map((s) => s.label);
      return `${newId} is delivered${notReplayed.length ? " (stdout cannot be written again: what it printed is the secret)" : ""}, verified and committed; ${r.oldId} ${
        status === "scheduled"
          ? `is marked to ${r.retire.action} after ${r.retire.at}`
          : status === "kept"
            ? "is kept"
            : r.retire.action === "delete"
              ? "is deleted"
              : "is disabled"
      }`;
    },
  };
}

/**
 * The rotation of one ActiveGate token: create the replacement (same name, type and seed flag),
 * deliver its secret to the --to sinks (a `properties:` sink writes an ActiveGate's
 * authorization.properties), verify that every ActiveGate that used the old token now reports the
 * new one VALID (GET /activeGates, until --verify-timeout), then delete the old token. On failure
 * the sinks get their previous content back and the replacement is deleted. The same lock and
 * journal as API-token rotation (lock.ts, journal.ts) make a crash at any instant recoverable by
 * `recoverActiveGateRotations` (`dt-tokens cleanup`, `dt-tokens ag-tokens rotate --finish`):
 *
 * | journal stage | what may exist                                            | recovery                                   |
 * | ------------- | --------------------------------------------------------- | ------------------------------------------ |
 * | prepared      | a replacement nobody has the secret of (no id in journal) | delete it: same name, created since, unused (rolled back) |
 * | delivering    | the secret in some sinks, maybe used by an ActiveGate     | deliver again; every ActiveGate on it: delete the old (completed); else roll back |
 * | verified      | every ActiveGate on the new token                         | delete the old token (completed)           |
 *
 * ActiveGate tokens cannot be renamed or disabled, so there is no marker in Dynatrace: the journal
 * is the record. A replacement an ActiveGate already uses is never deleted, and an old token an
 * ActiveGate still uses is never deleted either: both are then kept, and the report says so.
 */
import { NotFoundError } from "@dt-tokens/client";
import type { ActiveGate, ActiveGateTokensClient, ActiveGateTokenType } from "@dt-tokens/client/activegate";
import { describeError } from "../describe-error.js";
import type { Io } from "../io.js";
import { withoutSecret } from "../secrets.js";
import { lockSubject } from "./api-token.js";
import { Journal } from "./journal.js";
import { deliverAgain, type JournalSink, restoreSinks } from "./journal-sinks.js";
import type { Lock } from "./lock.js";
import { type RecoverySteps, type RotationKind, recoverJournals, rolledBackText } from "./recovery.js";
import { crashPoint } from "./test-hooks.js";

export const AG_JOURNAL_KIND = "activegate-token";

/** The lock (and journal) key of an ActiveGate token's rotation. */
export const activeGateRotationKey = (environment: string, tokenId: string) =>
  `${AG_JOURNAL_KIND} ${environment} ${tokenId}`;

/** An ActiveGate the rotation waits for. */
export interface GateRef {
  id: string;
  hostname: string;
}

/** What the journal of an ActiveGate token's rotation holds. */
export interface ActiveGateTokenRotation {
  stage: "prepared" | "delivering" | "verified";
  environment: string;
  oldId: string;
  name: string;
  type: ActiveGateTokenType;
  seed: boolean;
  /** The replacement's expiry (ISO), or null: it never expires. */
  expirationDate: string | null;
  /** The ActiveGates that must report the replacement VALID. */
  gates: GateRef[];
  sinkTimeoutMs: number;
  newId?: string;
  /** The replacement's secret, from create until the rotation ends (the file is 0600). */
  secret?: string;
  sinks: JournalSink[];
}

/** How an ActiveGate stands: the token it reports and its state. */
export interface GateState extends GateRef {
  tokenId?: string;
  state: string;
  offline: boolean;
}

/** `ag-prod-01.example.com (0x1a2b3c01)` */
export const gateTitle = (g: GateRef) => `${g.hostname || "?"} (${g.id})`;

/** The ActiveGates that use a token (the one token each reports). */
export const usersOf = (gates: ActiveGate[], tokenId: string): ActiveGate[] =>
  gates.filter((g) => g.activeGateTokens?.some((t) => t.id === tokenId));

/**
 * The wanted ActiveGates as GET /activeGates reports them now. An ActiveGate that serves several
 * environments reports a token for each: the entry of the first of `tokenIds` it reports is the one
 * that counts (the rotation's new token, then its old one), else its first entry.
 */
export function statesOf(gates: ActiveGate[], wanted: GateRef[], tokenIds: string[]): GateState[] {
  return wanted.map((w) => {
    const gate = gates.find((g) => g.id === w.id);
    const reported = gate?.activeGateTokens ?? [];
    const token =
      tokenIds.map((id) => reported.find((t) => t.id === id)).find((t) => t !== undefined) ?? reported[0];
    return {
      ...w,
      ...(token?.id && { tokenId: token.id }),
      state: gate ? (token?.state ?? "UNKNOWN") : "GONE",
      offline: gate?.offlineSince != null,
    };
  });
}

/** Whether an ActiveGate reports the token VALID (or EXPIRING: it still connects with it). */
export const reportsWorking = (s: GateState, tokenId: string) =>
  s.tokenId === tokenId && (s.state === "VALID" || s.state === "EXPIRING");

/** Deletes a token; one that is gone already (404) counts as deleted. */
export async function deleteIfGone(client: ActiveGateTokensClient, id: string): Promise<void> {
  await client.delete(id).catch((e: unknown) => {
    if (!(e instanceof NotFoundError)) throw e;
  });
}

/** What retiring the old token did. */
export type Retired = { status: "deleted" } | { status: "kept"; users: GateRef[] };

/**
 * Deletes the old token once no ActiveGate still connects with it (an ActiveGate that was not
 * waited for may use it too): otherwise it is kept, and the ActiveGates are named.
 */
export async function retireOld(
  client: ActiveGateTokensClient,
  r: ActiveGateTokenRotation,
): Promise<Retired> {
  const gates = await client.activeGates();
  const still = statesOf(
    gates,
    usersOf(gates, r.oldId).map((g) => ({ id: g.id ?? "", hostname: g.hostname ?? "" })),
    [r.oldId],
  ).filter((s) => reportsWorking(s, r.oldId));
  if (still.length > 0) return { status: "kept", users: still };
  await deleteIfGone(client, r.oldId);
  crashPoint("retired");
  return { status: "deleted" };
}

/** What a rollback did. */
export interface RolledBack {
  /** The replacement was kept: these ActiveGates already use it. */
  keptFor: GateRef[];
  /** The replacement was kept: GET /activeGates failed (this error), so an ActiveGate may use it. */
  unread?: string;
  /** Sinks that may hold the replacement's secret, or could not be put back. */
  problems: string[];
}

/** Whether a rollback kept the replacement (an ActiveGate uses it, or may: they could not be read). */
export const keptReplacement = (rb: RolledBack) => rb.keptFor.length > 0 || rb.unread !== undefined;

/** What a rollback did, after "why; " in a failure line or a recovery's detail. */
export function rollbackText(rb: RolledBack, newId: string | undefined, oldId: string): string {
  if (rb.keptFor.length > 0)
    return `every sink got its previous content back, but ${rb.keptFor.map(gateTitle).join(", ")} already ${rb.keptFor.length === 1 ? "uses" : "use"} ${newId}: it is kept, and so is ${oldId}`;
  if (rb.unread !== undefined)
    return `every sink got its previous content back, but the ActiveGates could not be read (${rb.unread}): ${newId} is kept, as an ActiveGate may already use it, and so is ${oldId}; delete ${newId} once no ActiveGate reports it (dt-tokens ag-tokens delete ${newId})`;
  return rolledBackText(newId, oldId);
}

/**
 * Puts every sink attempted back and deletes the replacement, unless an ActiveGate already uses
 * it (deleting it would take that host dark): then it is kept, with the old token.
 */
export async function rollBack(
  client: ActiveGateTokensClient,
  r: ActiveGateTokenRotation,
  attempted: Set<string>,
): Promise<RolledBack> {
  const problems = await restoreSinks(r.sinks, attempted);
  if (!r.newId) return { keptFor: [], problems };
  // Not knowing who uses the replacement is no reason to delete it: that could take a host dark.
  let gates: ActiveGate[];
  try {
    gates = await client.activeGates();
  } catch (error) {
    return { keptFor: [], unread: describeError(error).message, problems };
  }
  const users = statesOf(
    gates,
    usersOf(gates, r.newId).map((g) => ({ id: g.id ?? "", hostname: g.hostname ?? "" })),
    [r.newId],
  ).filter((s) => reportsWorking(s, r.newId!));
  if (users.length > 0) return { keptFor: users, problems };
  await deleteIfGone(client, r.newId);
  return { keptFor: [], problems };
}

/** Takes this machine's lock of an ActiveGate token's rotation, refusing when its journal was left behind. */
export async function lockActiveGateRotation(io: Io, environment: string, tokenId: string): Promise<Lock> {
  return lockSubject(io, AG_JOURNAL_KIND, activeGateRotationKey(environment, tokenId));
}

/** The journal of a new rotation, before anything is created. */
export const beginJournal = (io: Io, data: ActiveGateTokenRotation) =>
  Journal.begin<ActiveGateTokenRotation>(
    io.env,
    AG_JOURNAL_KIND,
    activeGateRotationKey(data.environment, data.oldId),
    data,
  );

/** How the recovery driver (recovery.ts) recovers an ActiveGate token's rotation. */
const activeGateTokenKind = (
  io: Io,
  client: () => Promise<ActiveGateTokensClient>,
): RotationKind<ActiveGateTokenRotation> => ({
  journalKind: AG_JOURNAL_KIND,
  stages: ["prepared", "delivering", "verified"],
  problemOf,
  nameOf: (r) => r.name,
  planOf,
  steps: async () => activeGateTokenSteps(io, await client()),
});

/**
 * Completes or rolls back every ActiveGate-token rotation this machine's journal holds for
 * `environment`; one still running (its lock is held) is left alone. `client` is asked for only
 * when there is something to recover.
 */
export const recoverActiveGateRotations = (
  io: Io,
  client: () => Promise<ActiveGateTokensClient>,
  environment: string,
  options: { dryRun?: boolean } = {},
) => recoverJournals(io, activeGateTokenKind(io, client), environment, options);

/** What in an ActiveGate-token rotation's journal cannot be acted on (see RotationKind.problemOf). */
function problemOf(r: ActiveGateTokenRotation): string | undefined {
  if (typeof r.name !== "string" || typeof r.type !== "string") return "its name or type is missing";
  if (
    !Array.isArray(r.gates) ||
    !r.gates.every((g) => typeof g === "object" && g !== null && typeof g.id === "string")
  )
    return "its gates are not a list of ActiveGates";
  return undefined;
}

function planOf(r: ActiveGateTokenRotation): string {
  if (r.stage === "prepared")
    return `would delete its replacement, if one was created (an unused ActiveGate token named "${r.name}" created since; nothing was delivered)`;
  if (r.stage === "delivering")
    return `would deliver ${r.newId} again; if every ActiveGate reports it VALID, delete ${r.oldId}, else roll back`;
  return `would delete ${r.oldId}`;
}

function activeGateTokenSteps(
  io: Io,
  client: ActiveGateTokensClient,
): RecoverySteps<ActiveGateTokenRotation> {
  return {
    // Its id never reached the journal: a token of this name created since the rotation started,
    // which no ActiveGate uses, is the replacement whose secret nobody has.
    async findUndelivered(r, since) {
      const gates = await client.activeGates();
      const ours: string[] = [];
      for await (const t of client.listAll())
        if (
          t.id !== r.oldId &&
          t.name === r.name &&
          t.activeGateType === r.type &&
          t.creationDate &&
          Date.parse(t.creationDate) >= since &&
          usersOf(gates, t.id ?? "").length === 0
        )
          ours.push(t.id!);
      return ours;
    },
    deleteToken: (id) => deleteIfGone(client, id),
    get: (id) => client.get(id),
    async deliverAndVerify(r) {
      const secret = r.secret!;
      try {
        await deliverAgain(io, r, secret);
      } catch (error) {
        return `delivering again failed (${withoutSecret((error as Error).message, secret)})`;
      }
      const states = statesOf(await client.activeGates(), r.gates, [r.newId!, r.oldId]);
      const waiting = states.filter((s) => !reportsWorking(s, r.newId!));
      if (waiting.length > 0)
        return `${waiting.map(gateTitle).join(", ")} ${waiting.length === 1 ? "does" : "do"} not report ${r.newId} VALID`;
      return undefined;
    },
    async rollBack(r, attempted) {
      const rolled = await rollBack(client, r, attempted);
      return { detail: rollbackText(rolled, r.newId, r.oldId), problems: rolled.problems };
    },
    async complete(journal) {
      const r = journal.record.data;
      const retired = await retireOld(client, r);
      return `${r.newId} is delivered and every ActiveGate reports it VALID; ${
        retired.status === "deleted"
          ? `${r.oldId} is deleted`
          : `${r.oldId} is kept: ${retired.users.map(gateTitle).join(", ")} still ${retired.users.length === 1 ? "uses" : "use"} it`
      }`;
    },
  };
}

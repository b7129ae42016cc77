/**
 * What the ActiveGate tokens view shows, as plain functions of the tokens, the ActiveGates that use
 * them and a clock: the counts, the expiry timeline and which ActiveGate goes dark when. No DOM here.
 * "Expiring" is the client's ACTIVEGATE_TOKEN_EXPIRING_DAYS (when Dynatrace reports an ActiveGate's
 * token EXPIRING, and when `dt-tokens ag-tokens audit` warns).
 */
import type { ActiveGate, ActiveGateToken } from "@dt-tokens/client/activegate";
import {
  ACTIVEGATE_TOKEN_EXPIRING_DAYS,
  activeGateTokenUse,
  isExpired,
  isExpiring,
  neverExpires,
  usedActiveGateTokenIds,
} from "@dt-tokens/client/display";
import { expirationTimeline, type Timeline } from "./stats.js";

export { ACTIVEGATE_TOKEN_EXPIRING_DAYS };

/** The counts of the view, in the order of its cards. */
export const ACTIVEGATE_COUNTS = [
  { key: "total", label: "Total", hint: "ActiveGate tokens", tone: "info" },
  {
    key: "expiring",
    label: `Expiring within ${ACTIVEGATE_TOKEN_EXPIRING_DAYS} days`,
    hint: "not expired yet",
    tone: "warn",
  },
  { key: "expired", label: "Expired", hint: "expiration date has passed", tone: "bad" },
  { key: "never", label: "Never expiring", hint: "no expiration date", tone: "warn" },
  { key: "seed", label: "Seed tokens", hint: "for installers; delete after use", tone: "warn" },
  { key: "unused", label: "Unused", hint: "no ActiveGate uses it (seed tokens apart)", tone: "muted" },
] as const;

export type ActiveGateCountKey = (typeof ACTIVEGATE_COUNTS)[number]["key"];

/** How many tokens are in each count; `unused` is undefined when the ActiveGates could not be read. */
export type ActiveGateCounts = Record<Exclude<ActiveGateCountKey, "unused">, number> & {
  unused: number | undefined;
};

/**
 * The counts: total, expiring within {@link ACTIVEGATE_TOKEN_EXPIRING_DAYS} days, expired, never
 * expiring, seed tokens, and unused (no ActiveGate reports using it; seed tokens are counted apart:
 * activeGateTokenUse, the rule `ag-tokens audit` uses too). `gates` undefined: the
 * ActiveGates are unknown (no `activeGates.read`), so `unused` is too.
 */
export function countActiveGateTokens(
  tokens: readonly ActiveGateToken[],
  gates: readonly ActiveGate[] | undefined,
  now: number,
): ActiveGateCounts {
  const used = gates ? usedActiveGateTokenIds(gates) : undefined;
  const counts: ActiveGateCounts = {
    total: tokens.length,
    expiring: 0,
    expired: 0,
    never: 0,
    seed: 0,
    unused: used ? 0 : undefined,
  };
  for (const token of tokens) {
    if (neverExpires(token.expirationDate)) counts.never++;
    else if (isExpired(token.expirationDate, now)) counts.expired++;
    else if (isExpiring(token.expirationDate, now, ACTIVEGATE_TOKEN_EXPIRING_DAYS)) counts.expiring++;
    const use = activeGateTokenUse(token, used ?? new Set());
    if (use === "seed") counts.seed++;
    else if (use === "unused" && counts.unused !== undefined) counts.unused++;
  }
  return counts;
}

/** The expiry timeline: the dashboard's one timeline (expired, 30-day windows over a year, later, never). */
export const activeGateTimeline = (tokens: readonly ActiveGateToken[], now: number): Timeline =>
  expirationTimeline(tokens, now);

/**
 * When an ActiveGate goes dark (loses its connection once token enforcement is on):
 * - `now`: its token is expired, or reported INVALID;
 * - `no-token`: it reports no token (ABSENT, or none listed);
 * - `at`: its token expires at `at`;
 * - `unknown`: the token is not in the list and its state says nothing certain;
 * - `never`: its token never expires.
 */
export type DarkWhen =
  | { kind: "now"; since?: string }
  | { kind: "no-token" }
  | { kind: "at"; at: string }
  | { kind: "unknown" }
  | { kind: "never" };

export interface GateRow {
  /** A key unique in the list: the ActiveGate's id and the token's. */
  key: string;
  gateId: string;
  /** The host name as reported (the id when there is none). */
  host: string;
  /** When it went offline (ISO), if it is offline. */
  offlineSince: string | undefined;
  /** The token it uses; "" when it reports none. */
  tokenId: string;
  /** The token's name from the token list, when the list has it. */
  tokenName: string | undefined;
  /** The state Dynatrace reports for the token (VALID, EXPIRING, INVALID, ABSENT, UNKNOWN, …), "" when none. */
  state: string;
  /** The token's expiry (ISO), when the list has the token and it has one. */
  expirationDate: string | undefined;
  dark: DarkWhen;
}

const ORDER: Record<DarkWhen["kind"], number> = { now: 0, "no-token": 1, at: 2, unknown: 3, never: 4 };
const darkTime = (row: GateRow) => (row.dark.kind === "at" ? Date.parse(row.dark.at) : 0);

/**
 * Every ActiveGate with the token it uses, its state and expiry, and when it goes dark: the soonest
 * first (already dark, no token, then by expiry; never-expiring last), then by host.
 */
export function whenGatesGoDark(
  tokens: readonly ActiveGateToken[],
  gates: readonly ActiveGate[],
  now: number,
): GateRow[] {
  const byId = new Map(tokens.map((t) => [t.id, t]));
  const rows: GateRow[] = [];
  for (const gate of gates) {
    const gateId = gate.id ?? "";
    const host = gate.hostname || gateId || "?";
    const offlineSince =
      typeof gate.offlineSince === "number" ? new Date(gate.offlineSince).toISOString() : undefined;
    const infos = gate.activeGateTokens?.length ? gate.activeGateTokens : [undefined];
    for (const info of infos) {
      const tokenId = info?.id ?? "";
      const token = tokenId ? byId.get(tokenId) : undefined;
      const state = info?.state ?? "";
      const expiry = token?.expirationDate;
      let dark: DarkWhen;
      if (state === "INVALID" || isExpired(expiry, now))
        dark = offlineSince ? { kind: "now", since: offlineSince } : { kind: "now" };
      else if (!tokenId || state === "ABSENT") dark = { kind: "no-token" };
      else if (!neverExpires(expiry)) dark = { kind: "at", at: expiry! };
      else if (token) dark = { kind: "never" };
      else dark = { kind: "unknown" };
      rows.push({
        key: `${gateId}|${tokenId}|${rows.length}`,
        gateId,
        host,
        offlineSince,
        tokenId,
        tokenName: token?.name,
        state,
        expirationDate: token?.expirationDate,
        dark,
      });
    }
  }
  return rows.sort(
    (a, b) =>
      ORDER[a.dark.kind] - ORDER[b.dark.kind] || darkTime(a) - darkTime(b) || a.host.localeCompare(b.host),
  );
}

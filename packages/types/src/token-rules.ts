/**
 * What "unused", "expiring" and "broad" mean for a token: one rule each, with one boundary, for the
 * CLI's audit and tables, its doctor and the dashboard. Pure functions of the token's fields and a
 * clock (epoch milliseconds). Hand-written, beside the generated types.
 */

const DAY = 86_400_000;

const time = (date: string | undefined | null): number | undefined => {
  if (!date) return undefined;
  const t = Date.parse(date);
  return Number.isNaN(t) ? undefined : t;
};

/** "Unused": last used this many days ago or longer (the CLI audit's `--unused-for` default, the dashboard's card). */
export const UNUSED_AFTER_DAYS = 90;

/**
 * Whether a token last used at `lastUsedDate` is unused at `now`: used, and `days` days ago or
 * longer. A token never used is not "unused" (it is "never used": see {@link isOlderThan}).
 */
export function isUnused(
  lastUsedDate: string | undefined | null,
  now: number,
  days = UNUSED_AFTER_DAYS,
): boolean {
  const used = time(lastUsedDate);
  return used !== undefined && now - used >= days * DAY;
}

/** Whether `date` is `days` days before `now` or earlier (the same boundary as {@link isUnused}). */
export function isOlderThan(date: string | undefined | null, now: number, days = UNUSED_AFTER_DAYS): boolean {
  const t = time(date);
  return t !== undefined && now - t >= days * DAY;
}

/**
 * "Expiring": expires within this many days and has not expired yet. The CLI's audit (its
 * `--expiring-within` default), its tables, `doctor` and the dashboard all use this number.
 */
export const EXPIRING_WITHIN_DAYS = 14;

/**
 * "Expiring" for an ActiveGate token: Dynatrace reports an ActiveGate's token EXPIRING when 30 days
 * or less are left (and its Kubernetes operator renews at 29), so `ag-tokens audit` warns from then.
 */
export const ACTIVEGATE_TOKEN_EXPIRING_DAYS = 30;

/**
 * How an ActiveGate token is used, judged from the ActiveGates that report using it (`GET
 * /activeGates`): `seed` (installers use seed tokens to register ActiveGates, so they are counted
 * apart and are never "unused"), `used` (some ActiveGate reports using it) or `unused` (none does).
 * `ag-tokens audit` reports the unused ones; the dashboard's ActiveGate view counts them.
 */
export type ActiveGateTokenUse = "seed" | "used" | "unused";

/** The ids of the tokens some ActiveGate reports using (the ActiveGates as `GET /activeGates` lists them). */
export function usedActiveGateTokenIds(
  gates: readonly { activeGateTokens?: readonly { id?: string }[] }[],
): Set<string> {
  const ids = new Set<string>();
  for (const gate of gates) for (const t of gate.activeGateTokens ?? []) if (t.id) ids.add(t.id);
  return ids;
}

/**
 * How this ActiveGate token is used ({@link ActiveGateTokenUse}), given the ids of the tokens the
 * ActiveGates report using ({@link usedActiveGateTokenIds}). Only `seedToken: true` makes a seed
 * token (the upstream document once gave it as the string "false").
 */
export function activeGateTokenUse(
  token: { id?: string; seedToken?: boolean },
  usedIds: ReadonlySet<string>,
): ActiveGateTokenUse {
  if (token.seedToken === true) return "seed";
  return token.id !== undefined && usedIds.has(token.id) ? "used" : "unused";
}

/**
 * Whether an unused ActiveGate token has been unused for long: never used (no `lastUsedDate`, or
 * one that does not parse), or last used `days` ago or longer ({@link isUnused}'s boundary).
 */
export function isUnusedForLong(
  lastUsedDate: string | undefined | null,
  now: number,
  days = UNUSED_AFTER_DAYS,
): boolean {
  return time(lastUsedDate) === undefined || isUnused(lastUsedDate, now, days);
}

/**
 * Whether ActiveGate token enforcement is on, switched on by hand or by Dynatrace itself (`GET
 * /activeGates/tokenEnforcement`): then an ActiveGate whose token is expired or invalid is
 * disconnected. Only `true` counts.
 */
export function isTokenEnforcementOn(e: { manualEnforced?: boolean; autoEnforced?: boolean }): boolean {
  return e.manualEnforced === true || e.autoEnforced === true;
}

/**
 * Whether a token with this expiry never expires: it has none (or one that does not parse, which
 * is reported rather than passed over).
 */
export function neverExpires(expirationDate: string | undefined | null): boolean {
  return time(expirationDate) === undefined;
}

/** Whether a token with this expiry has expired at `now`. */
export function isExpired(expirationDate: string | undefined | null, now: number): boolean {
  const t = time(expirationDate);
  return t !== undefined && t <= now;
}

/** Whether a token with this expiry is expiring at `now` (within `days`, not yet expired). */
export function isExpiring(
  expirationDate: string | undefined | null,
  now: number,
  days: number = EXPIRING_WITHIN_DAYS,
): boolean {
  const t = time(expirationDate);
  return t !== undefined && t > now && t - now <= days * DAY;
}

/**
 * Scopes that let a token change the environment broadly: mint or change tokens, change any
 * setting or configuration, read stored credentials' secrets, manage tenant or ActiveGate tokens.
 * The CLI's audit reports them as `broad-write-scope` (severity high); the dashboard counts them.
 */
export const BROAD_WRITE_SCOPES = [
  "apiTokens.write",
  "settings.write",
  "WriteConfig",
  "credentialVault.write",
  "TenantTokenManagement",
  "tenantTokenRotation.write",
  "activeGateTokenManagement.write",
  "DataPrivacy",
] as const;

/** The broad write scopes among a token's scopes, in the token's order. */
export function broadWriteScopes(scopes: readonly string[] | undefined | null): string[] {
  return (scopes ?? []).filter((s) => (BROAD_WRITE_SCOPES as readonly string[]).includes(s));
}

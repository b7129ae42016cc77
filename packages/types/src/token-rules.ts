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

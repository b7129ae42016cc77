/**
 * The audit checks, as a pure function of the tokens and the time, so the rules are easy to read
 * and document (README "audit").
 */
import type { ApiToken } from "@dt-tokens/client";

export const SEVERITIES = ["low", "medium", "high"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CHECKS = [
  "broad-write-scope",
  "never-used",
  "unused",
  "expired",
  "expiring",
  "disabled",
  "personal",
  "duplicate-name",
] as const;
export type Check = (typeof CHECKS)[number];

/**
 * Scopes that let a token change the environment broadly: mint or change tokens, change any
 * setting or configuration, read stored credentials' secrets, manage tenant or ActiveGate tokens.
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
];

export interface Finding {
  severity: Severity;
  check: Check;
  id: string;
  name: string;
  owner: string;
  detail: string;
}

export interface AuditOptions {
  maxUnusedDays: number;
  expiringWithinDays: number;
  now?: number;
}

const DAY = 86_400_000;
const days = (ms: number) => Math.floor(ms / DAY);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export const rank = (s: Severity) => SEVERITIES.indexOf(s);

/** Every finding for every token, highest severity first. */
export function audit(tokens: ApiToken[], options: AuditOptions): Finding[] {
  const now = options.now ?? Date.now();
  const findings: Finding[] = [];
  const names = new Map<string, number>();
  for (const t of tokens) names.set(t.name ?? "", (names.get(t.name ?? "") ?? 0) + 1);

  for (const t of tokens) {
    const add = (severity: Severity, check: Check, detail: string) =>
      findings.push({ severity, check, id: t.id ?? "", name: t.name ?? "", owner: t.owner ?? "", detail });
    const created = t.creationDate ? Date.parse(t.creationDate) : undefined;
    const used = t.lastUsedDate ? Date.parse(t.lastUsedDate) : undefined;
    const expires = t.expirationDate ? Date.parse(t.expirationDate) : undefined;

    const broad = (t.scopes ?? []).filter((s) => BROAD_WRITE_SCOPES.includes(s));
    if (broad.length > 0) add("high", "broad-write-scope", broad.join(", "));

    if (used === undefined) {
      const age = created === undefined ? undefined : days(now - created);
      const old = age === undefined || age > options.maxUnusedDays;
      add(
        old ? "medium" : "low",
        "never-used",
        age === undefined ? "never used" : `never used, created ${plural(age, "day")} ago`,
      );
    } else if (now - used > options.maxUnusedDays * DAY) {
      add(
        "medium",
        "unused",
        `last used ${plural(days(now - used), "day")} ago (limit ${options.maxUnusedDays})`,
      );
    }

    if (expires !== undefined && expires <= now) {
      add("low", "expired", `expired ${plural(days(now - expires), "day")} ago; it can be deleted`);
    } else if (expires !== undefined && expires - now <= options.expiringWithinDays * DAY) {
      const left = Math.max(0, Math.ceil((expires - now) / DAY));
      add(
        "medium",
        "expiring",
        `expires in ${plural(left, "day")} (${new Date(expires).toISOString().slice(0, 10)}); rotate it`,
      );
    }

    if (t.enabled === false) add("low", "disabled", "disabled; delete it if it is no longer needed");
    if (t.personalAccessToken) add("low", "personal", `personal access token of ${t.owner ?? "its owner"}`);
    const same = names.get(t.name ?? "") ?? 0;
    if (same > 1) add("low", "duplicate-name", `${same} tokens are named "${t.name}"`);
  }
  return findings.sort(
    (a, b) =>
      rank(b.severity) - rank(a.severity) ||
      CHECKS.indexOf(a.check) - CHECKS.indexOf(b.check) ||
      a.name.localeCompare(b.name) ||
      a.id.localeCompare(b.id),
  );
}

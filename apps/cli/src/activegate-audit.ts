/**
 * The ActiveGate-token audit, as a pure function of the tokens, the ActiveGates that use them, the
 * enforcement status and the time (README "ag-tokens audit"). Severities and their order are the
 * API-token audit's (audit.ts); the expiring window and the unused limit are its defaults too.
 */
import type { ActiveGate, ActiveGateToken, ActiveGateTokenEnforcement } from "@dt-tokens/client/activegate";
import {
  activeGateTokenUse,
  formatDate,
  formatRelative,
  isExpired,
  isExpiring,
  isTokenEnforcementOn,
  isUnusedForLong,
  neverExpires,
  usedActiveGateTokenIds,
} from "@dt-tokens/client/display";
import { rank, type Severity, type SeverityCounts } from "./audit.js";
import { plural } from "./words.js";

export const ACTIVEGATE_CHECKS = [
  "gate-token-invalid",
  "gate-token-expiring",
  "expired",
  "expiring",
  "never-expires",
  "seed-token",
  "unused",
] as const;
export type ActiveGateCheck = (typeof ACTIVEGATE_CHECKS)[number];

export interface ActiveGateFinding {
  severity: Severity;
  check: ActiveGateCheck;
  /** The token's id. */
  id: string;
  name: string;
  /** The ActiveGate's hostname (gate-token-* findings), else "". */
  host: string;
  detail: string;
}

/** The enforcement status as reported, and whether it is on (manually or automatically). */
export interface EnforcementStatus {
  enforced: boolean;
  manualEnforced: boolean;
  autoEnforced: boolean;
  autoEnforcementEstimation?: ActiveGateTokenEnforcement["autoEnforcementEstimation"];
}

export interface ActiveGateAuditResult {
  findings: ActiveGateFinding[];
  counts: SeverityCounts;
  tokens: number;
  activeGates: number;
  enforcement: EnforcementStatus;
}

export interface ActiveGateAuditOptions {
  expiringWithinDays: number;
  maxUnusedDays: number;
  now?: number;
}

export function enforcementStatus(e: ActiveGateTokenEnforcement): EnforcementStatus {
  return {
    enforced: isTokenEnforcementOn(e),
    manualEnforced: e.manualEnforced === true,
    autoEnforced: e.autoEnforced === true,
    ...(e.autoEnforcementEstimation !== undefined && {
      autoEnforcementEstimation: e.autoEnforcementEstimation,
    }),
  };
}

/** Highest severity first, then by check, host, name and id. */
const byImportance = (a: ActiveGateFinding, b: ActiveGateFinding) =>
  rank(b.severity) - rank(a.severity) ||
  ACTIVEGATE_CHECKS.indexOf(a.check) - ACTIVEGATE_CHECKS.indexOf(b.check) ||
  a.host.localeCompare(b.host) ||
  a.name.localeCompare(b.name) ||
  a.id.localeCompare(b.id);

export function auditActiveGateTokens(
  tokens: readonly ActiveGateToken[],
  gates: readonly ActiveGate[],
  enforcementReport: ActiveGateTokenEnforcement,
  options: ActiveGateAuditOptions,
): ActiveGateAuditResult {
  const now = options.now ?? Date.now();
  const enforcement = enforcementStatus(enforcementReport);
  const findings: ActiveGateFinding[] = [];
  const byId = new Map(tokens.map((t) => [t.id ?? "", t]));
  const usedIds = usedActiveGateTokenIds(gates);
  const usedBy = new Map<string, string[]>();
  for (const gate of gates)
    for (const t of gate.activeGateTokens ?? [])
      if (t.id) usedBy.set(t.id, [...(usedBy.get(t.id) ?? []), gate.hostname ?? gate.id ?? "?"]);
  const when = (date: string) => `${formatDate(date)} (${formatRelative(date, now)})`;

  for (const gate of gates) {
    const host = gate.hostname ?? gate.id ?? "";
    const label = `${host}${gate.id && gate.hostname ? ` (${gate.id})` : ""}`;
    for (const info of gate.activeGateTokens ?? []) {
      const token = byId.get(info.id ?? "");
      const base = { id: info.id ?? "", name: token?.name ?? "", host };
      const expiry = token?.expirationDate;
      if (info.state === "EXPIRING")
        findings.push({
          ...base,
          severity: enforcement.enforced ? "high" : "medium",
          check: "gate-token-expiring",
          detail: enforcement.enforced
            ? `${label} goes dark ${expiry ? when(expiry) : "when its token expires"}: its token expires and token enforcement is on`
            : `${label} uses a token that expires ${expiry ? when(expiry) : "soon"}; it goes dark then once token enforcement is on`,
        });
      else if (info.state === "INVALID")
        findings.push({
          ...base,
          severity: enforcement.enforced ? "high" : "medium",
          check: "gate-token-invalid",
          detail: enforcement.enforced
            ? `${label} is dark${gate.offlineSince ? ` since ${when(new Date(gate.offlineSince).toISOString())}` : ""}: its token is invalid${expiry ? ` (expired ${when(expiry)})` : ""} and token enforcement is on`
            : `${label} uses an invalid token${expiry ? ` (expired ${when(expiry)})` : ""}; it goes dark as soon as token enforcement is on`,
        });
    }
  }

  for (const t of tokens) {
    const base = { id: t.id ?? "", name: t.name ?? "", host: "" };
    const hosts = usedBy.get(base.id) ?? [];
    const usedText = hosts.length > 0 ? `; used by ${hosts.join(", ")}` : "";
    if (isExpired(t.expirationDate, now))
      findings.push({
        ...base,
        severity: "low",
        check: "expired",
        detail: `expired ${when(t.expirationDate!)}${usedText}`,
      });
    else if (isExpiring(t.expirationDate, now, options.expiringWithinDays))
      findings.push({
        ...base,
        severity: "medium",
        check: "expiring",
        detail: `expires ${when(t.expirationDate!)} (within ${plural(options.expiringWithinDays, "day")})${usedText}`,
      });
    if (neverExpires(t.expirationDate))
      findings.push({
        ...base,
        severity: "medium",
        check: "never-expires",
        detail: `never expires${usedText}`,
      });
    const use = activeGateTokenUse(t, usedIds);
    if (use === "seed")
      findings.push({
        ...base,
        severity: "medium",
        check: "seed-token",
        detail:
          "a seed token (installers use it to register ActiveGates); delete it when the installation is done",
      });
    else if (use === "unused") {
      const neverUsed = !t.lastUsedDate || Number.isNaN(Date.parse(t.lastUsedDate));
      const stale = isUnusedForLong(t.lastUsedDate, now, options.maxUnusedDays);
      findings.push({
        ...base,
        severity: stale ? "medium" : "low",
        check: "unused",
        detail: `no ActiveGate uses it; ${neverUsed ? "never used" : `last used ${formatRelative(t.lastUsedDate!, now)}`}${stale ? ` (limit ${plural(options.maxUnusedDays, "day")})` : ""}`,
      });
    }
  }
  findings.sort(byImportance);
  const counts: SeverityCounts = { low: 0, medium: 0, high: 0 };
  for (const f of findings) counts[f.severity]++;
  return { findings, counts, tokens: tokens.length, activeGates: gates.length, enforcement };
}

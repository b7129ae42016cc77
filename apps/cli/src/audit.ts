/**
 * The audit checks, as a pure function of the tokens and the time, so the rules are easy to read
 * and document (README "audit").
 */
import type { ApiToken } from "@dt-tokens/client";
import {
  BROAD_WRITE_SCOPES,
  broadWriteScopes,
  formatDate,
  formatRelative,
  isExpired,
  isExpiring,
  isOlderThan,
  isUnused,
} from "@dt-tokens/client/display";

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

/** The broad write scopes (shared with the dashboard): the `broad-write-scope` check. */
export { BROAD_WRITE_SCOPES };

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
  /** Only these checks (default: all). */
  checks?: readonly Check[];
}

const DAY = 86_400_000;
const days = (ms: number) => Math.floor(ms / DAY);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export const rank = (s: Severity) => SEVERITIES.indexOf(s);

/** Highest severity first, then by check, name and id: the order every output uses. */
export const byImportance = (a: Finding, b: Finding) =>
  rank(b.severity) - rank(a.severity) ||
  CHECKS.indexOf(a.check) - CHECKS.indexOf(b.check) ||
  a.name.localeCompare(b.name) ||
  a.id.localeCompare(b.id);

export type SeverityCounts = Record<Severity, number>;

export interface AuditResult {
  /** The findings kept (see `keep`), highest severity first. */
  findings: Finding[];
  /** Every finding, kept or not, by severity. */
  counts: SeverityCounts;
  /** Tokens with at least one finding. */
  flagged: number;
  tokens: number;
}

/** Tokens of one name: the first one (until a second shows up) and how many there are. */
interface NameGroup {
  count: number;
  first?: { id: string; owner: string; flagged: boolean };
  /** The duplicate-name findings of this name, whose detail is written when the count is final. */
  findings: Finding[];
}

/**
 * Audits tokens one at a time, as pages arrive: it keeps the findings `keep` accepts and, for the
 * duplicate-name check, one small record per distinct name; never the tokens themselves.
 */
export class Auditor {
  readonly #options: AuditOptions;
  readonly #keep: (f: Finding) => boolean;
  readonly #now: number;
  readonly #findings: Finding[] = [];
  readonly #counts: SeverityCounts = { low: 0, medium: 0, high: 0 };
  readonly #names = new Map<string, NameGroup>();
  #flagged = 0;
  #tokens = 0;

  constructor(options: AuditOptions, keep: (f: Finding) => boolean = () => true) {
    this.#options = options;
    this.#keep = keep;
    this.#now = options.now ?? Date.now();
  }

  #runs(check: Check): boolean {
    return this.#options.checks === undefined || this.#options.checks.includes(check);
  }

  #record(finding: Finding): void {
    this.#counts[finding.severity]++;
    if (this.#keep(finding)) this.#findings.push(finding);
  }

  add(t: ApiToken): void {
    const { maxUnusedDays, expiringWithinDays } = this.#options;
    const now = this.#now;
    const id = t.id ?? "";
    const name = t.name ?? "";
    const owner = t.owner ?? "";
    let found = 0;
    const add = (severity: Severity, check: Check, detail: string) => {
      if (!this.#runs(check)) return;
      found++;
      this.#record({ severity, check, id, name, owner, detail });
    };
    this.#tokens++;
    const created = t.creationDate ? Date.parse(t.creationDate) : undefined;
    const used = t.lastUsedDate ? Date.parse(t.lastUsedDate) : undefined;
    const expires = t.expirationDate ? Date.parse(t.expirationDate) : undefined;

    const broad = broadWriteScopes(t.scopes);
    if (broad.length > 0) add("high", "broad-write-scope", broad.join(", "));

    if (used === undefined) {
      const old = created === undefined || isOlderThan(t.creationDate, now, maxUnusedDays);
      add(
        old ? "medium" : "low",
        "never-used",
        created === undefined ? "never used" : `never used, created ${formatRelative(created, now)}`,
      );
    } else if (isUnused(t.lastUsedDate, now, maxUnusedDays)) {
      add("medium", "unused", `last used ${plural(days(now - used), "day")} ago (limit ${maxUnusedDays})`);
    }

    if (isExpired(t.expirationDate, now)) {
      add("low", "expired", `expired ${formatRelative(expires!, now)}; it can be deleted`);
    } else if (isExpiring(t.expirationDate, now, expiringWithinDays)) {
      add(
        "medium",
        "expiring",
        `expires ${formatRelative(expires!, now)} (${formatDate(expires!)}); rotate it`,
      );
    }

    if (t.enabled === false) add("low", "disabled", "disabled; delete it if it is no longer needed");
    if (t.personalAccessToken) add("low", "personal", `personal access token of ${t.owner ?? "its owner"}`);

    if (this.#runs("duplicate-name")) this.#sameName(id, name, owner, found > 0);
    else if (found > 0) this.#flagged++;
  }

  /** The duplicate-name check: a finding for each token of a name once a second one shows up. */
  #sameName(id: string, name: string, owner: string, flagged: boolean): void {
    if (flagged) this.#flagged++;
    const group = this.#names.get(name);
    if (!group) {
      this.#names.set(name, { count: 1, first: { id, owner, flagged }, findings: [] });
      return;
    }
    group.count++;
    if (group.first) {
      this.#duplicate(group, name, group.first.id, group.first.owner);
      if (!group.first.flagged) this.#flagged++;
      group.first = undefined;
    }
    this.#duplicate(group, name, id, owner);
    if (!flagged) this.#flagged++;
  }

  /** A duplicate-name finding; its detail (how many share the name) is written by finish(). */
  #duplicate(group: NameGroup, name: string, id: string, owner: string): void {
    const finding: Finding = { severity: "low", check: "duplicate-name", id, name, owner, detail: "" };
    this.#counts.low++;
    if (this.#keep(finding)) group.findings.push(finding);
  }

  finish(): AuditResult {
    for (const [name, group] of this.#names) {
      for (const f of group.findings) {
        f.detail = `${group.count} tokens are named "${name}"`;
        this.#findings.push(f);
      }
    }
    this.#names.clear();
    return {
      findings: this.#findings.sort(byImportance),
      counts: this.#counts,
      flagged: this.#flagged,
      tokens: this.#tokens,
    };
  }
}

/** Every finding for every token, highest severity first. */
export function audit(tokens: ApiToken[], options: AuditOptions): Finding[] {
  const auditor = new Auditor(options);
  for (const t of tokens) auditor.add(t);
  return auditor.finish().findings;
}

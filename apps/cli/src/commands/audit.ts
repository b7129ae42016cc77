/**
 * `dt-tokens audit`: one environment (as before), or a fleet with --env a,b,c or
 * --all-environments, where each environment is audited as its pages arrive and an environment
 * that fails is reported with its reason while the others go on.
 */

import { LIST_PAGE_SIZE } from "@dt-tokens/client";
import { EXPIRING_WITHIN_DAYS, UNUSED_AFTER_DAYS } from "@dt-tokens/client/display";
import type { Command } from "commander";
import {
  type AuditOptions,
  Auditor,
  type AuditResult,
  byImportance,
  type Check,
  type Finding,
  rank,
} from "../audit.js";
import {
  type AuditFlags,
  addSeverityOptions,
  addThresholdOptions,
  shownAt,
  thresholdDays,
} from "../audit-options.js";
import { countsText, failOn, failOnNote, tone, totalCounts } from "../audit-status.js";
import { addFleetOptions, collect, examples, FLEET_HELP, type Run, reportOutputOption } from "../cmdutil.js";
import type { Context } from "../context.js";
import { fleetEnvironments } from "../environments.js";
import { EXIT, ExitError, UsageError } from "../errors.js";
import { type EnvironmentReport, runFleet } from "../fleet/run.js";
import { csvRow, terminalWidth } from "../format.js";
import { mdCell, mdTable } from "../markdown.js";
import { type Cell, type Column, renderTable } from "../table.js";
import { fetchTokens, noteDropped, selectorOf } from "../token-fetch.js";
import { checksArg, intArg } from "../validate.js";
import { plural } from "../words.js";

export type AuditOutput = "table" | "json" | "ndjson" | "csv" | "markdown";

export interface AuditCommandOptions extends AuditFlags {
  owner?: string;
  scope?: string[];
  personal?: boolean;
  maxUnusedDays?: number;
  expiringWithinDays?: number;
  check?: Check[];
  pageSize?: number;
  output: AuditOutput;
  allEnvironments?: boolean;
  concurrency: number;
  /** --deadline in ms (default DEFAULT_DEADLINE_MS). */
  deadline?: number;
}

const AUDIT_FIELDS = [
  "name",
  "owner",
  "enabled",
  "personalAccessToken",
  "creationDate",
  "lastUsedDate",
  "expirationDate",
  "scopes",
] as const;

/** The most findings a Markdown report lists (a CI job summary has a size limit; the counts are complete). */
export const MARKDOWN_MAX_FINDINGS = 500;

const COLUMNS = ["severity", "check", "id", "name", "owner", "detail"] as const;

/**
 * The findings table. The severity, the check (why the token is listed) and the detail always stay;
 * on a narrow terminal the owner goes first, then the id (31 columns; the name still says which
 * token, and -o json has every id).
 */
const FINDING_COLUMNS: Column[] = [
  { header: "SEVERITY" },
  { header: "CHECK" },
  { header: "ID", importance: 2 },
  { header: "NAME", minWidth: 16 },
  { header: "OWNER", importance: 1, minWidth: 12 },
  { header: "DETAIL", minWidth: 24 },
];

/** A finding of a fleet audit: which environment it is in. */
type FleetFinding = Finding & { environment: string };

/** The thresholds: the duration flags, or the older -days flags (not both). */
function auditOptions(o: AuditCommandOptions): AuditOptions {
  const pick = (days: number | undefined, duration: number | undefined, flags: string, fallback: number) => {
    if (days !== undefined && duration !== undefined)
      throw new UsageError(`${flags} are the same setting; give one of them`);
    return thresholdDays(duration, days ?? fallback);
  };
  return {
    maxUnusedDays: pick(
      o.maxUnusedDays,
      o.unusedFor,
      "--max-unused-days and --unused-for",
      UNUSED_AFTER_DAYS,
    ),
    expiringWithinDays: pick(
      o.expiringWithinDays,
      o.expiringWithin,
      "--expiring-within-days and --expiring-within",
      EXPIRING_WITHIN_DAYS,
    ),
    ...(o.check !== undefined && { checks: o.check }),
  };
}

export async function auditCommand(ctx: Context, options: AuditCommandOptions): Promise<number> {
  const thresholds = auditOptions(options);
  const keep = (f: Finding) => shownAt(options, f.severity);
  const params = {
    selector: selectorOf(options),
    fields: [...AUDIT_FIELDS],
    ...(options.pageSize !== undefined && { pageSize: options.pageSize }),
  };
  const fleet = fleetEnvironments(
    { ...ctx.options, allEnvironments: options.allEnvironments ?? false },
    ctx.io,
    (t) => ctx.warn(t),
  );

  if (!fleet) {
    const auditor = new Auditor(thresholds, keep);
    await fetchTokens(ctx, params, undefined, (t) => auditor.add(t), "Auditing tokens");
    const result = auditor.finish();
    const name = ctx.connection?.name ?? ctx.connection?.url ?? "";
    writeSingle(ctx, options, result, name);
    return failOn(options, result.counts);
  }

  const reports = await runFleet(
    fleet,
    { concurrency: options.concurrency, deadlineMs: options.deadline, label: "Auditing" },
    ctx.options,
    ctx.io,
    async (_env, pages) => {
      const auditor = new Auditor(thresholds, keep);
      for await (const page of pages(params)) for (const t of page.apiTokens) auditor.add(t);
      return auditor.finish();
    },
  );
  writeFleet(ctx, options, reports);
  const ok = reports.filter((r) => r.status === "ok");
  const failed = reports.length - ok.length;
  if (ok.length === 0)
    throw new ExitError(
      `no environment could be audited (${plural(failed, "environment")} failed)`,
      EXIT.api,
    );
  if (failed > 0) {
    throw new ExitError(
      `${plural(failed, "environment")} of ${reports.length} could not be audited; the report covers the other ${ok.length}`,
      EXIT.partial,
      failOnNote(options, totalCounts(ok.map((r) => r.result.counts))),
    );
  }
  return failOn(options, totalCounts(ok.map((r) => r.result.counts)));
}

function writeSingle(
  ctx: Context,
  options: AuditCommandOptions,
  result: AuditResult,
  environment: string,
): void {
  const { stdout } = ctx.io;
  const shown = result.findings;
  const format = options.output;
  if (format === "json") stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
  else if (format === "ndjson") for (const f of shown) stdout.write(`${JSON.stringify(f)}\n`);
  else if (format === "csv") {
    const guard = ctx.options.csvGuard;
    stdout.write(
      csvRow(COLUMNS, guard) +
        shown
          .map((f) =>
            csvRow(
              COLUMNS.map((k) => f[k]),
              guard,
            ),
          )
          .join(""),
    );
  } else if (format === "markdown") {
    stdout.write(
      markdownReport([{ name: environment, url: environment, status: "ok", result }], options, false),
    );
  } else if (shown.length > 0) {
    stdout.write(findingsTable(ctx, shown, false));
  }
  const all = result.counts.low + result.counts.medium + result.counts.high;
  // Numbers and severity names only (nothing from the API), coloured: written as it is.
  ctx.io.stderr.write(
    `Audited ${plural(result.tokens, "token")}: ${plural(all, "finding")} on ${plural(result.flagged, "token")} (${countsText(ctx, result.counts)})${shown.length < all ? `; ${shown.length} shown (--min-severity ${options.minSeverity})` : ""}.\n`,
  );
}

function findingsTable(
  ctx: Context,
  findings: readonly (Finding | FleetFinding)[],
  withEnvironment: boolean,
): string {
  const table = renderTable(
    [...(withEnvironment ? [{ header: "ENVIRONMENT", minWidth: 12 }] : []), ...FINDING_COLUMNS],
    findings.map((f): Cell[] => [
      ...(withEnvironment ? [(f as FleetFinding).environment] : []),
      { text: f.severity, style: tone(ctx.out, f.severity) },
      f.check,
      f.id,
      f.name,
      f.owner,
      f.detail,
    ]),
    { maxWidth: terminalWidth(ctx.io.stdout), bold: ctx.out.bold },
  );
  noteDropped(ctx, table.dropped);
  return table.text;
}

/** The findings of every audited environment: highest severity first, then by environment. */
function fleetFindings(reports: readonly EnvironmentReport<AuditResult>[]): FleetFinding[] {
  const order = reports.map((r) => r.name);
  return reports
    .flatMap((r) => (r.status === "ok" ? r.result.findings.map((f) => ({ environment: r.name, ...f })) : []))
    .sort(
      (a, b) =>
        rank(b.severity) - rank(a.severity) ||
        order.indexOf(a.environment) - order.indexOf(b.environment) ||
        byImportance(a, b),
    );
}

/** The per-environment summary of a fleet audit, for JSON. */
function environmentSummary(r: EnvironmentReport<AuditResult>) {
  if (r.status === "failed")
    return { name: r.name, url: r.url, status: r.status, failure: r.failure, reason: r.reason };
  const { tokens, flagged, counts } = r.result;
  return { name: r.name, url: r.url, status: r.status, tokens, flagged, findings: counts };
}

function writeFleet(
  ctx: Context,
  options: AuditCommandOptions,
  reports: EnvironmentReport<AuditResult>[],
): void {
  const { stdout } = ctx.io;
  const ok = reports.flatMap((r) => (r.status === "ok" ? [r.result] : []));
  const counts = totalCounts(ok.map((r) => r.counts));
  const tokens = ok.reduce((n, r) => n + r.tokens, 0);
  const flagged = ok.reduce((n, r) => n + r.flagged, 0);
  const format = options.output;
  if (format === "markdown") stdout.write(markdownReport(reports, options, true));
  else {
    const findings = fleetFindings(reports);
    if (format === "json") {
      const totals = {
        environments: reports.length,
        audited: ok.length,
        failed: reports.length - ok.length,
        tokens,
        flagged,
        findings: counts,
      };
      stdout.write(
        `${JSON.stringify({ environments: reports.map(environmentSummary), totals, findings }, null, 2)}\n`,
      );
    } else if (format === "ndjson") for (const f of findings) stdout.write(`${JSON.stringify(f)}\n`);
    else if (format === "csv") {
      const guard = ctx.options.csvGuard;
      stdout.write(
        csvRow(["environment", ...COLUMNS], guard) +
          findings.map((f) => csvRow([f.environment, ...COLUMNS.map((k) => f[k])], guard)).join(""),
      );
    } else if (findings.length > 0) stdout.write(findingsTable(ctx, findings, true));
  }
  // Per environment and for the fleet, on stderr (stdout holds the data).
  const rows = reports.map((r) =>
    r.status === "ok"
      ? [
          r.name,
          String(r.result.tokens),
          String(r.result.counts.high),
          String(r.result.counts.medium),
          String(r.result.counts.low),
          "ok",
        ]
      : [r.name, "-", "-", "-", "-", { text: `failed: ${r.reason}`, style: ctx.err.red }],
  );
  rows.push([
    { text: "fleet", style: ctx.err.bold },
    String(tokens),
    String(counts.high),
    String(counts.medium),
    String(counts.low),
    `${ok.length} of ${plural(reports.length, "environment")} audited`,
  ]);
  ctx.io.stderr.write(
    renderTable(
      ["ENVIRONMENT", "TOKENS", "HIGH", "MEDIUM", "LOW"]
        .map((header): Column => ({ header }))
        .concat({ header: "STATUS", minWidth: 30 }),
      rows,
      { maxWidth: terminalWidth(ctx.io.stderr), bold: ctx.err.bold },
    ).text,
  );
  const all = counts.low + counts.medium + counts.high;
  const shown = ok.reduce((n, r) => n + r.findings.length, 0);
  // Numbers and severity names only, coloured: written as it is.
  ctx.io.stderr.write(
    `Audited ${plural(tokens, "token")} in ${ok.length} of ${plural(reports.length, "environment")}: ${plural(all, "finding")} on ${plural(flagged, "token")} (${countsText(ctx, counts)})${shown < all ? `; ${shown} shown (--min-severity ${options.minSeverity})` : ""}.\n`,
  );
}

/** A Markdown report for a CI job summary: totals per environment and for the fleet, then the findings. */
export function markdownReport(
  reports: readonly EnvironmentReport<AuditResult>[],
  options: Pick<AuditCommandOptions, "minSeverity">,
  fleet: boolean,
): string {
  const ok = reports.flatMap((r) => (r.status === "ok" ? [r.result] : []));
  const counts = totalCounts(ok.map((r) => r.counts));
  const tokens = ok.reduce((n, r) => n + r.tokens, 0);
  const failed = reports.length - ok.length;
  const all = counts.high + counts.medium + counts.low;
  let md = "## dt-tokens audit\n\n";
  md += `${fleet ? `**${ok.length} of ${plural(reports.length, "environment")} audited**${failed > 0 ? ` (${failed} failed)` : ""} · ` : ""}${plural(tokens, "token")} · ${plural(all, "finding")}: ${counts.high} high, ${counts.medium} medium, ${counts.low} low\n\n`;
  const rows = reports.map((r) =>
    r.status === "ok"
      ? [
          mdCell(r.name),
          "✅ audited",
          String(r.result.tokens),
          String(r.result.counts.high),
          String(r.result.counts.medium),
          String(r.result.counts.low),
        ]
      : [mdCell(r.name), `❌ ${mdCell(r.reason)}`, "", "", "", ""],
  );
  if (fleet)
    rows.push([
      "**fleet**",
      `${ok.length} of ${reports.length} audited`,
      String(tokens),
      String(counts.high),
      String(counts.medium),
      String(counts.low),
    ]);
  md += mdTable(["Environment", "Status", "Tokens", "High", "Medium", "Low"], rows, [
    "l",
    "l",
    "r",
    "r",
    "r",
    "r",
  ]);
  const findings = fleetFindings(reports);
  md += `\n### Findings${options.minSeverity ? ` (${options.minSeverity} and above)` : ""}\n\n`;
  if (findings.length === 0) return `${md}None.\n`;
  const listed = findings.slice(0, MARKDOWN_MAX_FINDINGS);
  md += mdTable(
    [...(fleet ? ["Environment"] : []), "Severity", "Check", "Token", "Name", "Owner", "Detail"],
    listed.map((f) => [
      ...(fleet ? [mdCell(f.environment)] : []),
      f.severity === "high" ? "**high**" : f.severity,
      f.check,
      `\`${f.id}\``,
      mdCell(f.name),
      mdCell(f.owner),
      mdCell(f.detail),
    ]),
  );
  if (findings.length > listed.length)
    md += `\n… and ${findings.length - listed.length} more (the first ${MARKDOWN_MAX_FINDINGS} are listed; \`--output csv\` or \`--min-severity\` for all).\n`;
  return md;
}

/** Defines `dt-tokens audit`. */
export function registerAudit(program: Command, run: Run): void {
  const auditCommandDef = program
    .command("audit")
    .description("Find risky tokens: unused, expired, expiring, disabled, personal, broad, duplicated")
    .option("--owner <owner>", "only tokens of this owner")
    .option("--scope <scope>", "only tokens with this scope (repeatable: any of them)", collect)
    .option("--personal", "only personal access tokens")
    .option("--no-personal", "only API tokens");
  addThresholdOptions(auditCommandDef, {
    unusedFor: { days: UNUSED_AFTER_DAYS, what: "flag tokens last used this long ago or longer" },
    expiringWithin: { days: EXPIRING_WITHIN_DAYS, what: "flag tokens that expire within this" },
  })
    .option("--max-unused-days <days>", "the same as --unused-for, in days", (v) =>
      intArg(v, "--max-unused-days", 1),
    )
    .option("--expiring-within-days <days>", "the same as --expiring-within, in days", (v) =>
      intArg(v, "--expiring-within-days", 0),
    )
    .option(
      "--check <checks>",
      "only these checks (comma-separated or repeatable; see below)",
      (v, prev: string[] = []) => [...prev, ...checksArg(v)],
    );
  addSeverityOptions(auditCommandDef)
    .option(
      "--page-size <n>",
      `tokens per request, ${LIST_PAGE_SIZE.minimum} to ${LIST_PAGE_SIZE.maximum}`,
      (v) => intArg(v, "--page-size", LIST_PAGE_SIZE.minimum, LIST_PAGE_SIZE.maximum),
    )
    .addOption(reportOutputOption());
  addFleetOptions(auditCommandDef)
    .addHelpText(
      "after",
      `
Checks (severity):
  broad-write-scope (high)  apiTokens.write, settings.write, WriteConfig, credentialVault.write,
                            TenantTokenManagement, tenantTokenRotation.write,
                            activeGateTokenManagement.write or DataPrivacy
  never-used (medium)       never used, created --unused-for ago or longer (low if newer)
  unused (medium)           last used --unused-for ago or longer
  expiring (medium)         expires within --expiring-within
  expired (low)             expired (it can be deleted)
  disabled (low)            disabled
  personal (low)            a personal access token
  duplicate-name (low)      another token has the same name
The summary goes to stderr; --fail-on makes a pipeline step fail (exit status 3).
--output markdown writes a report for a CI job summary (totals, then the findings).
${FLEET_HELP}
${examples(`
  $ dt-tokens audit
  $ dt-tokens audit --min-severity medium --unused-for 30d
  $ dt-tokens audit --fail-on high --output json > audit.json
  $ dt-tokens audit --all-environments --check expiring --expiring-within 14d --fail-on medium
  $ dt-tokens audit --all-environments --output markdown >> "$GITHUB_STEP_SUMMARY"
  $ dt-tokens audit --env prod,staging --owner ci-pipeline --output csv`)}`,
    )
    .action(
      run<Omit<AuditCommandOptions, "output"> & { output?: AuditOutput }>((ctx, o) =>
        auditCommand(ctx, { ...o, output: o.output ?? "table" }),
      ),
    );
}

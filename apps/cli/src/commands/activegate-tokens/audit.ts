/**
 * `dt-tokens ag-tokens audit`: ActiveGate tokens that never expire, seed tokens, tokens expiring or
 * expired, tokens no ActiveGate uses, and the ActiveGates whose token is EXPIRING or INVALID (the
 * host and when it goes dark), with the enforcement status. --fail-on as `dt-tokens audit`.
 */
import type { ActiveGateToken, ActiveGateTokensClient } from "@dt-tokens/client/activegate";
import {
  ACTIVEGATE_TOKEN_EXPIRING_DAYS,
  enforcementText,
  UNUSED_AFTER_DAYS,
} from "@dt-tokens/client/display";
import type { Command } from "commander";
import {
  type ActiveGateAuditResult,
  type ActiveGateFinding,
  auditActiveGateTokens,
} from "../../activegate-audit.js";
import { rank } from "../../audit.js";
import {
  type AuditFlags,
  addSeverityOptions,
  addThresholdOptions,
  shownAt,
  thresholdDays,
} from "../../audit-options.js";
import { countsText, failOn, failOnNote, tone, totalCounts } from "../../audit-status.js";
import {
  addFleetOptions,
  examples,
  FLEET_HELP,
  type FleetFlags,
  type Run,
  reportOutputOption,
} from "../../cmdutil.js";
import type { Context } from "../../context.js";
import { fleetEnvironments } from "../../environments.js";
import { EXIT, ExitError } from "../../errors.js";
import { runActiveGateFleet } from "../../fleet/activegate.js";
import { csvRow, terminalWidth } from "../../format.js";
import { mdCell, mdTable } from "../../markdown.js";
import { type Cell, renderTable } from "../../table.js";
import { noteDropped } from "../../token-fetch.js";
import { plural } from "../../words.js";

export interface ActiveGateAuditOptions extends FleetFlags, AuditFlags {
  output: "table" | "json" | "ndjson" | "csv" | "markdown";
}

const COLUMNS = ["severity", "check", "id", "name", "host", "detail"] as const;
type Row = ActiveGateFinding & { environment?: string };

async function auditOne(
  client: ActiveGateTokensClient,
  options: ActiveGateAuditOptions,
  signal?: AbortSignal,
): Promise<ActiveGateAuditResult> {
  const call = signal ? { signal } : {};
  const tokens: ActiveGateToken[] = [];
  const [gates, enforcement] = await Promise.all([
    client.activeGates({}, call),
    client.enforcement(call),
    (async () => {
      for await (const t of client.listAll({}, call)) tokens.push(t);
    })(),
  ]);
  return auditActiveGateTokens(tokens, gates, enforcement, {
    expiringWithinDays: thresholdDays(options.expiringWithin, ACTIVEGATE_TOKEN_EXPIRING_DAYS),
    maxUnusedDays: thresholdDays(options.unusedFor, UNUSED_AFTER_DAYS),
  });
}

export async function auditActiveGateCommand(ctx: Context, options: ActiveGateAuditOptions): Promise<number> {
  const shown = (r: ActiveGateAuditResult) => r.findings.filter((f) => shownAt(options, f.severity));
  const fleet = fleetEnvironments(
    { ...ctx.options, allEnvironments: options.allEnvironments ?? false },
    ctx.io,
    (t) => ctx.warn(t),
  );
  if (!fleet) {
    const { client, url, name } = await ctx.connectActiveGate();
    const result = await auditOne(client, options);
    const findings = shown(result);
    if (options.output === "json")
      ctx.io.stdout.write(
        `${JSON.stringify({ enforcement: result.enforcement, tokens: result.tokens, activeGates: result.activeGates, counts: result.counts, findings }, null, 2)}\n`,
      );
    else writeFindings(ctx, options, findings, false, [{ name: name ?? url, result }]);
    summary(ctx, name ?? url, result, findings.length, options);
    return failOn(options, result.counts);
  }
  const reports = await runActiveGateFleet(ctx, fleet, options, "Auditing", (client, signal) =>
    auditOne(client, options, signal),
  );
  const ok = reports.flatMap((r) => (r.status === "ok" ? [{ name: r.name, result: r.result }] : []));
  const rows: Row[] = ok
    .flatMap(({ name, result }) => shown(result).map((f) => ({ environment: name, ...f })))
    .sort((a, b) => rank(b.severity) - rank(a.severity));
  if (options.output === "json")
    ctx.io.stdout.write(
      `${JSON.stringify(
        {
          environments: reports.map((r) =>
            r.status === "ok"
              ? {
                  name: r.name,
                  url: r.url,
                  status: r.status,
                  enforcement: r.result.enforcement,
                  tokens: r.result.tokens,
                  activeGates: r.result.activeGates,
                  counts: r.result.counts,
                }
              : { name: r.name, url: r.url, status: r.status, failure: r.failure, reason: r.reason },
          ),
          findings: rows,
        },
        null,
        2,
      )}\n`,
    );
  else writeFindings(ctx, options, rows, true, ok);
  for (const r of reports)
    if (r.status === "ok") summary(ctx, r.name, r.result, shown(r.result).length, options);
    else ctx.note(`${r.name}: failed: ${r.reason}`, ctx.err.red);
  const counts = totalCounts(ok.map((r) => r.result.counts));
  const failed = reports.length - ok.length;
  if (ok.length === 0)
    throw new ExitError(
      `no environment could be audited (${plural(failed, "environment")} failed)`,
      EXIT.api,
    );
  if (failed > 0)
    throw new ExitError(
      `${plural(failed, "environment")} of ${reports.length} could not be audited; the report covers the other ${ok.length}`,
      EXIT.partial,
      failOnNote(options, counts),
    );
  return failOn(options, counts);
}

/** One environment's summary line and its enforcement status, on stderr. */
function summary(
  ctx: Context,
  environment: string,
  result: ActiveGateAuditResult,
  shownCount: number,
  options: ActiveGateAuditOptions,
): void {
  const all = result.counts.low + result.counts.medium + result.counts.high;
  ctx.note(`${environment}: ${enforcementText(result.enforcement)}.`);
  // Numbers and severity names only (coloured): written as they are.
  ctx.io.stderr.write(
    `${environment}: audited ${plural(result.tokens, "ActiveGate token")} and ${plural(result.activeGates, "ActiveGate")}: ${plural(all, "finding")} (${countsText(ctx, result.counts)})${shownCount < all ? `; ${shownCount} shown (--min-severity ${options.minSeverity})` : ""}.\n`,
  );
}

function writeFindings(
  ctx: Context,
  options: ActiveGateAuditOptions,
  findings: readonly Row[],
  withEnvironment: boolean,
  environments: readonly { name: string; result: ActiveGateAuditResult }[],
): void {
  const { stdout } = ctx.io;
  const env = withEnvironment ? (["environment"] as const) : [];
  const keys = [...env, ...COLUMNS] as (keyof Row)[];
  if (options.output === "ndjson") for (const f of findings) stdout.write(`${JSON.stringify(f)}\n`);
  else if (options.output === "csv")
    stdout.write(
      csvRow(keys as string[], ctx.options.csvGuard) +
        findings
          .map((f) =>
            csvRow(
              keys.map((k) => String(f[k] ?? "")),
              ctx.options.csvGuard,
            ),
          )
          .join(""),
    );
  else if (options.output === "markdown") {
    let md = "## dt-tokens ag-tokens audit\n\n";
    for (const { name, result } of environments)
      md += `- **${mdCell(name)}**: ${plural(result.tokens, "ActiveGate token")}, ${plural(result.activeGates, "ActiveGate")}; ${result.counts.high} high, ${result.counts.medium} medium, ${result.counts.low} low; ${mdCell(enforcementText(result.enforcement))}\n`;
    md += "\n### Findings\n\n";
    md +=
      findings.length === 0
        ? "None.\n"
        : mdTable(
            [
              ...(withEnvironment ? ["Environment"] : []),
              "Severity",
              "Check",
              "Token",
              "Name",
              "Host",
              "Detail",
            ],
            findings.map((f) => [
              ...(withEnvironment ? [mdCell(f.environment ?? "")] : []),
              f.severity === "high" ? "**high**" : f.severity,
              f.check,
              `\`${f.id}\``,
              mdCell(f.name),
              mdCell(f.host),
              mdCell(f.detail),
            ]),
          );
    stdout.write(md);
  } else if (findings.length > 0) {
    const table = renderTable(
      [
        ...(withEnvironment ? [{ header: "ENVIRONMENT", minWidth: 12 }] : []),
        { header: "SEVERITY" },
        // The check (why the token is listed) always stays; the host goes first, then the id.
        { header: "CHECK" },
        { header: "ID", importance: 2 },
        { header: "NAME", minWidth: 14 },
        { header: "HOST", minWidth: 14, importance: 1 },
        { header: "DETAIL", minWidth: 24 },
      ],
      findings.map((f): Cell[] => [
        ...(withEnvironment ? [f.environment ?? ""] : []),
        { text: f.severity, style: tone(ctx.out, f.severity) },
        f.check,
        f.id,
        f.name,
        f.host,
        f.detail,
      ]),
      { maxWidth: terminalWidth(stdout), bold: ctx.out.bold },
    );
    stdout.write(table.text);
    noteDropped(ctx, table.dropped);
  }
}

/** Defines `dt-tokens ag-tokens audit`. */
export function registerActiveGateAudit(group: Command, run: Run): void {
  const command = group
    .command("audit")
    .description(
      "Find risky ActiveGate tokens and the ActiveGates (hosts) that go dark when their token expires",
    );
  addThresholdOptions(command, {
    unusedFor: {
      days: UNUSED_AFTER_DAYS,
      what: "an unused token last used this long ago or longer (or never) is medium, else low",
    },
    expiringWithin: {
      days: ACTIVEGATE_TOKEN_EXPIRING_DAYS,
      what: "flag tokens that expire within this",
      why: "when Dynatrace reports an ActiveGate's token EXPIRING",
    },
  });
  addSeverityOptions(command).addOption(reportOutputOption());
  addFleetOptions(command)
    .addHelpText(
      "after",
      `
Checks (severity):
  gate-token-invalid (high with token enforcement on, else medium)
                            an ActiveGate reports its token INVALID: the host is dark (or goes dark
                            when enforcement comes on)
  gate-token-expiring (high with token enforcement on, else medium)
                            an ActiveGate reports its token EXPIRING: the host and when it goes dark
  expired (low)             the token has expired
  expiring (medium)         the token expires within --expiring-within
  never-expires (medium)    the token has no expiry date
  seed-token (medium)       a seed token (for installers; delete it when done)
  unused (low; medium when never used or last used --unused-for ago or longer)
                            no ActiveGate uses the token
The enforcement status and a summary go to stderr (JSON has "enforcement"); --fail-on makes a
pipeline step fail (exit status 3).
${FLEET_HELP}
${examples(`
  $ dt-tokens ag-tokens audit
  $ dt-tokens ag-tokens audit --fail-on high --output json > ag-audit.json
  $ dt-tokens ag-tokens audit --expiring-within 30d --min-severity medium
  $ dt-tokens ag-tokens audit --all-environments --output markdown >> "$GITHUB_STEP_SUMMARY"`)}`,
    )
    .action(
      run<Omit<ActiveGateAuditOptions, "output"> & { output?: ActiveGateAuditOptions["output"] }>((ctx, o) =>
        auditActiveGateCommand(ctx, { ...o, output: o.output ?? "table" }),
      ),
    );
}

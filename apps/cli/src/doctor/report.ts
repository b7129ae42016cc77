/**
 * doctor's report: one line per check (✓ ok, ! warning, ✗ failure, - not run) with what to fix
 * under each problem, or the same as JSON.
 */
import { escapeControl } from "@dt-tokens/client/display";
import type { Context } from "../context.js";
import { EXIT_STATUSES } from "../errors.js";
import { redactSecrets } from "../secrets.js";

export type CheckStatus = "ok" | "warn" | "fail" | "skipped";

/** The checks, in the order they run. */
export const CHECKS = {
  url: "environment URL",
  credential: "credential",
  scheme: "scheme fits the URL",
  reachable: "reachable",
  accepted: "credential accepted",
  read: "read scope",
  write: "write scope",
} as const;

export type CheckId = keyof typeof CHECKS;

export interface DoctorCheck {
  check: CheckId;
  /** The check's name in the table (the report's JSON carries it too). */
  title?: string;
  status: CheckStatus;
  detail: string;
  /** What to do about it, in plain words (warnings and failures). */
  fix?: string;
}

export interface DoctorReport {
  ok: boolean;
  exitStatus: number;
  /** What the exit status means (the EXIT_STATUSES table). */
  outcome: string;
  checks: DoctorCheck[];
}

export function buildReport(checks: DoctorCheck[], exitStatus: number): DoctorReport {
  const run = new Set(checks.map((c) => c.check));
  const skipped = (Object.keys(CHECKS) as CheckId[])
    .filter((id) => !run.has(id))
    .map(
      (check): DoctorCheck => ({ check, status: "skipped", detail: "not checked (an earlier check failed)" }),
    );
  const outcome = EXIT_STATUSES.find((s) => s.code === exitStatus)?.meaning ?? "";
  // Every detail and fix once more through the secret filter: a URL's path, an API message.
  const titled = [...checks, ...skipped].map(({ check, status, detail, fix }) => ({
    check,
    title: CHECKS[check],
    status,
    detail: redactSecrets(detail),
    ...(fix !== undefined && { fix: redactSecrets(fix) }),
  }));
  return { ok: exitStatus === 0, exitStatus, outcome, checks: titled };
}

export function printReport(ctx: Context, report: DoctorReport, json: boolean): void {
  const out = ctx.io.stdout;
  if (json) {
    out.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const mark: Record<CheckStatus, string> = {
    ok: ctx.out.green("✓"),
    warn: ctx.out.yellow("!"),
    fail: ctx.out.red("✗"),
    skipped: ctx.out.dim("-"),
  };
  const width = Math.max(...Object.values(CHECKS).map((title) => title.length));
  for (const c of report.checks) {
    const detail = c.status === "skipped" ? ctx.out.dim(c.detail) : escapeControl(c.detail);
    out.write(`${mark[c.status]} ${CHECKS[c.check].padEnd(width)}  ${detail}\n`);
    if (c.fix) out.write(`  ${" ".repeat(width)}  ${ctx.out.bold("fix:")} ${escapeControl(c.fix)}\n`);
  }
  const warnings = report.checks.some((c) => c.status === "warn");
  out.write(
    report.ok
      ? `\nReady${warnings ? ", with the warnings above" : ""}: dt-tokens can work with this environment.\n`
      : `\nNot ready (exit status ${report.exitStatus}: ${report.outcome}).\n`,
  );
}

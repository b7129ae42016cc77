/**
 * doctor's report: one line per check (✓ ok, ! warning, ✗ failure, - not run), printed as each check
 * finishes, with what to fix under each problem; or the same as JSON at the end.
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

/** A check as the report shows it: its title, and its detail and fix through the secret filter. */
function shown({ check, status, detail, fix }: DoctorCheck): DoctorCheck {
  // Every detail and fix once more through the secret filter: a URL's path, an API message.
  return {
    check,
    title: CHECKS[check],
    status,
    detail: redactSecrets(detail),
    ...(fix !== undefined && { fix: redactSecrets(fix) }),
  };
}

export function buildReport(checks: DoctorCheck[], exitStatus: number): DoctorReport {
  const run = new Set(checks.map((c) => c.check));
  const skipped = (Object.keys(CHECKS) as CheckId[])
    .filter((id) => !run.has(id))
    .map(
      (check): DoctorCheck => ({ check, status: "skipped", detail: "not checked (an earlier check failed)" }),
    );
  const outcome = EXIT_STATUSES.find((s) => s.code === exitStatus)?.meaning ?? "";
  return { ok: exitStatus === 0, exitStatus, outcome, checks: [...checks, ...skipped].map(shown) };
}

/**
 * doctor's checks as they finish: as a table, each line is printed at once (a slow host shows the
 * checks done before it, not nothing), then the checks not run and the verdict; as JSON, the whole
 * report at the end.
 */
export class DoctorOutput {
  readonly checks: DoctorCheck[] = [];

  constructor(
    private readonly ctx: Context,
    private readonly json: boolean,
  ) {}

  push(...done: DoctorCheck[]): void {
    for (const check of done) {
      this.checks.push(check);
      if (!this.json) printCheck(this.ctx, shown(check));
    }
  }

  /** Prints what is left of the report and returns the exit status. */
  finish(exitStatus: number): number {
    const report = buildReport(this.checks, exitStatus);
    if (this.json) this.ctx.io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      for (const c of report.checks.slice(this.checks.length)) printCheck(this.ctx, c);
      const warnings = report.checks.some((c) => c.status === "warn");
      this.ctx.io.stdout.write(
        report.ok
          ? `\nReady${warnings ? ", with the warnings above" : ""}: dt-tokens can work with this environment.\n`
          : `\nNot ready (exit status ${report.exitStatus}: ${report.outcome}).\n`,
      );
    }
    return exitStatus;
  }
}

const WIDTH = Math.max(...Object.values(CHECKS).map((title) => title.length));

function printCheck(ctx: Context, c: DoctorCheck): void {
  const out = ctx.io.stdout;
  const mark: Record<CheckStatus, string> = {
    ok: ctx.out.green("✓"),
    warn: ctx.out.yellow("!"),
    fail: ctx.out.red("✗"),
    skipped: ctx.out.dim("-"),
  };
  const detail = c.status === "skipped" ? ctx.out.dim(c.detail) : escapeControl(c.detail);
  out.write(`${mark[c.status]} ${CHECKS[c.check].padEnd(WIDTH)}  ${detail}\n`);
  if (c.fix) out.write(`  ${" ".repeat(WIDTH)}  ${ctx.out.bold("fix:")} ${escapeControl(c.fix)}\n`);
}

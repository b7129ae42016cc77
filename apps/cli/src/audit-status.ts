/**
 * What the audits (API tokens and ActiveGate tokens) share about their outcome: totals of the
 * severity counts, the --fail-on exit status (3) and the coloured counts of the summary line.
 */
import { rank, SEVERITIES, type Severity, type SeverityCounts } from "./audit.js";
import type { Context } from "./context.js";
import { EXIT, ExitError } from "./errors.js";
import type { Colors } from "./io.js";
import { plural } from "./words.js";

/** A severity's colour. */
export const tone = (c: Colors, s: Severity) => (s === "high" ? c.red : s === "medium" ? c.yellow : c.dim);
const paint = (c: Colors, s: Severity) => tone(c, s)(s);

export const totalCounts = (all: SeverityCounts[]): SeverityCounts =>
  all.reduce((a, c) => ({ low: a.low + c.low, medium: a.medium + c.medium, high: a.high + c.high }), {
    low: 0,
    medium: 0,
    high: 0,
  });

const atOrAbove = (counts: SeverityCounts, severity: Severity) =>
  SEVERITIES.filter((s) => rank(s) >= rank(severity)).reduce((n, s) => n + counts[s], 0);

export function failOnNote(options: { failOn?: Severity | undefined }, counts: SeverityCounts): string[] {
  if (!options.failOn) return [];
  const n = atOrAbove(counts, options.failOn);
  return n > 0
    ? [`note: and ${plural(n, "finding")} at or above ${options.failOn} (--fail-on ${options.failOn})`]
    : [];
}

export function failOn(options: { failOn?: Severity | undefined }, counts: SeverityCounts): number {
  if (!options.failOn) return EXIT.ok;
  const failing = atOrAbove(counts, options.failOn);
  if (failing > 0)
    throw new ExitError(
      `${plural(failing, "finding")} at or above ${options.failOn} (--fail-on ${options.failOn})`,
      EXIT.findings,
    );
  return EXIT.ok;
}

export function countsText(ctx: Context, counts: SeverityCounts): string {
  return SEVERITIES.slice()
    .reverse()
    .map((s) => `${counts[s]} ${paint(ctx.err, s)}`)
    .join(", ");
}

/**
 * The options the audits (`dt-tokens audit` for API tokens, `dt-tokens ag-tokens audit`) share:
 * the thresholds `--unused-for` and `--expiring-within` (each audit with its own defaults and
 * words) and the severity filters `--fail-on` and `--min-severity`, defined, parsed and resolved
 * here once. audit-status.ts has what they share about the outcome.
 */
import { type Command, Option } from "commander";
import { rank, SEVERITIES, type Severity } from "./audit.js";
import { durationArg, durationDays } from "./duration.js";

/** The shared flags as commander hands them over (durations in ms). */
export interface AuditFlags {
  unusedFor?: number;
  expiringWithin?: number;
  failOn?: Severity;
  minSeverity?: Severity;
}

/** One threshold's default (in days) and what it flags, for its help text. */
export interface ThresholdHelp {
  days: number;
  /** What the flag does, e.g. "flag tokens last used this long ago or longer". */
  what: string;
  /** Why this default, said after it, if it needs saying. */
  why?: string;
}

const helpText = ({ days, what, why }: ThresholdHelp, example: string) =>
  `${what}, e.g. ${example} (default ${days}d${why ? `: ${why}` : ""})`;

/** Adds `--unused-for` and `--expiring-within` (durations in every form of the one grammar). */
export function addThresholdOptions(
  command: Command,
  help: { unusedFor: ThresholdHelp; expiringWithin: ThresholdHelp },
): Command {
  return command
    .option("--unused-for <duration>", helpText(help.unusedFor, "30d, 12w"), (v) =>
      durationArg(v, "--unused-for"),
    )
    .option("--expiring-within <duration>", helpText(help.expiringWithin, "14d, 2w"), (v) =>
      durationArg(v, "--expiring-within"),
    );
}

/** Adds `--fail-on` and `--min-severity` (the severities, low to high). */
export function addSeverityOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--fail-on <severity>",
        "exit with status 3 if a finding is at or above this severity (across all environments)",
      ).choices(SEVERITIES),
    )
    .addOption(
      new Option("--min-severity <severity>", "show only findings at or above this severity").choices(
        SEVERITIES,
      ),
    );
}

/** A threshold in whole days: the duration given (rounded up), else the audit's default. */
export const thresholdDays = (duration: number | undefined, fallback: number): number =>
  duration !== undefined ? durationDays(duration) : fallback;

/** Whether a finding of this severity is shown under `--min-severity` (all are without it). */
export const shownAt = (options: Pick<AuditFlags, "minSeverity">, severity: Severity): boolean =>
  !options.minSeverity || rank(severity) >= rank(options.minSeverity);

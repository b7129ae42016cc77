/**
 * Showing tokens to people: the rules every app (the CLI, the dashboard) shares, so that a token
 * reads the same everywhere. Pure functions, browser-safe.
 *
 * - {@link escapeControl}: text from the API (names, owners, messages) with control and
 *   bidirectional-override characters made visible, so a token name cannot recolour a terminal,
 *   break a row or reorder what is shown.
 * - {@link guardCsvCell}: OWASP's CSV-injection rule for exports opened in a spreadsheet.
 * - {@link formatDate}, {@link formatRelative}: the one human date format and relative times.
 * - {@link EXPIRING_WITHIN_DAYS}, {@link isExpiring}, {@link UNUSED_AFTER_DAYS}, {@link isUnused},
 *   {@link BROAD_WRITE_SCOPES}, {@link broadWriteScopes}: what "expiring", "unused" and "broadly
 *   scoped" mean (from @dt-tokens/types, their one home); for ActiveGate tokens also
 *   {@link activeGateTokenUse} (seed, used, unused), {@link isUnusedForLong} and
 *   {@link isTokenEnforcementOn}, with {@link enforcementText} saying the enforcement status.
 *
 * Import them from `@dt-tokens/client/display`: they are apart from the client's entry point so
 * that an app that only calls the API does not carry them.
 */

import { isTokenEnforcementOn } from "@dt-tokens/types";

/**
 * C0 controls, DEL, C1 controls, and the Unicode characters that reorder or hide text: the bidi
 * embeddings, overrides and isolates, the directional marks, and the line and paragraph separators.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\u001b": "\\e" };

/**
 * The text with every control or bidirectional-override character shown as an escape (`\e`, `\n`,
 * `\t`, `\r`, else `\u{202e}`), so it prints on one line and as it is stored. Apply it to every
 * value from the API before it is shown to a person (not to JSON or CSV, which carry it exactly).
 */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, (ch) => NAMED[ch] ?? `\\u{${ch.codePointAt(0)!.toString(16)}}`);
}

/** Whether the text holds a character that {@link escapeControl} would escape. */
export function hasControl(text: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(text);
  UNSAFE.lastIndex = 0;
  return found;
}

/**
 * The first characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection),
 * also after leading white space (spaces, no-break spaces, ideographic spaces): spreadsheets and
 * their importers trim it ("Trim spaces" in LibreOffice, Google Sheets), then run what is left.
 */
const FORMULA_START = /^[\s\u200b\ufeff]*[=+\-@\t\r]/;

/**
 * A CSV cell that a spreadsheet shows as text: a value that begins with `=`, `+`, `-`, `@`, a tab or
 * a carriage return, also after white space, gets a leading `'` (OWASP's rule). Quoting is separate ({@link csvRow} does it).
 */
export function guardCsvCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/**
 * One CSV line (RFC 4180): values holding a comma, a quote or a line break are quoted, quotes
 * doubled. With `guard` (the default) each value goes through {@link guardCsvCell} first.
 */
export function csvRow(values: readonly string[], guard = true): string {
  return `${values
    .map((raw) => {
      const v = guard ? guardCsvCell(raw) : raw;
      return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
    })
    .join(",")}\n`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const toTime = (date: string | number | Date): number =>
  typeof date === "number" ? date : typeof date === "string" ? Date.parse(date) : date.getTime();

/**
 * The one human date format: `2025-01-31 13:45 UTC` (UTC, so that every reader, every log and
 * every screenshot agree). `precision: "day"` gives `2025-01-31`, for narrow columns.
 * An unparseable value is returned as it is.
 */
export function formatDate(date: string | number | Date, precision: "minute" | "day" = "minute"): string {
  const t = toTime(date);
  if (Number.isNaN(t)) return String(date);
  const iso = new Date(t).toISOString();
  return precision === "day" ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;

/**
 * How far a time is from `now`, in words: "just now", "in 30 seconds", "5 minutes ago", "in 2 hours",
 * "3 days ago", "in 4 months", "2 years ago". Minutes below an hour, hours below two days.
 */
export function formatRelative(date: string | number | Date, now: number): string {
  const t = toTime(date);
  if (Number.isNaN(t)) return String(date);
  const diff = t - now;
  const abs = Math.abs(diff);
  let span: string;
  if (abs < 45_000) return diff > 0 ? "in under a minute" : "just now";
  if (abs < HOUR) span = plural(Math.max(1, Math.round(abs / MINUTE)), "minute");
  else if (abs < 2 * DAY) span = plural(Math.round(abs / HOUR), "hour");
  else if (abs < 60 * DAY) span = plural(Math.round(abs / DAY), "day");
  else if (abs < 730 * DAY) span = plural(Math.round(abs / (30 * DAY)), "month");
  else span = plural(Math.round(abs / (365 * DAY)), "year");
  return diff >= 0 ? `in ${span}` : `${span} ago`;
}

/**
 * ActiveGate token enforcement in words, as `ag-tokens audit` prints it and the dashboard's
 * ActiveGate view shows it (there with a capital and a full stop): whether it is on, who switched it
 * on, and what it means for an ActiveGate with an expired or invalid token. One clause, lower case,
 * no full stop.
 */
export function enforcementText(e: { manualEnforced?: boolean; autoEnforced?: boolean }): string {
  if (isTokenEnforcementOn(e))
    return `token enforcement is on (${e.manualEnforced === true ? "manually" : "automatically"}): an ActiveGate with an expired or invalid token is disconnected`;
  return "token enforcement is off: an ActiveGate with an expired or invalid token goes dark once it is on, and Dynatrace turns it on by itself once every ActiveGate has been ready for 30 days";
}

// The token rules (unused, expiring, broad, ActiveGate token use, enforcement) live with the other
// domain facts in @dt-tokens/types; they are offered here too, beside the display rules that use them.
export {
  ACTIVEGATE_TOKEN_EXPIRING_DAYS,
  type ActiveGateTokenUse,
  activeGateTokenUse,
  BROAD_WRITE_SCOPES,
  broadWriteScopes,
  EXPIRING_WITHIN_DAYS,
  isExpired,
  isExpiring,
  isOlderThan,
  isTokenEnforcementOn,
  isUnused,
  isUnusedForLong,
  neverExpires,
  UNUSED_AFTER_DAYS,
  usedActiveGateTokenIds,
} from "@dt-tokens/types";

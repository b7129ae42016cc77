/**
 * What the page shows of a token, through the rules the CLI uses too (`@dt-tokens/client/display`):
 * one date format, relative times in minutes and hours, and text from the API with control and
 * bidirectional-override characters made visible.
 */
import {
  escapeControl,
  formatDate as humanDate,
  formatRelative as relativeTime,
} from "@dt-tokens/client/display";

const number = new Intl.NumberFormat("en");

/** 1234 → "1,234". */
export const formatCount = (n: number) => number.format(n);

/**
 * Text from the API (a name, an owner, a message) as it may be shown: `\e`, `\n`, `\u{202e}`
 * instead of characters that would reorder or hide what is around them.
 */
export const show = (text: string | undefined | null, fallback = ""): string =>
  text ? escapeControl(text) : fallback;

/** "2025-01-25 13:45 UTC" (or "2025-01-25" with `day`), or the fallback when there is none. */
export function formatDate(
  date: string | undefined,
  fallback = "—",
  precision: "minute" | "day" = "minute",
): string {
  return date ? humanDate(date, precision) : fallback;
}

/** "3 hours ago", "in 12 days", "5 minutes ago", relative to `now`. */
export function formatRelative(date: string | undefined, now: number, fallback = "never"): string {
  return date ? relativeTime(date, now) : fallback;
}

/**
 * A time that is in the past by nature (a last use, a creation), relative to `now`: a clock a few
 * seconds ahead of this one (the server's) gives "just now", never "in under a minute".
 */
export function formatAgo(date: string | undefined, now: number, fallback = "never"): string {
  if (!date) return fallback;
  const t = Date.parse(date);
  return Number.isNaN(t) ? date : relativeTime(Math.min(t, now), now);
}

/** "2025-01-25 14:05 UTC" from an API date or ISO string: the one format, {@link formatDate}. */
export const formatDateTime = (date: string): string => humanDate(date);

import { DAY } from "./stats.js";

const number = new Intl.NumberFormat("en");

/** 1234 → "1,234". */
export const formatCount = (n: number) => number.format(n);

/** "2025-01-25" (UTC) from an API date, or the fallback when there is none. */
export function formatDate(date: string | undefined, fallback = "—"): string {
  if (!date) return fallback;
  const t = Date.parse(date);
  return Number.isNaN(t) ? date : new Date(t).toISOString().slice(0, 10);
}

/** "3 days ago", "in 12 days", "today", relative to `now`. */
export function formatRelative(date: string | undefined, now: number, fallback = "never"): string {
  if (!date) return fallback;
  const t = Date.parse(date);
  if (Number.isNaN(t)) return date;
  const days = Math.round((t - now) / DAY);
  if (days === 0) return "today";
  const abs = Math.abs(days);
  const span =
    abs < 60
      ? `${abs} day${abs === 1 ? "" : "s"}`
      : abs < 730
        ? `${Math.round(abs / 30)} months`
        : `${Math.round(abs / 365)} years`;
  return days < 0 ? `${span} ago` : `in ${span}`;
}

/** "2025-01-25 14:05 UTC" from an API date or ISO string. */
export function formatDateTime(date: string): string {
  const t = Date.parse(date);
  return Number.isNaN(t) ? date : `${new Date(t).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

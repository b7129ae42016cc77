/**
 * Dynatrace's timeframe formats (moved here from the sandbox, which parses them in requests, so
 * that the CLI checks an expiry with the same rules, e.g. an ActiveGate token's 2-year limit): UTC epoch milliseconds; `2021-01-25T05:57:01.123+01:00` (no zone
 * = UTC, a space for the `T`, seconds and fraction optional); relative `now`, `now-NU`, `now+NU`,
 * each optionally aligned down with `/A`; units `m h d w M y`.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export type TimeUnit = "m" | "h" | "d" | "w" | "M" | "y";

const RELATIVE = /^now(?:([+\- ])(\d{1,9})([mhdwMy]))?(?:\/([mhdwMy]))?$/;
const ABSOLUTE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+\- ]\d{2}(?::?\d{2})?)?$/;
const EPOCH = /^\d{1,15}$/;

/** The accepted formats, for error messages. */
export const TIMEFRAME_FORMATS =
  "UTC epoch milliseconds, an ISO date-time such as 2021-01-25T05:57:01.123+01:00, or now-NU[/A] (units m, h, d, w, M, y)";

/** The dates the API can represent: years 0000 to 9999 (formatted as `yyyy-MM-ddTHH:mm:ss.SSSZ`). */
export const MIN_DATE_MS = Date.parse("0000-01-01T00:00:00.000Z");
export const MAX_DATE_MS = Date.parse("9999-12-31T23:59:59.999Z");
export const DATE_RANGE = "between 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z";

export function inDateRange(ms: number): boolean {
  return ms >= MIN_DATE_MS && ms <= MAX_DATE_MS;
}

function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month + 1, 0);
  return d.getUTCDate();
}

/**
 * Moves by whole months, keeping the time of day and clamping the day to the target month's last
 * (2027-01-31 plus one month is 2027-02-28, as in Dynatrace). Outside years 0000-9999: ±Infinity.
 */
function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  if (year < 0 || year > 9999) return months > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  d.setUTCFullYear(year, month, Math.min(d.getUTCDate(), daysInMonth(year, month)));
  return d.getTime();
}

function shift(ms: number, sign: 1 | -1, amount: number, unit: TimeUnit): number {
  switch (unit) {
    case "m":
      return ms + sign * amount * MINUTE;
    case "h":
      return ms + sign * amount * HOUR;
    case "d":
      return ms + sign * amount * DAY;
    case "w":
      return ms + sign * amount * 7 * DAY;
    case "M":
      return addMonths(ms, sign * amount);
    case "y":
      return addMonths(ms, sign * amount * 12);
  }
}

/** Rounds down to the start of the unit (UTC; weeks start on Monday). */
export function alignDown(ms: number, unit: TimeUnit): number {
  const d = new Date(ms);
  switch (unit) {
    case "m":
      d.setUTCSeconds(0, 0);
      break;
    case "h":
      d.setUTCMinutes(0, 0, 0);
      break;
    case "d":
      d.setUTCHours(0, 0, 0, 0);
      break;
    case "w": {
      d.setUTCHours(0, 0, 0, 0);
      const sinceMonday = (d.getUTCDay() + 6) % 7;
      d.setUTCDate(d.getUTCDate() - sinceMonday);
      break;
    }
    case "M":
      d.setUTCHours(0, 0, 0, 0);
      d.setUTCDate(1);
      break;
    case "y":
      d.setUTCHours(0, 0, 0, 0);
      d.setUTCMonth(0, 1);
      break;
  }
  return d.getTime();
}

/**
 * Parses a timeframe value into epoch milliseconds, or undefined when it is not one of the formats.
 * A space where a `+` belongs (a `+` that arrived URL-decoded) is read as `+`. The result may lie
 * outside the representable range (check with `inDateRange`).
 */
export function parseTimeframe(value: string, now: number): number | undefined {
  const text = value.trimEnd();
  if (EPOCH.test(text)) return Number(text);
  const rel = RELATIVE.exec(text);
  if (rel) {
    let ms = now;
    if (rel[1] !== undefined) ms = shift(ms, rel[1] === "-" ? -1 : 1, Number(rel[2]), rel[3] as TimeUnit);
    if (rel[4] !== undefined && inDateRange(ms)) ms = alignDown(ms, rel[4] as TimeUnit);
    return ms;
  }
  const abs = ABSOLUTE.exec(text);
  if (!abs) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone = "Z"] = abs;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const millis = Number(frac.padEnd(3, "0").slice(0, 3));
  // Not Date.UTC: it reads years 0 to 99 as 1900 to 1999.
  const check = new Date(0);
  check.setUTCFullYear(year, month - 1, day);
  check.setUTCHours(hour, minute, second, millis);
  const base = check.getTime();
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return undefined;
  }
  let offset = 0;
  if (zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const zh = Number(digits.slice(0, 2));
    const zm = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (zh > 18 || zm > 59) return undefined;
    offset = sign * (zh * HOUR + zm * MINUTE);
  }
  return base - offset;
}

/** The longest an ActiveGate token may live: 2 years ahead (Dynatrace, since build 1.293); 731 days, so that `now+2y` across a leap day is accepted. */
export const ACTIVEGATE_TOKEN_MAX_LIFETIME_MS = 731 * DAY;

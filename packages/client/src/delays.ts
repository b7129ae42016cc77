// The waits between attempts: what the server asks for, and exponential backoff with jitter.

/** The three forms of an HTTP date (RFC 9110): IMF-fixdate, RFC 850 and asctime. */
const HTTP_DATE = [
  /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
  /^[A-Za-z]{6,9}, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT$/,
  /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/,
];

/**
 * The wait a response asks for, in ms: `Retry-After` as RFC 9110 has it, delay-seconds (digits
 * only) or an HTTP date, else the legacy `X-RateLimit-Reset` (an epoch timestamp in microseconds).
 * 0 for a date in the past, undefined when the response asks for nothing readable (`0x2`, `2e0`,
 * `+2`, `1.5`, a negative number, text that is not an HTTP date: the caller's backoff applies).
 * @internal
 */
export function serverDelay(headers: Headers, now = Date.now()): number | undefined {
  const retryAfter = headers.get("retry-after")?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
    if (!HTTP_DATE.some((form) => form.test(retryAfter))) return undefined;
    return notNegative(Date.parse(retryAfter) - now);
  }
  const reset = headers.get("x-ratelimit-reset")?.trim();
  if (reset) return notNegative(Number(reset) / 1000 - now);
  return undefined;
}

function notNegative(ms: number): number | undefined {
  if (Number.isNaN(ms)) return undefined;
  return Math.max(ms, 0);
}

/** setTimeout fires at once for a delay above a signed 32-bit number of ms: such a timeout means none. @internal */
export const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** Backoff waits grow to at most this. @internal */
export const BACKOFF_CAP_MS = 8000;

/**
 * Exponential backoff with jitter: a random wait between half and all of `base * 2^(retry - 1)`,
 * that ceiling capped at `cap`. `retry` counts from 1.
 * @internal
 */
export function backoff(retry: number, base: number, cap: number, random: () => number): number {
  const ceiling = Math.min(base * 2 ** (retry - 1), cap);
  return Math.floor(ceiling / 2 + (ceiling / 2) * random());
}

/** Formats a wait for messages: `1500 ms`, `90 s`, `more than 10 minutes`. @internal */
export function describeWait(ms: number): string {
  if (ms > 600_000) return "more than 10 minutes";
  return ms < 10_000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 1000)} s`;
}

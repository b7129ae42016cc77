/**
 * The one duration grammar of every package: the CLI's flags (--overlap, --unused-for,
 * --expiring-within, --deadline, --sink-timeout, --older-than, --expires 90d), the client's
 * `retire.after` and `olderThan`, and the dashboard. A whole number and a unit, or several in a
 * row: `90s`, `30m`, `24h`, `14d`, `2w`, `1d12h`. `m` is always minutes. Hand-written, beside the
 * generated types; pure.
 */

/** The units and their milliseconds: s seconds, m minutes, h hours, d days, w weeks. */
export const DURATION_UNITS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

export type DurationUnit = keyof typeof DURATION_UNITS;

/** How durations are written, for messages. */
export const DURATION_FORMS = "a duration such as 90s, 30m, 24h, 14d or 2w (also combined: 1d12h)";

/** A duration in milliseconds (`1d12h` is 129,600,000), or undefined when the text is not one. */
export function parseDurationMs(text: string): number | undefined {
  const value = String(text).trim();
  const parts = [...value.matchAll(/(\d{1,9})([smhdw])/g)];
  if (value === "" || parts.map((p) => p[0]).join("") !== value) return undefined;
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * DURATION_UNITS[unit as DurationUnit], 0);
}

/**
 * A duration as one number and the largest unit that divides it (`1d12h` → `36h`), as Dynatrace's
 * relative times (`now+36h`) take it; undefined below a minute or not a whole number of minutes,
 * which relative times cannot say.
 */
export function durationInOneUnit(ms: number): string | undefined {
  if (!Number.isSafeInteger(ms) || ms <= 0 || ms % DURATION_UNITS.m !== 0) return undefined;
  for (const unit of ["w", "d", "h", "m"] as const)
    if (ms % DURATION_UNITS[unit] === 0) return `${ms / DURATION_UNITS[unit]}${unit}`;
  return undefined;
}

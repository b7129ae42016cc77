/** Durations on the command line: `90s`, `5m`, `12h`, `14d`, `2w`. */
import { UsageError } from "./errors.js";

const UNITS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNITS;

/** Parses a duration into ms; `units` are the ones accepted for this flag. */
export function durationArg(
  value: string,
  flag: string,
  units: readonly Unit[] = ["s", "m", "h", "d", "w"],
): number {
  const m = /^(\d{1,6})([a-z])$/.exec(value.trim());
  if (!m || !units.includes(m[2] as Unit) || Number(m[1]) === 0) {
    throw new UsageError(
      `${flag}: "${value}" is not a duration; expected a positive whole number and a unit (${units.join(", ")}), e.g. ${units.includes("d") ? "14d" : "30s"}`,
    );
  }
  return Number(m[1]) * UNITS[m[2] as Unit];
}

/** The longest a timer can wait (Node's setTimeout; longer ones fire at once). */
export const MAX_TIMER_MS = 2_147_483_647;

/** A duration that a timer waits for (--deadline, --sink-timeout): at most MAX_TIMER_MS. */
export function timerDurationArg(value: string, flag: string, units: readonly Unit[]): number {
  const ms = durationArg(value, flag, units);
  if (ms > MAX_TIMER_MS) {
    const unit = units.at(-1)!;
    throw new UsageError(
      `${flag}: "${value}" is longer than a timer can wait; at most ${Math.floor(MAX_TIMER_MS / UNITS[unit])}${unit}`,
    );
  }
  return ms;
}

/** A whole number of days from a duration (`36h` is 1.5 days, so 2: thresholds round up). */
export const durationDays = (ms: number) => Math.ceil(ms / UNITS.d);

/**
 * Durations on the command line, in the one grammar of @dt-tokens/types (`90s`, `30m`, `24h`,
 * `14d`, `2w`, combined `1d12h`; `m` is minutes): every duration flag takes every form.
 */
import { DURATION_FORMS, DURATION_UNITS, parseDurationMs } from "@dt-tokens/types";
import { UsageError } from "./errors.js";

/** Parses a duration into ms, or a usage error naming the flag; zero only where `zero` allows it. */
export function durationArg(value: string, flag: string, { zero = false } = {}): number {
  const ms = parseDurationMs(value);
  if (ms === undefined)
    throw new UsageError(`${flag}: "${value}" is not a duration; expected ${DURATION_FORMS}`);
  if (ms === 0 && !zero)
    throw new UsageError(`${flag}: "${value}" is zero; expected a duration longer than that`);
  return ms;
}

/** The longest a timer can wait (Node's setTimeout; longer ones fire at once). */
export const MAX_TIMER_MS = 2_147_483_647;

/** A duration that a timer waits for (--deadline, --sink-timeout): at most MAX_TIMER_MS. */
export function timerDurationArg(value: string, flag: string): number {
  const ms = durationArg(value, flag);
  if (ms > MAX_TIMER_MS) {
    throw new UsageError(
      `${flag}: "${value}" is longer than a timer can wait; at most ${Math.floor(MAX_TIMER_MS / DURATION_UNITS.h)}h`,
    );
  }
  return ms;
}

/** A whole number of days from a duration (`36h` is 1.5 days, so 2: thresholds round up). */
export const durationDays = (ms: number) => Math.ceil(ms / DURATION_UNITS.d);

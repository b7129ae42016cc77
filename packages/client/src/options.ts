// The numeric options of the client and of each call: defaults, validation and merging.
import { expected } from "./invalid-input.js";
import type { ClientOptions, RequestOptions } from "./types.js";

/** The settings one call runs with. @internal */
export interface CallSettings {
  timeoutMs: number;
  deadlineMs: number;
  maxRetries: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  signal?: AbortSignal | undefined;
}

/** The longest wait the client ever accepts from a server (Retry-After): 10 minutes. @internal */
export const MAX_SERVER_WAIT_MS = 600_000;

/**
 * What a call gets when neither the client nor the call sets it: 30 s per attempt, 2 min in all,
 * 2 retries, backoff from 0.5 s, server-asked waits up to 1 min.
 */
export const REQUEST_DEFAULTS: Readonly<Record<Exclude<keyof CallSettings, "signal">, number>> = {
  timeoutMs: 30_000,
  deadlineMs: 120_000,
  maxRetries: 2,
  retryDelayMs: 500,
  maxRetryDelayMs: 60_000,
};

type NumericOption = Exclude<keyof CallSettings, "signal">;

// What each option accepts: a number from min to max; whole numbers only for maxRetries.
const RANGES: Record<NumericOption, { min: number; max: number }> = {
  timeoutMs: { min: 1, max: Number.POSITIVE_INFINITY },
  deadlineMs: { min: 1, max: Number.POSITIVE_INFINITY },
  maxRetries: { min: 0, max: 100 },
  retryDelayMs: { min: 0, max: 60_000 },
  maxRetryDelayMs: { min: 0, max: MAX_SERVER_WAIT_MS },
};

/** Copies the given (not undefined) numeric options over `base`, each checked against its range. */
function merge(base: CallSettings, options: Partial<Record<NumericOption, unknown>>): CallSettings {
  const settings = { ...base };
  for (const name of Object.keys(RANGES) as NumericOption[]) {
    const value = options[name];
    if (value === undefined) continue;
    const { min, max } = RANGES[name];
    const wholeNumber = name !== "maxRetries" || Number.isInteger(value);
    if (typeof value !== "number" || !(value >= min && value <= max) || !wholeNumber) {
      const accepted = name === "maxRetries" ? "a whole number" : "a number of milliseconds";
      expected(name, `${accepted} from ${min} to ${max}`, value);
    }
    settings[name] = value as number;
  }
  return settings;
}

/** The client's defaults from its options; throws an InvalidInputError for a bad value. @internal */
export function clientSettings(options: ClientOptions): CallSettings {
  return merge(REQUEST_DEFAULTS, options);
}

/** The settings of one call: the client's, overridden by the call's options. @internal */
export function callSettings(defaults: CallSettings, options: RequestOptions | undefined): CallSettings {
  if (options === undefined) return defaults;
  const settings = merge(defaults, options);
  const { signal } = options;
  if (signal !== undefined && typeof signal?.addEventListener !== "function")
    expected("signal", "an AbortSignal");
  settings.signal = signal;
  return settings;
}

import { DURATION_FORMS, parseDurationMs } from "@dt-tokens/types";
import { expected } from "../invalid-input.js";

/**
 * A duration in milliseconds, in the one grammar of @dt-tokens/types: `90s`, `30m`, `24h`, `14d`,
 * `2w`, or combined (`1d12h`). A number is taken as milliseconds. Throws an InvalidInputError
 * naming `param` otherwise.
 */
export function parseDuration(value: string | number, param = "duration"): number {
  if (typeof value === "number") {
    return Number.isFinite(value) && value >= 0 ? value : expected(param, "milliseconds >= 0", value);
  }
  return parseDurationMs(value) ?? expected(param, DURATION_FORMS, value);
}

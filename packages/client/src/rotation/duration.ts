import { expected } from "../invalid-input.js";

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/**
 * A duration such as `90s`, `30m`, `24h`, `14d` or `2w` (also combined: `1d12h`) in milliseconds.
 * A number is taken as milliseconds. Throws an InvalidInputError naming `param` otherwise.
 */
export function parseDuration(value: string | number, param = "duration"): number {
  if (typeof value === "number") {
    return Number.isFinite(value) && value >= 0 ? value : expected(param, "milliseconds >= 0", value);
  }
  const text = String(value).trim();
  const parts = [...text.matchAll(/(\d{1,9})([smhdw])/g)];
  if (!text || parts.map((p) => p[0]).join("") !== text)
    return expected(param, "a duration such as 90s, 30m, 24h, 14d or 2w", value);
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS], 0);
}

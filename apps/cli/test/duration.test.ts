// One duration grammar for every duration flag (#24): --overlap and --older-than (zero allowed),
// --expiring-within, --unused-for, --deadline and --sink-timeout all read @dt-tokens/types'
// parseDurationMs, so combined forms such as 1d12h work for each, and each refuses in the same words.
import { describe, expect, test } from "vitest";
import { durationArg, durationDays, timerDurationArg } from "../src/duration.js";
import { durationOrZeroArg, expiringWithinMs } from "../src/rotation-targets.js";

const H = 3_600_000;

describe("one duration grammar for every flag", () => {
  test.each([
    ["--overlap", (v: string) => durationOrZeroArg(v, "--overlap")],
    ["--older-than", (v: string) => durationOrZeroArg(v, "--older-than")],
    ["--expiring-within", (v: string) => expiringWithinMs(v)!],
    ["--unused-for", (v: string) => durationArg(v, "--unused-for")],
    ["--sink-timeout", (v: string) => timerDurationArg(v, "--sink-timeout")],
    ["--deadline", (v: string) => timerDurationArg(v, "--deadline")],
  ])("%s takes 90s, 30m (minutes), 24h, 14d, 2w and 1d12h", (flag, parse) => {
    expect(parse("1d12h")).toBe(36 * H);
    expect(parse("90s")).toBe(90_000);
    expect(parse("30m")).toBe(30 * 60_000);
    expect(parse("24h")).toBe(24 * H);
    expect(parse("14d")).toBe(14 * 24 * H);
    expect(parse("2w")).toBe(14 * 24 * H);
    expect(() => parse("1 day")).toThrow(`${flag}: "1 day" is not a duration; expected a duration such as`);
  });
  test("zero only where it means now (--overlap 0s, --older-than 0s)", () => {
    expect(durationOrZeroArg("0s", "--overlap")).toBe(0);
    expect(() => durationArg("0s", "--unused-for")).toThrow('--unused-for: "0s" is zero');
  });
  test("a threshold in days rounds up: 1d12h is 2 days", () => {
    expect(durationDays(durationArg("1d12h", "--unused-for"))).toBe(2);
  });
});

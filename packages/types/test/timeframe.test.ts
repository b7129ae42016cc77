import { describe, expect, it } from "vitest";
import { alignDown, parseTimeframe } from "../src/timeframe.js";

const NOW = Date.parse("2025-06-11T15:30:45.678Z"); // a Wednesday

describe("parseTimeframe", () => {
  it.each([
    ["1700000000000", 1_700_000_000_000],
    ["now", NOW],
    ["now-5m", NOW - 5 * 60_000],
    ["now-2h", NOW - 2 * 3_600_000],
    ["now-1w", NOW - 7 * 86_400_000],
    ["now+14d", NOW + 14 * 86_400_000],
    ["now 14d", NOW + 14 * 86_400_000], // a decoded +
    ["now-1M", Date.parse("2025-05-11T15:30:45.678Z")],
    ["now-1y", Date.parse("2024-06-11T15:30:45.678Z")],
    ["now/m", Date.parse("2025-06-11T15:30:00.000Z")],
    ["now/h", Date.parse("2025-06-11T15:00:00.000Z")],
    ["now/d", Date.parse("2025-06-11T00:00:00.000Z")],
    ["now/w", Date.parse("2025-06-09T00:00:00.000Z")],
    ["now-1d/w", Date.parse("2025-06-09T00:00:00.000Z")],
    ["now/M", Date.parse("2025-06-01T00:00:00.000Z")],
    ["now-1y/y", Date.parse("2024-01-01T00:00:00.000Z")],
    ["2021-01-25T05:57:01.123+01:00", Date.parse("2021-01-25T04:57:01.123Z")],
    ["2021-01-25T05:57:01.123 01:00", Date.parse("2021-01-25T04:57:01.123Z")],
    ["2021-01-25T05:57:01.123-0230", Date.parse("2021-01-25T08:27:01.123Z")],
    ["2021-01-25 05:57", Date.parse("2021-01-25T05:57:00.000Z")],
    ["2021-01-25T05:57:01", Date.parse("2021-01-25T05:57:01.000Z")],
    ["2021-01-25T05:57:01.1Z", Date.parse("2021-01-25T05:57:01.100Z")],
    ["2021-01-25", Date.parse("2021-01-25T00:00:00.000Z")],
    ["2024-02-29T00:00", Date.parse("2024-02-29T00:00:00.000Z")],
  ])("%s", (text, expected) => {
    expect(parseTimeframe(text, NOW)).toBe(expected);
  });

  it.each([
    "",
    "yesterday",
    "now-",
    "now-1",
    "now-1q",
    "now-1d/q",
    "2021-13-01",
    "2023-02-29",
    "2021-01-25T24:00",
    "2021-01-25T05:60",
    "2021-01-25T05:57+19:00",
    "-5",
    "1e12",
  ])("rejects %j", (text) => {
    expect(parseTimeframe(text, NOW)).toBeUndefined();
  });

  it("aligns weeks to Monday even on a Sunday", () => {
    expect(alignDown(Date.parse("2025-06-15T10:00:00Z"), "w")).toBe(Date.parse("2025-06-09T00:00:00Z"));
  });
});

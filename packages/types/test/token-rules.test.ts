/** The token rules, with their boundaries: what the CLI's audit, doctor and the dashboard all call. */
import { describe, expect, test } from "vitest";
import {
  broadWriteScopes,
  EXPIRING_WITHIN_DAYS,
  isExpired,
  isExpiring,
  isOlderThan,
  isUnused,
  UNUSED_AFTER_DAYS,
} from "../src/index.js";

const DAY = 86_400_000;
const now = Date.parse("2026-12-07T12:00:00Z");
const at = (ms: number) => new Date(ms).toISOString();

describe("unused", () => {
  test("last used exactly UNUSED_AFTER_DAYS ago is unused; a millisecond later in time is not", () => {
    expect(UNUSED_AFTER_DAYS).toBe(90);
    expect(isUnused(at(now - 90 * DAY), now)).toBe(true);
    expect(isUnused(at(now - 90 * DAY + 1), now)).toBe(false);
    expect(isUnused(at(now - 5 * DAY), now, 5)).toBe(true);
    expect(isOlderThan(at(now - 90 * DAY), now)).toBe(true);
    expect(isOlderThan(at(now - 90 * DAY + 1), now)).toBe(false);
  });

  test("never used, or a date that does not parse, is not unused", () => {
    for (const value of [undefined, null, "", "not a date"]) {
      expect(isUnused(value, now)).toBe(false);
      expect(isOlderThan(value, now)).toBe(false);
    }
  });
});

describe("expiring and expired", () => {
  test("expiring: within EXPIRING_WITHIN_DAYS and not expired yet; expired: at or before now", () => {
    expect(EXPIRING_WITHIN_DAYS).toBe(14);
    expect(isExpiring(at(now + 14 * DAY), now)).toBe(true);
    expect(isExpiring(at(now + 14 * DAY + 1), now)).toBe(false);
    expect(isExpiring(at(now + 1), now)).toBe(true);
    expect(isExpiring(at(now), now)).toBe(false);
    expect(isExpired(at(now), now)).toBe(true);
    expect(isExpired(at(now + 1), now)).toBe(false);
    for (const value of [undefined, null, "", "never"]) {
      expect(isExpiring(value, now)).toBe(false);
      expect(isExpired(value, now)).toBe(false);
    }
  });
});

describe("broad", () => {
  test("the broad write scopes among a token's, in its order; none without scopes", () => {
    expect(broadWriteScopes(["metrics.read", "WriteConfig", "apiTokens.write"])).toEqual([
      "WriteConfig",
      "apiTokens.write",
    ]);
    expect(broadWriteScopes(undefined)).toEqual([]);
    expect(broadWriteScopes(null)).toEqual([]);
  });
});

/** The token rules, with their boundaries: what the CLI's audit, doctor and the dashboard all call. */
import { describe, expect, test } from "vitest";
import {
  activeGateTokenUse,
  broadWriteScopes,
  EXPIRING_WITHIN_DAYS,
  isExpired,
  isExpiring,
  isOlderThan,
  isTokenEnforcementOn,
  isUnused,
  isUnusedForLong,
  neverExpires,
  UNUSED_AFTER_DAYS,
  usedActiveGateTokenIds,
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

describe("never expires", () => {
  test.each([
    [undefined, true],
    [null, true],
    ["", true],
    ["not a date", true],
    [at(now - 1), false],
    [at(now + 400 * DAY), false],
  ])("expirationDate %j: never expires %s", (value, expected) => {
    expect(neverExpires(value)).toBe(expected);
  });
});

describe("ActiveGate tokens: used, unused, seed", () => {
  const gates = [
    { hostname: "a", activeGateTokens: [{ id: "dt0g02.AAAAAAAA", state: "VALID" }] },
    { hostname: "b", activeGateTokens: [{ id: "dt0g02.SEEDSEED" }, { state: "ABSENT" }] },
    { hostname: "c" },
    { hostname: "d", activeGateTokens: [] },
  ];
  const used = usedActiveGateTokenIds(gates);

  test("the ids the ActiveGates report using; a token info without an id, or none, adds nothing", () => {
    expect(used).toEqual(new Set(["dt0g02.AAAAAAAA", "dt0g02.SEEDSEED"]));
    expect(usedActiveGateTokenIds([])).toEqual(new Set());
  });

  test.each([
    [{ id: "dt0g02.AAAAAAAA" }, "used"],
    [{ id: "dt0g02.BBBBBBBB" }, "unused"],
    [{ id: "dt0g02.BBBBBBBB", seedToken: false }, "unused"],
    [{}, "unused"],
    // A seed token is counted apart, used by an ActiveGate or not.
    [{ id: "dt0g02.SEEDSEED", seedToken: true }, "seed"],
    [{ id: "dt0g02.CCCCCCCC", seedToken: true }, "seed"],
    // Only `true` makes a seed token (the upstream document once gave "false" as a string).
    [{ id: "dt0g02.CCCCCCCC", seedToken: "false" as unknown as boolean }, "unused"],
  ])("%j is %s", (token, expected) => {
    expect(activeGateTokenUse(token, used)).toBe(expected);
  });

  test.each([
    ["never used", undefined, true],
    ["never used (null)", null, true],
    ["a date that does not parse counts as never used", "yesterday", true],
    ["last used exactly UNUSED_AFTER_DAYS ago (isUnused's boundary)", at(now - 90 * DAY), true],
    ["a millisecond less", at(now - 90 * DAY + 1), false],
    ["used just now", at(now), false],
  ])("unused for long: %s", (_what, lastUsed, expected) => {
    expect(isUnusedForLong(lastUsed, now)).toBe(expected);
  });

  test("unused for long: the limit is a parameter, with the same boundary", () => {
    expect(isUnusedForLong(at(now - 5 * DAY), now, 5)).toBe(true);
    expect(isUnusedForLong(at(now - 5 * DAY + 1), now, 5)).toBe(false);
  });
});

describe("ActiveGate token enforcement", () => {
  test.each([
    [{ manualEnforced: true, autoEnforced: false }, true],
    [{ manualEnforced: false, autoEnforced: true }, true],
    [{ manualEnforced: true, autoEnforced: true }, true],
    [{ manualEnforced: false, autoEnforced: false }, false],
    [{}, false],
    [{ manualEnforced: "true" as unknown as boolean }, false],
  ])("%j: on %s", (report, expected) => {
    expect(isTokenEnforcementOn(report)).toBe(expected);
  });
});

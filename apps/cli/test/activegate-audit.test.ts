/**
 * The ActiveGate-token audit's rules at their edges (src/activegate-audit.ts, a pure function of
 * tokens, ActiveGates, the enforcement status and a clock): "unused" and "unused for long" are
 * @dt-tokens/types' rules (activeGateTokenUse, isUnusedForLong), with isUnused's boundary, the same
 * as `dt-tokens audit` and the dashboard's. The sandbox-backed behaviour is in activegate-tokens.test.ts.
 */
import type { ActiveGate, ActiveGateToken } from "@dt-tokens/client/activegate";
import { describe, expect, test } from "vitest";
import { auditActiveGateTokens } from "../src/activegate-audit.js";

const DAY = 86_400_000;
const NOW = Date.parse("2026-12-07T12:00:00Z");
const at = (ms: number) => new Date(ms).toISOString();
const OFF = { manualEnforced: false, autoEnforced: false };
let n = 0;
const token = (fields: Partial<ActiveGateToken>): ActiveGateToken =>
  ({
    id: `dt0g02.TOKEN${String(++n).padStart(3, "0")}`,
    name: `t${n}`,
    activeGateType: "ENVIRONMENT",
    seedToken: false,
    expirationDate: at(NOW + 200 * DAY),
    ...fields,
  }) as ActiveGateToken;

const unusedFinding = (t: ActiveGateToken, gates: ActiveGate[] = [], maxUnusedDays = 30) =>
  auditActiveGateTokens([t], gates, OFF, { expiringWithinDays: 30, maxUnusedDays, now: NOW }).findings.find(
    (f) => f.check === "unused",
  );

describe("unused ActiveGate tokens", () => {
  test.each([
    [
      "last used exactly --unused-for ago: unused for long (the boundary of isUnused)",
      NOW - 30 * DAY,
      "medium",
    ],
    ["a millisecond less", NOW - 30 * DAY + 1, "low"],
    ["used a day ago", NOW - DAY, "low"],
    ["last used long ago", NOW - 400 * DAY, "medium"],
  ])("%s: %s", (_what, lastUsed, severity) => {
    expect(unusedFinding(token({ lastUsedDate: at(lastUsed) }))?.severity).toBe(severity);
  });

  test("never used, or a last-use date that does not parse: medium, 'never used'", () => {
    for (const lastUsedDate of [undefined, "", "soon"]) {
      const f = unusedFinding(token(lastUsedDate === undefined ? {} : { lastUsedDate }));
      expect(f?.severity).toBe("medium");
      expect(f?.detail).toBe("no ActiveGate uses it; never used (limit 30 days)");
    }
  });

  test("a token an ActiveGate uses is not unused; a seed token is counted apart, used or not", () => {
    const used = token({ lastUsedDate: at(NOW - 400 * DAY) });
    const gates = [
      { id: "g1", hostname: "h1", activeGateTokens: [{ id: used.id, state: "VALID" }] },
    ] as ActiveGate[];
    expect(unusedFinding(used, gates)).toBeUndefined();
    const seed = token({ seedToken: true });
    const result = auditActiveGateTokens([seed], [], OFF, {
      expiringWithinDays: 30,
      maxUnusedDays: 30,
      now: NOW,
    });
    expect(result.findings.map((f) => f.check)).toEqual(["seed-token"]);
    // Only `true` is a seed token: the upstream document once gave seedToken as the string "false".
    const notSeed = token({ seedToken: "false" as unknown as boolean });
    expect(unusedFinding(notSeed)?.check).toBe("unused");
  });
});

describe("expiry", () => {
  test("no expiry date, or one that does not parse, is reported as never expiring, not passed over", () => {
    for (const expirationDate of [undefined, "", "2026-13-45"]) {
      const t = token({ expirationDate });
      if (expirationDate === undefined) delete t.expirationDate;
      const checks = auditActiveGateTokens([t], [], OFF, {
        expiringWithinDays: 30,
        maxUnusedDays: 30,
        now: NOW,
      }).findings.map((f) => f.check);
      expect(checks).toContain("never-expires");
      expect(checks).not.toContain("expired");
    }
  });
});

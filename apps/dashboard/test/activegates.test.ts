/**
 * The ActiveGate tokens view's numbers (src/activegates.ts) in Node, no browser: the counts, the
 * timeline and which ActiveGate goes dark when, at their edges with literal data, and on the
 * sandbox's `--seed-demo` ActiveGate data read through `@dt-tokens/client/activegate`.
 */
import type { ActiveGate, ActiveGateToken } from "@dt-tokens/client/activegate";
import { createActiveGateTokensClient } from "@dt-tokens/client/activegate";
import { ACTIVEGATE_TOKEN_EXPIRING_DAYS } from "@dt-tokens/client/display";
import { type Sandbox, type SeededToken, seedDemoActiveGates, startSandbox } from "@dt-tokens/sandbox";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { activeGateTimeline, countActiveGateTokens, whenGatesGoDark } from "../src/activegates.js";

const NOW = Date.parse("2026-06-01T12:00:00.000Z");
const DAY = 86_400_000;
const at = (days: number) => new Date(NOW + days * DAY).toISOString();

let n = 0;
const token = (extra: Partial<ActiveGateToken> = {}): ActiveGateToken => ({
  id: `dt0g02.T${String(++n).padStart(7, "0")}`,
  name: `t-${n}`,
  owner: "admin",
  creationDate: at(-100),
  activeGateType: "ENVIRONMENT",
  seedToken: false,
  ...extra,
});
const gate = (hostname: string, tokens: ActiveGate["activeGateTokens"], extra: Partial<ActiveGate> = {}) =>
  ({
    id: `0x${hostname.length.toString(16)}${hostname}`,
    hostname,
    activeGateTokens: tokens,
    ...extra,
  }) as ActiveGate;

describe("counts", () => {
  test("expiring is the client's ACTIVEGATE_TOKEN_EXPIRING_DAYS (30), not the API tokens' 14; expired at or before now; never without a date", () => {
    expect(ACTIVEGATE_TOKEN_EXPIRING_DAYS).toBe(30);
    const tokens = [
      token({ expirationDate: at(0) }), // expired (at now)
      token({ expirationDate: at(-400) }), // expired
      token({ expirationDate: at(0.001) }), // expiring
      token({ expirationDate: at(20) }), // expiring (not within 14: API tokens would miss it)
      token({ expirationDate: at(30) }), // expiring, at the edge
      token({ expirationDate: at(30.001) }), // not
      token({}), // never
    ];
    const c = countActiveGateTokens(tokens, [], NOW);
    expect(c).toMatchObject({ total: 7, expired: 2, expiring: 3, never: 1 });
  });

  test("unused: no ActiveGate reports using it; seed tokens are counted apart, never as unused", () => {
    const used = token({ expirationDate: at(50) });
    const idle = token({ expirationDate: at(50) });
    const seed = token({ seedToken: true });
    const usedSeed = token({ seedToken: true });
    const gates = [
      gate("a.example.com", [{ id: used.id, state: "VALID" }]),
      gate("b.example.com", [{ id: usedSeed.id, state: "VALID" }]),
      gate("c.example.com", undefined),
      gate("d.example.com", [{ state: "ABSENT" }]),
    ];
    expect(countActiveGateTokens([used, idle, seed, usedSeed], gates, NOW)).toMatchObject({
      total: 4,
      seed: 2,
      unused: 1,
      never: 2,
    });
  });

  test("without the ActiveGates (no activeGates.read) unused is unknown, not 0 or all", () => {
    const c = countActiveGateTokens([token(), token()], undefined, NOW);
    expect(c.unused).toBeUndefined();
    expect(c.total).toBe(2);
  });

  test("no tokens: every count 0; an unparsable date counts as no date", () => {
    expect(countActiveGateTokens([], [], NOW)).toEqual({
      total: 0,
      expiring: 0,
      expired: 0,
      never: 0,
      seed: 0,
      unused: 0,
    });
    expect(countActiveGateTokens([token({ expirationDate: "soon" })], [], NOW).never).toBe(1);
  });

  test("the timeline is the dashboard's one timeline: expired, 30-day windows, later, never", () => {
    const t = activeGateTimeline(
      [
        token({ expirationDate: at(-1) }),
        token({ expirationDate: at(12) }),
        token({ expirationDate: at(45) }),
        token({ expirationDate: at(500) }),
        token(),
      ],
      NOW,
    );
    expect(t.expired).toBe(1);
    expect(t.windows[0]!.count).toBe(1);
    expect(t.windows[1]!.count).toBe(1);
    expect(t.later).toBe(1);
    expect(t.never).toBe(1);
  });
});

describe("which ActiveGates go dark when", () => {
  test("soonest first: expired or INVALID (dark now, since when offline), no token, then by expiry; never-expiring last", () => {
    const expired = token({ name: "old", expirationDate: at(-3) });
    const soon = token({ name: "soon", expirationDate: at(12) });
    const later = token({ name: "later", expirationDate: at(200) });
    const forever = token({ name: "forever" });
    const gates = [
      gate("z-forever.example.com", [{ id: forever.id, state: "VALID" }]),
      gate("later.example.com", [{ id: later.id, state: "VALID" }]),
      gate("soon.example.com", [{ id: soon.id, state: "EXPIRING" }]),
      gate("legacy.example.com", [{ id: expired.id, state: "INVALID" }], { offlineSince: NOW - 3 * DAY }),
      gate("bare.example.com", []),
      gate("gone.example.com", [{ id: "dt0g02.MISSING1", state: "VALID" }]),
    ];
    const rows = whenGatesGoDark([expired, soon, later, forever], gates, NOW);
    expect(rows.map((r) => [r.host, r.dark.kind])).toEqual([
      ["legacy.example.com", "now"],
      ["bare.example.com", "no-token"],
      ["soon.example.com", "at"],
      ["later.example.com", "at"],
      ["gone.example.com", "unknown"],
      ["z-forever.example.com", "never"],
    ]);
    expect(rows[0]).toMatchObject({
      tokenId: expired.id,
      tokenName: "old",
      state: "INVALID",
      expirationDate: expired.expirationDate,
      offlineSince: new Date(NOW - 3 * DAY).toISOString(),
      dark: { kind: "now", since: new Date(NOW - 3 * DAY).toISOString() },
    });
    expect(rows[1]).toMatchObject({ tokenId: "", state: "", dark: { kind: "no-token" } });
    expect(rows[2]).toMatchObject({
      tokenName: "soon",
      state: "EXPIRING",
      dark: { kind: "at", at: soon.expirationDate },
    });
    expect(rows[4]).toMatchObject({ tokenName: undefined, expirationDate: undefined });
  });

  test("an expired token reported VALID (a stale state) is still dark now; INVALID with a future expiry too", () => {
    const expired = token({ expirationDate: at(-1) });
    const revoked = token({ expirationDate: at(100) });
    const rows = whenGatesGoDark(
      [expired, revoked],
      [
        gate("a.example.com", [{ id: expired.id, state: "VALID" }]),
        gate("b.example.com", [{ id: revoked.id, state: "INVALID" }]),
      ],
      NOW,
    );
    expect(rows.map((r) => r.dark.kind)).toEqual(["now", "now"]);
  });

  test("a gate with two tokens gives two rows with distinct keys; no hostname shows the id; ABSENT is no token", () => {
    const a = token({ expirationDate: at(10) });
    const b = token({ expirationDate: at(5) });
    const rows = whenGatesGoDark(
      [a, b],
      [
        {
          id: "0xabc",
          activeGateTokens: [
            { id: a.id, state: "VALID" },
            { id: b.id, state: "VALID" },
          ],
        },
        { id: "0xdef", hostname: "", activeGateTokens: [{ id: "dt0g02.ABSENT01", state: "ABSENT" }] },
      ],
      NOW,
    );
    expect(rows.map((r) => [r.host, r.tokenId, r.dark.kind])).toEqual([
      ["0xdef", "dt0g02.ABSENT01", "no-token"],
      ["0xabc", b.id, "at"],
      ["0xabc", a.id, "at"],
    ]);
    expect(new Set(rows.map((r) => r.key)).size).toBe(3);
  });

  test("no ActiveGates: no rows", () => {
    expect(whenGatesGoDark([token()], [], NOW)).toEqual([]);
  });
});

describe("on the sandbox's demo ActiveGate data, read through the client", () => {
  let sandbox: Sandbox;
  let reader: SeededToken;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, bootstrapToken: false });
    [reader] = sandbox.seed([
      { name: "ag-reader", owner: "admin", scopes: ["activeGateTokenManagement.read", "activeGates.read"] },
    ]) as [SeededToken];
    seedDemoActiveGates(sandbox.activeGates);
  });
  afterAll(() => sandbox?.close());

  test("counts and the hosts at risk match what the demo seeds", async () => {
    const client = createActiveGateTokensClient({ environmentUrl: sandbox.url, token: reader.token });
    const now = Date.now();
    const tokens: ActiveGateToken[] = [];
    for await (const t of client.listAll({ pageSize: 3000 })) tokens.push(t);
    const gates = await client.activeGates();
    // The demo: 7 tokens (ag-prod-02 in 12 days and k8s-operator-ag-old in 20: expiring within 30;
    // ag-legacy expired; ag-dmz-cluster and installer-seed never expire; installer-seed is the seed;
    // k8s-operator-ag-old and spare are used by no ActiveGate).
    expect(countActiveGateTokens(tokens, gates, now)).toEqual({
      total: 7,
      expiring: 2,
      expired: 1,
      never: 2,
      seed: 1,
      unused: 2,
    });
    const rows = whenGatesGoDark(tokens, gates, now);
    expect(rows.map((r) => [r.host, r.tokenName, r.dark.kind])).toEqual([
      ["ag-legacy.example.com", "ag-legacy", "now"],
      ["ag-prod-02.example.com", "ag-prod-02", "at"],
      ["ag-prod-01.example.com", "ag-prod-01", "at"],
      ["ag-dmz.example.com", "ag-dmz-cluster", "never"],
    ]);
    expect(rows[0]!.offlineSince).toBeDefined();
    expect(rows[1]!.state).toBe("EXPIRING");
  });
});

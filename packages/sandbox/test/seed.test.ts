import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  generateDemoTokens,
  generateTokenSecret,
  type SeedToken,
  seedTokens,
  startSandbox,
} from "../src/index.js";
import { TokenStore } from "../src/store.js";
import { api, start } from "./helpers.js";

const DAY = 86_400_000;
const NOW = Date.parse("2025-06-01T00:00:00.000Z");
const dir = mkdtempSync(join(tmpdir(), "dt-sandbox-seed-"));
let sandbox: Awaited<ReturnType<typeof start>>;
beforeAll(async () => {
  sandbox = await start({ now: () => NOW });
});
afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("sandbox.seed()", () => {
  it("returns each token's metadata and secret; the secrets authenticate (auth matrix material)", async () => {
    const seeded = sandbox.seed([
      { name: "disabled", enabled: false, scopes: ["apiTokens.read"] },
      { name: "expired", expirationDate: NOW - DAY, scopes: ["apiTokens.read"] },
      { name: "personal", owner: "alice", personalAccessToken: true, scopes: ["apiTokens.read"] },
    ]);
    expect(seeded.map((t) => t.name)).toEqual(["disabled", "expired", "personal"]);
    for (const t of seeded) {
      expect(t.token).toMatch(/^dt0c01\.[A-Z2-7]{24}\.[A-Z2-7]{64}$/);
      expect(t.token.startsWith(`${t.id}.`)).toBe(true);
    }
    expect(seeded[0]).toMatchObject({
      enabled: false,
      owner: "admin",
      personalAccessToken: false,
      creationDate: new Date(NOW).toISOString(),
    });
    expect(seeded[1]!.expirationDate).toBe(new Date(NOW - DAY).toISOString());
    expect((await api(sandbox, "GET", "/apiTokens", { token: seeded[0]!.token })).status).toBe(401);
    expect((await api(sandbox, "GET", "/apiTokens", { token: seeded[1]!.token })).status).toBe(401);
    expect((await api(sandbox, "GET", "/apiTokens", { token: seeded[2]!.token })).status).toBe(200);
  });

  it("takes dates as Date, epoch ms, ISO strings or timeframes, and a chosen secret", async () => {
    const secret = generateTokenSecret();
    const [t] = sandbox.seed([
      {
        name: "dated",
        token: secret,
        creationDate: new Date("2024-01-01T00:00:00Z"),
        lastUsedDate: "now-2d",
        lastUsedIpAddress: "192.0.2.1",
        expirationDate: NOW + DAY,
        modifiedDate: "2024-03-01T10:00:00+01:00",
        scopes: ["metrics.read", "MemoryDump", "someFutureScope"],
      },
    ]);
    expect(t).toMatchObject({
      id: secret.slice(0, 31),
      token: secret,
      creationDate: "2024-01-01T00:00:00.000Z",
      lastUsedDate: new Date(NOW - 2 * DAY).toISOString(),
      lastUsedIpAddress: "192.0.2.1",
      expirationDate: new Date(NOW + DAY).toISOString(),
      modifiedDate: "2024-03-01T09:00:00.000Z",
      scopes: ["metrics.read", "MemoryDump", "someFutureScope"],
    });
    const got = await api(sandbox, "GET", `/apiTokens/${t!.id}`, { token: secret });
    expect(got.status).toBe(403); // no apiTokens.read, but the secret authenticated
  });

  it.each([
    [[{ name: "" }], /tokens\[0\]\.name/],
    [[{ name: "a" }, { name: "b", scopes: "x" }], /tokens\[1\]\.scopes/],
    [[{ name: "a", enabled: "yes" }], /tokens\[0\]\.enabled/],
    [[{ name: "a", creationDate: "whenever" }], /tokens\[0\]\.creationDate/],
    [[{ name: "a", token: "dt0c01.short" }], /tokens\[0\]\.token/],
    [[{ name: "a", additionalMetadata: [] }], /additionalMetadata/],
  ])(
    "rejects bad tokens with a TypeError naming the token and field (%#), inserting none",
    (tokens, message) => {
      const before = sandbox.tokenCount();
      expect(() => sandbox.seed(tokens as unknown as SeedToken[])).toThrow(message);
      expect(sandbox.tokenCount()).toBe(before);
    },
  );

  it("is all or nothing: a duplicate id inserts none", () => {
    const secret = generateTokenSecret();
    const before = sandbox.tokenCount();
    expect(() =>
      sandbox.seed([{ name: "a" }, { name: "b", token: secret }, { name: "c", token: secret }]),
    ).toThrow(/repeats/);
    sandbox.seed([{ name: "first", token: secret }]);
    expect(() => sandbox.seed([{ name: "ok" }, { name: "dup", token: secret }])).toThrow();
    expect(sandbox.tokenCount()).toBe(before + 1);
  });

  it("seeds 20,000 tokens in one call", () => {
    const before = sandbox.tokenCount();
    const seeded = sandbox.seed(generateDemoTokens({ count: 20_000, seed: 5, now: NOW }));
    expect(seeded).toHaveLength(20_000);
    expect(new Set(seeded.map((t) => t.id)).size).toBe(20_000);
    expect(sandbox.tokenCount()).toBe(before + 20_000);
    sandbox.reset();
    expect(sandbox.tokenCount()).toBe(1);
  });
});

describe("seedTokens() into a database file", () => {
  it("seeds before a server starts on it", async () => {
    const db = join(dir, "offline.db");
    const [t] = seedTokens(db, [{ name: "offline", scopes: ["apiTokens.read"] }]);
    const s = await startSandbox({ database: db });
    try {
      expect(s.bootstrapToken).toBeUndefined(); // the database is not empty: none generated
      const r = await api(s, "GET", "/apiTokens", { token: t!.token });
      expect(r.status).toBe(200);
      expect(r.body.totalCount).toBe(1);
    } finally {
      await s.close();
    }
  });

  it("migrates a database once and refuses one from a newer sandbox", () => {
    const db = join(dir, "versions.db");
    const store = new TokenStore(db);
    expect(store.schemaVersion).toBe(8); // 1: API tokens, 2: page queries, 3: platform tokens and OAuth clients, 4: the listing index, 5: the environment id, 6: no page queries, 7: when OAuth clients were revoked, 8: ActiveGate tokens and ActiveGates
    store.db.pragma("user_version = 99");
    store.close();
    expect(() => new TokenStore(db)).toThrow(/newer than this sandbox knows/);
  });

  it("uses WAL and synchronous=FULL on files", () => {
    const store = new TokenStore(join(dir, "pragmas.db"));
    try {
      expect(store.db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(store.db.pragma("synchronous", { simple: true })).toBe(2);
    } finally {
      store.close();
    }
  });
});

describe("generateDemoTokens()", () => {
  const demo = generateDemoTokens({ count: 300, seed: 1, now: NOW });

  it("is repeatable from its seed", () => {
    expect(generateDemoTokens({ count: 300, seed: 1, now: NOW })).toEqual(demo);
    expect(generateDemoTokens({ count: 300, seed: 2, now: NOW })).not.toEqual(demo);
  });

  it("covers what an audit looks for", () => {
    const ms = (d: unknown) => (d === null || d === undefined ? null : Number(d));
    const owners = new Set(demo.map((t) => t.owner));
    expect(owners.size).toBeGreaterThanOrEqual(5);
    expect(demo.some((t) => t.personalAccessToken)).toBe(true);
    expect(demo.some((t) => t.enabled === false)).toBe(true);
    expect(demo.some((t) => ms(t.lastUsedDate) === null)).toBe(true);
    expect(demo.some((t) => ms(t.lastUsedDate)! > NOW - 7 * DAY)).toBe(true);
    expect(demo.some((t) => ms(t.lastUsedDate) !== null && ms(t.lastUsedDate)! < NOW - 180 * DAY)).toBe(true);
    expect(demo.some((t) => ms(t.expirationDate) === null)).toBe(true);
    expect(demo.some((t) => ms(t.expirationDate) !== null && ms(t.expirationDate)! < NOW)).toBe(true);
    expect(demo.some((t) => ms(t.expirationDate)! > NOW && ms(t.expirationDate)! < NOW + 14 * DAY)).toBe(
      true,
    );
    expect(demo.some((t) => t.scopes?.includes("apiTokens.write"))).toBe(true);
    expect(demo.some((t) => t.scopes?.includes("ViewDashboard"))).toBe(true);
    expect(new Set(demo.map((t) => t.name)).size).toBeLessThan(demo.length);
    for (const t of demo) {
      if (t.lastUsedDate !== null) expect(ms(t.lastUsedDate)!).toBeGreaterThanOrEqual(ms(t.creationDate)!);
    }
  });

  it("seeds into a sandbox and lists with filters", async () => {
    const s = await startSandbox({ now: () => NOW });
    try {
      s.seed(demo);
      const pats = await api(
        s,
        "GET",
        `/apiTokens?apiTokenSelector=${encodeURIComponent("personalAccessToken(true)")}`,
        {
          token: s.bootstrapToken,
        },
      );
      expect(pats.body.totalCount).toBe(demo.filter((t) => t.personalAccessToken).length);
    } finally {
      await s.close();
    }
  });
});

describe("the bootstrap token", () => {
  it("is ensured at start: re-enabled, unexpired, with apiTokens.read and apiTokens.write", async () => {
    const db = join(dir, "bootstrap.db");
    const secret = generateTokenSecret();
    seedTokens(db, [
      {
        name: "broken",
        token: secret,
        enabled: false,
        expirationDate: "2020-01-01",
        scopes: ["metrics.read"],
      },
    ]);
    const s = await startSandbox({ database: db, bootstrapToken: secret });
    try {
      expect(s.bootstrapTokenGenerated).toBe(false);
      const r = await api(s, "GET", `/apiTokens/${secret.slice(0, 31)}`, { token: secret });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        enabled: true,
        scopes: ["metrics.read", "apiTokens.read", "apiTokens.write"],
      });
      expect(r.body.expirationDate).toBeUndefined();
    } finally {
      await s.close();
    }
  });

  it("is refused when it is not a sandbox secret, and none is made with bootstrapToken: false", async () => {
    await expect(startSandbox({ bootstrapToken: "abc" })).rejects.toThrow(/bootstrap token/);
    const s = await startSandbox({ bootstrapToken: false });
    try {
      expect(s.bootstrapToken).toBeUndefined();
      expect(s.tokenCount()).toBe(0);
    } finally {
      await s.close();
    }
  });
});

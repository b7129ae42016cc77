import { API_TOKEN_FIELDS } from "@dt-tokens/types";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SeededToken } from "../src/index.js";
import { api, start } from "./helpers.js";

const DAY = 86_400_000;
const NOW = Date.parse("2025-06-11T15:30:00.000Z"); // a Wednesday
let now = NOW;
let sandbox: Awaited<ReturnType<typeof start>>;
let seeded: SeededToken[];

beforeAll(async () => {
  sandbox = await start({ now: () => now, bootstrapToken: undefined });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  now = NOW;
  sandbox.reset();
  seeded = sandbox.seed([
    {
      name: "alpha",
      owner: "alice",
      scopes: ["metrics.read"],
      creationDate: NOW - 10 * DAY,
      lastUsedDate: NOW - 1 * DAY,
    },
    {
      name: "Bravo",
      owner: "bob",
      scopes: ["logs.ingest", "metrics.read"],
      personalAccessToken: true,
      creationDate: NOW - 9 * DAY,
      lastUsedDate: NOW - 40 * DAY,
      expirationDate: NOW + 5 * DAY,
    },
    {
      name: "charlie",
      owner: 'we"ird\\owner',
      scopes: ["ViewDashboard"],
      creationDate: NOW - 8 * DAY,
      expirationDate: NOW + 50 * DAY,
      modifiedDate: NOW - 2 * DAY,
    },
    {
      name: "delta",
      owner: "alice",
      scopes: ["settings.write"],
      personalAccessToken: true,
      creationDate: NOW - 7 * DAY,
      lastUsedDate: NOW - 3 * 60_000,
      modifiedDate: NOW - 5 * DAY,
    },
    { name: "echo", owner: "bob", scopes: [], creationDate: NOW - 6 * DAY, enabled: false },
  ]);
});

const names = (body: { apiTokens: { name?: string; id: string }[] }) =>
  body.apiTokens.map((t) => t.name ?? seeded.find((s) => s.id === t.id)?.name ?? "sandbox-bootstrap");

async function list(query: string) {
  return api(sandbox, "GET", `/apiTokens${query}`, { token: sandbox.token });
}

describe("listApiTokens: defaults", () => {
  it("returns totalCount, pageSize 200, nextPageKey null and the default fields, newest first", async () => {
    const r = await list("");
    expect(r.status).toBe(200);
    expect(r.body.totalCount).toBe(6);
    expect(r.body.pageSize).toBe(200);
    expect(r.body.nextPageKey).toBeNull();
    expect(names(r.body)).toEqual(["sandbox-bootstrap", "echo", "delta", "charlie", "Bravo", "alpha"]);
    for (const t of r.body.apiTokens)
      expect(Object.keys(t)).toEqual(["id", "name", "enabled", "owner", "creationDate"]);
  });
});

describe("fields", () => {
  it.each([
    ["%2Bscopes", ["id", "name", "enabled", "owner", "creationDate", "scopes"]],
    ["+scopes", ["id", "name", "enabled", "owner", "creationDate", "scopes"]], // + decoded as a space
    ["%2Bscopes,-creationDate", ["id", "name", "enabled", "owner", "scopes"]],
    ["-creationDate,-owner", ["id", "name", "enabled"]],
    ["owner,expirationDate", ["id", "owner", "expirationDate"]],
    ["name", ["id", "name"]],
    ["-id", ["id", "name", "enabled", "owner", "creationDate"]],
    ["name,%2Bscopes", ["id", "name", "enabled", "owner", "creationDate", "scopes"]],
  ])("fields=%s", async (fields, keys) => {
    const r = await list(
      `?fields=${fields}&apiTokenSelector=${encodeURIComponent('owner("we\\"ird\\\\owner")')}`,
    );
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.apiTokens[0])).toEqual(keys);
  });

  it("can ask for every field; absent values are omitted, not null", async () => {
    const all = API_TOKEN_FIELDS.join(",");
    const r = await list(`?fields=${all}&sort=name`);
    const echo = r.body.apiTokens.find((t: { name: string }) => t.name === "echo");
    expect(echo).toEqual({
      id: seeded[4]!.id,
      name: "echo",
      enabled: false,
      personalAccessToken: false,
      owner: "bob",
      creationDate: new Date(NOW - 6 * DAY).toISOString(),
      scopes: [],
    });
  });

  it("rejects an unknown field with a violation naming fields", async () => {
    const r = await list("?fields=%2Bsecret");
    expect(r.status).toBe(400);
    expect(r.body.error.constraintViolations).toEqual([
      expect.objectContaining({
        path: "fields",
        parameterLocation: "QUERY",
        message: expect.stringContaining("secret"),
      }),
    ]);
  });
});

describe("apiTokenSelector", () => {
  const sel = (s: string) => list(`?apiTokenSelector=${encodeURIComponent(s)}&sort=name`);

  it.each([
    ['owner("alice")', ["alpha", "delta"]],
    ['owner("Alice")', []],
    ['owner("we\\"ird\\\\owner")', ["charlie"]],
    ["personalAccessToken(true)", ["Bravo", "delta"]],
    ["personalAccessToken(false)", ["alpha", "charlie", "echo", "sandbox-bootstrap"]],
    ['scope("metrics.read")', ["alpha", "Bravo"]],
    ['scope("logs.ingest","settings.write")', ["Bravo", "delta"]],
    ['owner("alice"),personalAccessToken(true)', ["delta"]],
    [' owner( "bob" ) , scope( "metrics.read" ) ', ["Bravo"]],
    ['scope("metrics.read"),scope("logs.ingest")', ["Bravo"]],
    ['scope("ViewDashboard")', ["charlie"]],
    ['owner("alice"),owner("bob")', []],
  ])("%s", async (selector, expected) => {
    const r = await sel(selector);
    expect(r.status, r.text).toBe(200);
    expect(names(r.body)).toEqual(expected);
    expect(r.body.totalCount).toBe(expected.length);
  });

  it.each([
    'name("x")',
    "owner(alice)",
    'owner("alice"',
    'owner("a","b")',
    "personalAccessToken(maybe)",
    'owner("alice");scope("x")',
    'owner("unterminated)',
    'owner("trailing\\',
    ",",
  ])("rejects %s with a violation naming apiTokenSelector", async (selector) => {
    const r = await sel(selector);
    expect(r.status).toBe(400);
    expect(r.body.error.constraintViolations).toEqual([
      expect.objectContaining({ path: "apiTokenSelector", parameterLocation: "QUERY" }),
    ]);
  });
});

describe("from / to (lastUsedDate)", () => {
  it.each([
    ["?from=now-2d", ["sandbox-bootstrap", "delta", "alpha"]],
    ["?from=now-2d&to=now-1h", ["alpha"]],
    ["?to=now-30d", ["Bravo"]],
    [`?from=${NOW - 2 * DAY}`, ["sandbox-bootstrap", "delta", "alpha"]],
    [
      `?from=${encodeURIComponent(new Date(NOW - 2 * DAY).toISOString())}`,
      ["sandbox-bootstrap", "delta", "alpha"],
    ],
    ["?from=2025-06-09T15:30", ["sandbox-bootstrap", "delta", "alpha"]],
    ["?from=2025-06-09 15:30:00.000", ["sandbox-bootstrap", "delta", "alpha"]],
    ["?from=2025-06-09T17:30:00%2B02:00", ["sandbox-bootstrap", "delta", "alpha"]],
    ["?from=2025-06-09T17:30:00+02:00", ["sandbox-bootstrap", "delta", "alpha"]], // + decoded as a space
    ["?from=now-1d/d", ["sandbox-bootstrap", "delta", "alpha"]], // aligned to 2025-06-10T00:00
    ["?from=now/w", ["sandbox-bootstrap", "delta", "alpha"]], // Monday 2025-06-09
    ["?from=now-1M", ["sandbox-bootstrap", "delta", "alpha"]],
    ["?from=now-1y", ["sandbox-bootstrap", "delta", "alpha", "Bravo"]],
  ])("%s", async (query, expected) => {
    const r = await list(`${query}${query ? "&" : "?"}sort=-lastUsedDate`);
    expect(r.status, r.text).toBe(200);
    expect(names(r.body)).toEqual(expected);
  });

  it.each(["?from=yesterday", "?to=now-1q", "?from=2025-02-30", "?from=now-2d&to=now-3d"])(
    "rejects %s",
    async (query) => {
      const r = await list(query);
      expect(r.status).toBe(400);
      const v = r.body.error.constraintViolations[0];
      expect(["from", "to"]).toContain(v.path);
      expect(v.parameterLocation).toBe("QUERY");
    },
  );
});

describe("sort (ties, such as never used, in insertion order; reversed for -)", () => {
  it.each([
    ["name", ["alpha", "Bravo", "charlie", "delta", "echo", "sandbox-bootstrap"]],
    ["%2Bname", ["alpha", "Bravo", "charlie", "delta", "echo", "sandbox-bootstrap"]],
    ["+name", ["alpha", "Bravo", "charlie", "delta", "echo", "sandbox-bootstrap"]],
    ["-name", ["sandbox-bootstrap", "echo", "delta", "charlie", "Bravo", "alpha"]],
    ["creationDate", ["alpha", "Bravo", "charlie", "delta", "echo", "sandbox-bootstrap"]],
    ["-creationDate", ["sandbox-bootstrap", "echo", "delta", "charlie", "Bravo", "alpha"]],
    ["%2BlastUsedDate", ["charlie", "echo", "Bravo", "alpha", "delta", "sandbox-bootstrap"]],
    ["-lastUsedDate", ["sandbox-bootstrap", "delta", "alpha", "Bravo", "echo", "charlie"]],
    ["expirationDate", ["Bravo", "charlie", "sandbox-bootstrap", "alpha", "delta", "echo"]],
    ["-expirationDate", ["echo", "delta", "alpha", "sandbox-bootstrap", "charlie", "Bravo"]],
    ["modifiedDate", ["sandbox-bootstrap", "alpha", "Bravo", "echo", "delta", "charlie"]],
    ["-modifiedDate", ["charlie", "delta", "echo", "Bravo", "alpha", "sandbox-bootstrap"]],
  ])("sort=%s", async (sort, expected) => {
    const r = await list(`?sort=${sort}`);
    expect(r.status, r.text).toBe(200);
    expect(names(r.body)).toEqual(expected);
  });

  it.each(["owner", "*name", "name,creationDate", "--name"])("rejects sort=%s", async (sort) => {
    const r = await list(`?sort=${encodeURIComponent(sort)}`);
    expect(r.status).toBe(400);
    expect(r.body.error.constraintViolations[0]).toMatchObject({ path: "sort", parameterLocation: "QUERY" });
  });
});

describe("pageSize", () => {
  it.each(["100", "10000", "250"])("accepts %s", async (size) => {
    const r = await list(`?pageSize=${size}`);
    expect(r.status).toBe(200);
    expect(r.body.pageSize).toBe(Number(size));
  });

  it.each(["99", "0", "10001", "-5", "abc", "150.5", ""])("rejects pageSize=%s", async (size) => {
    const r = await list(`?pageSize=${size}`);
    expect(r.status).toBe(400);
    expect(r.body.error.constraintViolations[0]).toMatchObject({
      path: "pageSize",
      parameterLocation: "QUERY",
    });
  });

  it("reports every bad parameter at once", async () => {
    const r = await list("?pageSize=5&sort=x&fields=nope&from=never");
    expect(r.status).toBe(400);
    expect(r.body.error.constraintViolations.map((v: { path: string }) => v.path).sort()).toEqual([
      "fields",
      "from",
      "pageSize",
      "sort",
    ]);
  });
});

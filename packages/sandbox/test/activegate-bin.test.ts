/**
 * ActiveGate tokens and ActiveGates against the bin (a separate process, a database file): every
 * operation over both prefixes and both credential kinds, the limits and refusals, the simulated
 * ActiveGates and their token states, the sandbox-only connect route, and Dynatrace's own SDK.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AccessTokensActiveGateTokensClient,
  ActiveGatesClient,
  isErrorEnvelopeError,
} from "@dynatrace-sdk/client-classic-environment-v2";
import { PlatformHttpClient } from "@dynatrace-sdk/http-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addActiveGates, type SandboxProcess, seedActiveGateTokens, seedTokens } from "../src/index.js";
import { PlatformStore } from "../src/platform-store.js";
import { TokenStore } from "../src/store.js";
import { validateResponse } from "./helpers.js";
import { startBin } from "./process.js";

const PLATFORM = "/platform/classic/environment-api/v2";
const DAY = 86_400_000;
const CLASSIC = [
  "activeGateTokenManagement.read",
  "activeGateTokenManagement.create",
  "activeGateTokenManagement.write",
  "activeGates.read",
];
const PLATFORM_SCOPES = [
  "environment-api:activegate-tokens:read",
  "environment-api:activegate-tokens:create",
  "environment-api:activegate-tokens:write",
  "environment-api:activegates:read",
];

let dir: string;
let db: string;
let bin: SandboxProcess;
let classic: string;
let platform: string;

function platformToken(scopes: string[]): string {
  const store = new TokenStore(db);
  try {
    return new PlatformStore(store).putPlatformToken({ owner: "carol@example.com", scopes }, Date.now())
      .token;
  } finally {
    store.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dt-activegate-bin-"));
  db = join(dir, "tokens.db");
  bin = await startBin(["--db", db, "--quiet"]);
  classic = seedTokens(db, [{ name: "ag-admin", scopes: CLASSIC }])[0]!.token;
  platform = platformToken(PLATFORM_SCOPES);
});
afterAll(async () => {
  await bin?.close();
  await rm(dir, { recursive: true, force: true });
});

const credentials = () => [
  { prefix: "/api/v2", authorization: `Api-Token ${classic}`, owner: "admin" },
  { prefix: `/e/${bin.ready.environmentId}/api/v2`, authorization: `Api-Token ${classic}`, owner: "admin" },
  { prefix: PLATFORM, authorization: `Bearer ${platform}`, owner: "carol@example.com" },
];

// biome-ignore lint/suspicious/noExplicitAny: tests read bodies freely
async function call(
  prefix: string,
  authorization: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(`${bin.ready.url}${prefix}${path}`, {
    method,
    headers: { authorization, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
}

describe("every operation, both prefixes and credential kinds", () => {
  it.each(["/api/v2", "/e/<environmentId>/api/v2", PLATFORM])("%s", async (template) => {
    const prefix = template.replace("<environmentId>", bin.ready.environmentId);
    const { authorization, owner } = credentials().find((c) => c.prefix === prefix)!;
    const created = await call(prefix, authorization, "POST", "/activeGateTokens", {
      name: "edge",
      activeGateType: "ENVIRONMENT",
      expirationDate: "now+60d",
      seedToken: false,
      unknownField: true,
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body.token).toMatch(/^dt0g02\.[A-Z2-7]{8}\.[A-Z2-7]{64}$/);
    expect(created.body.token.startsWith(`${created.body.id}.`)).toBe(true);
    const got = await call(prefix, authorization, "GET", `/activeGateTokens/${created.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      id: created.body.id,
      name: "edge",
      owner,
      activeGateType: "ENVIRONMENT",
      seedToken: false,
    });
    expect(got.text).not.toContain(created.body.token);
    const list = await call(prefix, authorization, "GET", "/activeGateTokens");
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ pageSize: 100, nextPageKey: null });
    expect(list.body.activeGateTokens.map((t: { id: string }) => t.id)).toContain(created.body.id);
    const deleted = await call(prefix, authorization, "DELETE", `/activeGateTokens/${created.body.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    const gone = await call(prefix, authorization, "GET", `/activeGateTokens/${created.body.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error).toMatchObject({ code: 404 });
    const enforcement = await call(prefix, authorization, "GET", "/activeGates/tokenEnforcement");
    expect(enforcement.body).toEqual({ manualEnforced: false, autoEnforced: false });
    for (const r of [created, got, list, gone, enforcement]) expect(r.status).not.toBe(500);
  });
});

describe("limits and refusals", () => {
  const api = (method: string, path: string, body?: unknown) =>
    call("/api/v2", `Api-Token ${classic}`, method, path, body);

  it("pageSize 100..3000, nextPageKey alone and only as issued", async () => {
    for (const bad of ["99", "3001", "abc", "1e3"]) {
      const r = await api("GET", `/activeGateTokens?pageSize=${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.body.error.constraintViolations[0]).toMatchObject({
        path: "pageSize",
        parameterLocation: "QUERY",
      });
    }
    expect((await api("GET", "/activeGateTokens?pageSize=3000")).status).toBe(200);
    seedActiveGateTokens(
      db,
      Array.from({ length: 120 }, (_, i) => ({ name: `bulk-${i}` })),
    );
    const first = await api("GET", "/activeGateTokens?pageSize=100");
    expect(first.body.activeGateTokens).toHaveLength(100);
    const key = first.body.nextPageKey as string;
    expect(typeof key).toBe("string");
    const mixed = await api("GET", `/activeGateTokens?nextPageKey=${encodeURIComponent(key)}&pageSize=100`);
    expect(mixed.status).toBe(400);
    expect(mixed.body.error.constraintViolations[0].message).toContain(
      "must be omitted when nextPageKey is set",
    );
    const forged = await api("GET", `/activeGateTokens?nextPageKey=${encodeURIComponent(`${key}x`)}`);
    expect(forged.status).toBe(400);
    const second = await api("GET", `/activeGateTokens?nextPageKey=${encodeURIComponent(key)}`);
    expect(second.status).toBe(200);
    const ids = [...first.body.activeGateTokens, ...second.body.activeGateTokens].map(
      (t: { id: string }) => t.id,
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(second.body.totalCount).toBe(first.body.totalCount);
  });

  it("a page key continues only the list that issued it (one key scheme for both lists)", async () => {
    seedTokens(
      db,
      Array.from({ length: 101 }, (_, i) => ({ name: `paged-${i}`, scopes: ["metrics.read"] })),
    );
    const admin = seedTokens(db, [{ name: "api-admin", scopes: ["apiTokens.read"] }])[0]!.token;
    const apiPage = await call("/api/v2", `Api-Token ${admin}`, "GET", "/apiTokens?pageSize=100");
    expect(apiPage.status, JSON.stringify(apiPage.body)).toBe(200);
    const apiKey = apiPage.body.nextPageKey as string;
    const agPage = await api("GET", "/activeGateTokens?pageSize=100");
    const agKey = agPage.body.nextPageKey as string;
    expect(typeof apiKey).toBe("string");
    expect(typeof agKey).toBe("string");
    const apiKeyOnAg = await api("GET", `/activeGateTokens?nextPageKey=${encodeURIComponent(apiKey)}`);
    expect(apiKeyOnAg.status).toBe(400);
    expect(apiKeyOnAg.body.error.constraintViolations[0]).toMatchObject({
      path: "nextPageKey",
      parameterLocation: "QUERY",
    });
    const agKeyOnApi = await call(
      "/api/v2",
      `Api-Token ${admin}`,
      "GET",
      `/apiTokens?nextPageKey=${encodeURIComponent(agKey)}`,
    );
    expect(agKeyOnApi.status).toBe(400);
    expect(agKeyOnApi.body.error.constraintViolations[0].message).toContain(
      "is not a key this sandbox issued",
    );
    const apiNext = await call(
      "/api/v2",
      `Api-Token ${admin}`,
      "GET",
      `/apiTokens?nextPageKey=${encodeURIComponent(apiKey)}`,
    );
    expect(apiNext.status).toBe(200);
  });

  it("create: name and activeGateType required, expiry neither past nor beyond 2 years", async () => {
    const missing = await api("POST", "/activeGateTokens", {});
    expect(missing.status).toBe(400);
    expect(missing.body.error.constraintViolations.map((v: { path: string }) => v.path).sort()).toEqual([
      "activeGateType",
      "name",
    ]);
    const wrongType = await api("POST", "/activeGateTokens", { name: "x", activeGateType: "PLANET" });
    expect(wrongType.body.error.constraintViolations[0].message).toContain("ENVIRONMENT, CLUSTER");
    const past = await api("POST", "/activeGateTokens", {
      name: "x",
      activeGateType: "CLUSTER",
      expirationDate: "now-1d",
    });
    expect(past.status).toBe(400);
    expect(past.body.error.constraintViolations[0]).toMatchObject({
      path: "expirationDate",
      message: "must be in the future",
    });
    const far = await api("POST", "/activeGateTokens", {
      name: "x",
      activeGateType: "CLUSTER",
      expirationDate: new Date(Date.now() + 800 * DAY).toISOString(),
    });
    expect(far.status).toBe(400);
    expect(far.body.error.constraintViolations[0].message).toContain("2 years");
    const ok = await api("POST", "/activeGateTokens", {
      name: "x",
      activeGateType: "CLUSTER",
      expirationDate: "now+700d",
    });
    expect(ok.status).toBe(201);
    const seedByString = await api("POST", "/activeGateTokens", {
      name: "x",
      activeGateType: "CLUSTER",
      seedToken: "false",
    });
    expect(seedByString.status).toBe(400);
  });

  it("ids: a malformed id or a secret in the path is a 400, an unknown id a 404; a missing scope a 403", async () => {
    const [token] = seedActiveGateTokens(db, [{ name: "addressed" }]);
    const bySecret = await api("GET", `/activeGateTokens/${token!.token}`);
    expect(bySecret.status).toBe(400);
    expect(bySecret.text).not.toContain(token!.token.slice(16));
    expect((await api("GET", "/activeGateTokens/dt0c01.ABC")).status).toBe(400);
    const unknown = await api("DELETE", "/activeGateTokens/dt0g02.AAAAAAAA");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain("dt0g02.AAAAAAAA");
    const reader = seedTokens(db, [{ name: "reader", scopes: ["activeGateTokenManagement.read"] }])[0]!.token;
    const denied = await call("/api/v2", `Api-Token ${reader}`, "DELETE", `/activeGateTokens/${token!.id}`);
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe(
      "Token is missing required scope. Use one of: activeGateTokenManagement.write (Write ActiveGate tokens)",
    );
    const noAuth = await fetch(`${bin.ready.url}/api/v2/activeGateTokens`);
    expect(noAuth.status).toBe(401);
  });
});

describe("simulated ActiveGates", () => {
  it("report their token's state, filter by tokenState and tokenExpirationSet, and switch tokens through the sandbox route", async () => {
    const now = Date.now();
    const [valid, expiring, expired, forever, next] = seedActiveGateTokens(db, [
      { name: "valid", expirationDate: now + 200 * DAY },
      { name: "expiring", expirationDate: now + 10 * DAY },
      { name: "expired", expirationDate: now - DAY },
      { name: "forever" },
      { name: "next", expirationDate: now + 300 * DAY },
    ]);
    const gates = addActiveGates(db, [
      { hostname: "ag-valid.example.com", token: valid!.token },
      { hostname: "ag-expiring.example.com", token: expiring!.token },
      { hostname: "ag-expired.example.com", token: expired!.token },
      { hostname: "ag-forever.example.com", token: forever!.token, offlineSince: now - DAY },
      { hostname: "ag-none.example.com" },
    ]);
    const list = async (query = "") => {
      const res = await fetch(`${bin.ready.url}/api/v2/activeGates${query}`, {
        headers: { authorization: `Api-Token ${classic}` },
      });
      const text = await res.text();
      validateResponse("GET", `/activeGates${query}`, res.status, res.headers, text);
      return JSON.parse(text) as {
        activeGates: {
          id: string;
          hostname: string;
          offlineSince: number | null;
          activeGateTokens: { id?: string; state: string }[];
        }[];
      };
    };
    const byHost = new Map((await list()).activeGates.map((g) => [g.hostname, g]));
    expect(byHost.get("ag-valid.example.com")!.activeGateTokens).toEqual([{ id: valid!.id, state: "VALID" }]);
    expect(byHost.get("ag-expiring.example.com")!.activeGateTokens[0]!.state).toBe("EXPIRING");
    expect(byHost.get("ag-expired.example.com")!.activeGateTokens[0]!.state).toBe("INVALID");
    expect(byHost.get("ag-none.example.com")!.activeGateTokens).toEqual([{ state: "ABSENT" }]);
    expect(byHost.get("ag-forever.example.com")!.offlineSince).toBe(now - DAY);
    expect((await list("?tokenState=EXPIRING")).activeGates.map((g) => g.hostname)).toEqual([
      "ag-expiring.example.com",
    ]);
    expect((await list("?tokenExpirationSet=false")).activeGates.map((g) => g.hostname).sort()).toEqual([
      "ag-forever.example.com",
      "ag-none.example.com",
    ]);
    const bad = await call("/api/v2", `Api-Token ${classic}`, "GET", "/activeGates?tokenState=GOOD");
    expect(bad.status).toBe(400);

    // the ActiveGate restarts with the next token: it reports it VALID; deleting its token makes it INVALID
    const gate = gates.find((g) => g.hostname === "ag-expiring.example.com")!;
    const connect = (secret: string) =>
      fetch(`${bin.ready.url}/sandbox/activeGates/${gate.id}/connect`, {
        method: "POST",
        headers: { authorization: `Api-Token ${secret}` },
      });
    const switched = await connect(next!.token);
    expect(switched.status).toBe(200);
    expect((await switched.json()).activeGateTokens).toEqual([{ id: next!.id, state: "VALID" }]);
    const wrong = await connect(`${next!.id}.${"A".repeat(64)}`);
    expect((await wrong.json()).activeGateTokens).toEqual([{ id: next!.id, state: "INVALID" }]);
    expect((await connect(classic)).status).toBe(401);
    await connect(next!.token);
    expect(
      (await call("/api/v2", `Api-Token ${classic}`, "GET", `/activeGateTokens/${next!.id}`)).body
        .lastUsedDate,
    ).toBeDefined();
    await call("/api/v2", `Api-Token ${classic}`, "DELETE", `/activeGateTokens/${next!.id}`);
    const after = await call("/api/v2", `Api-Token ${classic}`, "GET", `/activeGates/${gate.id}`);
    expect(after.body.activeGateTokens).toEqual([{ id: next!.id, state: "INVALID" }]);
  });
});

describe("Dynatrace's SDK (client-classic-environment-v2 5.2.3) against the bin", () => {
  it("lists, creates, gets and deletes ActiveGate tokens and lists ActiveGates, with a platform token", async () => {
    const httpClient = new PlatformHttpClient({
      baseUrl: bin.ready.url,
      defaultHeaders: { Authorization: `Bearer ${platform}` },
    });
    const tokens = new AccessTokensActiveGateTokensClient(httpClient);
    const created = await tokens.createToken({
      body: { name: "sdk-made", activeGateType: "ENVIRONMENT", seedToken: true },
    });
    expect(created.token.startsWith(created.id)).toBe(true);
    const got = await tokens.getToken({ activeGateTokenIdentifier: created.id });
    expect(got).toMatchObject({ name: "sdk-made", seedToken: true, owner: "carol@example.com" });
    const page = await tokens.listTokens({ pageSize: 100 });
    expect(page.activeGateTokens?.some((t) => t.id === created.id)).toBe(true);
    await tokens.revokeToken({ activeGateTokenIdentifier: created.id });
    const missing = await tokens.getToken({ activeGateTokenIdentifier: created.id }).catch((e) => e);
    expect(isErrorEnvelopeError(missing)).toBe(true);
    expect(missing.response.status).toBe(404);
    const gates = await new ActiveGatesClient(httpClient).getAllActiveGates({ tokenState: "VALID" });
    expect(Array.isArray(gates.activeGates)).toBe(true);
    const readOnly = new AccessTokensActiveGateTokensClient(
      new PlatformHttpClient({
        baseUrl: bin.ready.url,
        defaultHeaders: {
          Authorization: `Bearer ${platformToken(["environment-api:activegate-tokens:read"])}`,
        },
      }),
    );
    const denied = await readOnly
      .createToken({ body: { name: "x", activeGateType: "ENVIRONMENT" } })
      .catch((e) => e);
    expect(isErrorEnvelopeError(denied)).toBe(true);
    expect(denied.response.status).toBe(403);
  });
});

describe("--seed-demo", () => {
  it("seeds environment and cluster tokens, a seed token, never-expiring, expiring, expired and unused ones, and ActiveGates using them", async () => {
    const demoDir = await mkdtemp(join(tmpdir(), "dt-activegate-demo-"));
    const demoDb = join(demoDir, "tokens.db");
    const demo = await startBin(["--db", demoDb, "--quiet", "--seed-demo", "5"]);
    try {
      const admin = seedTokens(demoDb, [{ name: "admin", scopes: CLASSIC }])[0]!.token;
      const get = async (path: string) =>
        (
          await fetch(`${demo.ready.url}/api/v2${path}`, { headers: { authorization: `Api-Token ${admin}` } })
        ).json();
      const tokens = (await get("/activeGateTokens")).activeGateTokens as {
        id: string;
        activeGateType: string;
        seedToken: boolean;
        expirationDate?: string;
        lastUsedDate?: string;
      }[];
      const now = Date.now();
      const left = (t: (typeof tokens)[number]) =>
        t.expirationDate ? Date.parse(t.expirationDate) - now : Infinity;
      expect(tokens.some((t) => t.activeGateType === "CLUSTER")).toBe(true);
      expect(tokens.some((t) => t.activeGateType === "ENVIRONMENT")).toBe(true);
      expect(tokens.some((t) => t.seedToken)).toBe(true);
      expect(tokens.some((t) => t.expirationDate === undefined)).toBe(true);
      expect(tokens.some((t) => left(t) > 0 && left(t) < 30 * DAY)).toBe(true);
      expect(tokens.some((t) => left(t) < 0)).toBe(true);
      const gates = (await get("/activeGates")).activeGates as {
        hostname: string;
        activeGateTokens: { id: string; state: string }[];
      }[];
      const used = new Set(gates.flatMap((g) => g.activeGateTokens.map((t) => t.id)));
      expect(tokens.some((t) => !used.has(t.id))).toBe(true);
      expect(gates.map((g) => [g.hostname, g.activeGateTokens[0]!.state]).sort()).toEqual([
        ["ag-dmz.example.com", "VALID"],
        ["ag-legacy.example.com", "INVALID"],
        ["ag-prod-01.example.com", "VALID"],
        ["ag-prod-02.example.com", "EXPIRING"],
      ]);
      expect(await get("/activeGates/tokenEnforcement")).toMatchObject({ autoEnforced: true });
    } finally {
      await demo.close();
      await rm(demoDir, { recursive: true, force: true });
    }
  });
});

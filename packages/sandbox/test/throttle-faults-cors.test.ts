import { afterEach, describe, expect, it } from "vitest";
import { Faults } from "../src/faults.js";
import type { RequestLogEntry } from "../src/index.js";
import { api, start } from "./helpers.js";

let sandbox: Awaited<ReturnType<typeof start>> | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe("throttling", () => {
  it("answers 429 with an ErrorEnvelope and Retry-After once a token's bucket is empty, per token", async () => {
    // 1 request per 100 s refills nothing during the test: no timing involved
    sandbox = await start({ throttle: { requestsPerSecond: 0.01, burst: 2 } });
    const [other] = sandbox.seed([{ name: "other", scopes: ["apiTokens.read"] }]);
    expect((await api(sandbox, "GET", "/apiTokens", { token: sandbox.token })).status).toBe(200);
    expect((await api(sandbox, "GET", "/apiTokens", { token: sandbox.token })).status).toBe(200);
    const limited = await api(sandbox, "GET", "/apiTokens", { token: sandbox.token });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(limited.body.error.code).toBe(429);
    // the same token by the query parameter shares the bucket; another token has its own
    expect((await api(sandbox, "GET", `/apiTokens?api-token=${sandbox.token}`)).status).toBe(429);
    expect((await api(sandbox, "GET", "/apiTokens", { token: other!.token })).status).toBe(200);
    // a throttled create writes nothing
    const before = sandbox.tokenCount();
    const create = await api(sandbox, "POST", "/apiTokens", {
      token: sandbox.token,
      body: { name: "n", scopes: ["metrics.read"] },
    });
    expect(create.status).toBe(429);
    expect(sandbox.tokenCount()).toBe(before);
  });

  it("can be switched on and off while running", async () => {
    sandbox = await start();
    sandbox.setThrottle({ requestsPerSecond: 0.01, burst: 1 });
    expect((await api(sandbox, "GET", "/apiTokens", { token: sandbox.token })).status).toBe(200);
    expect((await api(sandbox, "GET", "/apiTokens", { token: sandbox.token })).status).toBe(429);
    sandbox.setThrottle(undefined);
    expect((await api(sandbox, "GET", "/apiTokens", { token: sandbox.token })).status).toBe(200);
  });

  it("rejects nonsense options", async () => {
    await expect(start({ throttle: { requestsPerSecond: 0 } })).rejects.toThrow(/requestsPerSecond/);
  });
});

describe("fault injection", () => {
  async function statuses(seed: number, n: number): Promise<number[]> {
    const s = await start({ faults: { seed, errorRate: 0.3 } });
    try {
      const out: number[] = [];
      for (let i = 0; i < n; i++)
        out.push((await api(s, "GET", "/apiTokens", { token: s.token, faults: true })).status);
      return out;
    } finally {
      await s.close();
    }
  }

  it("injects 500 and 503 at the configured rate, and repeats with the same seed", async () => {
    const a = await statuses(42, 60);
    const b = await statuses(42, 60);
    const c = await statuses(43, 60);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.filter((s) => s === 200).length).toBeGreaterThan(20);
    expect(a.some((s) => s === 500)).toBe(true);
    expect(a.some((s) => s === 503)).toBe(true);
    expect(new Set(a)).toEqual(new Set([200, 500, 503]));
  });

  it("sends Retry-After with injected 503s and writes nothing when a fault hits", async () => {
    sandbox = await start({ faults: { errorRate: 1, errorStatuses: [503], retryAfterSeconds: 2 } });
    const before = sandbox.tokenCount();
    const r = await api(sandbox, "POST", "/apiTokens", {
      token: sandbox.token,
      body: { name: "n", scopes: ["metrics.read"] },
      faults: true,
    });
    expect(r.status).toBe(503);
    expect(r.headers.get("retry-after")).toBe("2");
    expect(r.body.error.message).toContain("Injected");
    expect(sandbox.tokenCount()).toBe(before);
  });

  it("drops connections without a response", async () => {
    sandbox = await start({ faults: { dropRate: 1 } });
    await expect(
      fetch(`${sandbox.apiBase}/apiTokens`, { headers: { authorization: `Api-Token ${sandbox.token}` } }),
    ).rejects.toThrow();
    sandbox.setFaults(undefined);
    expect((await api(sandbox, "GET", "/apiTokens", { token: sandbox.token })).status).toBe(200);
  });

  it("adds latency and still answers", async () => {
    sandbox = await start({ faults: { latencyMs: [1, 5] } });
    expect((await api(sandbox, "GET", "/apiTokens", { token: sandbox.token })).status).toBe(200);
  });

  it("draws the same decisions from the same seed (latency within its range)", () => {
    const a = new Faults({ seed: 9, errorRate: 0.2, dropRate: 0.1, latencyMs: [10, 20] });
    const b = new Faults({ seed: 9, errorRate: 0.2, dropRate: 0.1, latencyMs: [10, 20] });
    const da = Array.from({ length: 200 }, () => a.next());
    const db = Array.from({ length: 200 }, () => b.next());
    expect(da).toEqual(db);
    for (const d of da) expect(d.latencyMs).toBeGreaterThanOrEqual(10);
    for (const d of da) expect(d.latencyMs).toBeLessThanOrEqual(20);
    const kinds = new Set(da.map((d) => d.kind));
    expect(kinds).toEqual(new Set(["none", "drop", "error"]));
  });

  it.each([
    [{ errorRate: 1.5 }, /errorRate/],
    [{ dropRate: -1 }, /dropRate/],
    [{ errorStatuses: [404] }, /errorStatuses/],
    [{ latencyMs: [5, 1] as [number, number] }, /latencyMs/],
  ])("rejects %j", (options, message) => {
    expect(() => new Faults(options)).toThrow(message);
  });
});

describe("CORS", () => {
  it("answers preflights and marks responses for allowed origins only", async () => {
    sandbox = await start({ cors: { origins: ["http://localhost:5173"] } });
    const preflight = await fetch(`${sandbox.apiBase}/apiTokens`, {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:5173",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("DELETE");

    const ok = await api(sandbox, "GET", "/apiTokens", {
      token: sandbox.token,
      headers: { origin: "http://localhost:5173" },
    });
    expect(ok.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(ok.headers.get("access-control-expose-headers")).toContain("Retry-After");
    const denied = await api(sandbox, "GET", "/apiTokens", { headers: { origin: "http://localhost:5173" } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");

    const other = await api(sandbox, "GET", "/apiTokens", {
      token: sandbox.token,
      headers: { origin: "https://evil.example" },
    });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("sends no CORS headers unless configured; * allows any origin", async () => {
    sandbox = await start();
    const none = await api(sandbox, "GET", "/apiTokens", {
      token: sandbox.token,
      headers: { origin: "http://localhost:5173" },
    });
    expect(none.headers.get("access-control-allow-origin")).toBeNull();
    await sandbox.close();
    sandbox = await start({ cors: { origins: "*" } });
    const any = await api(sandbox, "GET", "/apiTokens", {
      token: sandbox.token,
      headers: { origin: "https://x.example" },
    });
    expect(any.headers.get("access-control-allow-origin")).toBe("*");
  });
});

describe("request log", () => {
  it("names the calling token by id, masks secrets in paths, drops query strings, and marks throttles and faults", async () => {
    const entries: RequestLogEntry[] = [];
    sandbox = await start({ log: (e) => entries.push(e) });
    const created = (
      await api(sandbox, "POST", "/apiTokens", {
        token: sandbox.token,
        body: { name: "n", scopes: ["metrics.read"] },
      })
    ).body;
    await api(sandbox, "GET", `/apiTokens?api-token=${created.token}`);
    await api(sandbox, "POST", "/apiTokens/lookup", { token: sandbox.token, body: { token: created.token } });
    await api(sandbox, "DELETE", `/apiTokens/${created.token}`, { token: sandbox.token });
    await api(sandbox, "GET", `/nowhere/${sandbox.token}`);
    sandbox.setThrottle({ requestsPerSecond: 0.01, burst: 1 });
    await api(sandbox, "GET", "/apiTokens", { token: sandbox.token });
    await api(sandbox, "GET", "/apiTokens", { token: sandbox.token });
    sandbox.setThrottle(undefined);
    sandbox.setFaults({ errorRate: 1 });
    await api(sandbox, "GET", "/apiTokens", { token: sandbox.token, faults: true });

    const text = JSON.stringify(entries);
    for (const secret of [sandbox.token, created.token]) expect(text).not.toContain(secret.slice(32));
    expect(text).not.toContain("api-token=");
    const id = sandbox.token.slice(0, 31);
    expect(entries[0]).toMatchObject({ method: "POST", path: "/api/v2/apiTokens", status: 201, tokenId: id });
    expect(entries[1]).toMatchObject({ path: "/api/v2/apiTokens", status: 403, tokenId: created.id });
    expect(entries[3]).toMatchObject({
      method: "DELETE",
      path: `/api/v2/apiTokens/${created.id}.********`,
      status: 204,
    });
    expect(entries[4]!.path).toBe(`/api/v2/********/${id}.********`);
    expect(entries.map((e) => e.event).filter(Boolean)).toEqual(["throttled", "fault-error"]);
  });
});

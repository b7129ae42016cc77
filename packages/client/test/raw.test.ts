// `raw`, the openapi-fetch client: each raw request is its own call (signal, state, URL), and the
// per-request init and the response's url/redirected get through. Against a real node:http server.
import { afterEach, describe, expect, test } from "vitest";
import {
  AbortError,
  ConnectionError,
  createApiTokensClient,
  RedirectError,
  TimeoutError,
} from "../src/index.js";
import { deadPort, dtError, json, makeSecret, startServer, type TestServer } from "./helpers.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const dtFor = (url: string, extra: Partial<Parameters<typeof createApiTokensClient>[0]> = {}) =>
  createApiTokensClient({ environmentUrl: url, token: makeSecret().secret, retryDelayMs: 1, ...extra });

describe("raw honours the caller's signal", () => {
  test("an abort while the request is in flight rejects with AbortError, the reason as cause", async () => {
    server = await startServer(() => {}); // never answers
    const dt = dtFor(server.url);
    const ctrl = new AbortController();
    const pending = dt.raw.GET("/apiTokens", { signal: ctrl.signal }).catch((e) => e);
    await server.waitFor(1);
    const reason = new Error("user pressed cancel");
    ctrl.abort(reason);
    const err = await pending;
    expect(err).toBeInstanceOf(AbortError);
    expect(err.cause).toBe(reason);
    expect(server.requests).toHaveLength(1);
  });

  test("an abort during a backoff wait stops the retries", async () => {
    server = await startServer((_r, res) => dtError(res, 503, "busy", {}, { "retry-after": "30" }));
    const dt = dtFor(server.url, { maxRetryDelayMs: 60_000 });
    const ctrl = new AbortController();
    const pending = dt.raw.GET("/apiTokens", { signal: ctrl.signal }).catch((e) => e);
    await server.waitFor(1);
    setTimeout(() => ctrl.abort(), 50);
    expect(await pending).toBeInstanceOf(AbortError);
    expect(server.requests).toHaveLength(1);
  });

  test("an already aborted signal sends nothing", async () => {
    server = await startServer((_r, res) => json(res, 200, { totalCount: 0 }));
    const err = await dtFor(server.url)
      .raw.GET("/apiTokens", { signal: AbortSignal.abort() })
      .catch((e) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect(server.requests).toHaveLength(0);
  });
});

describe("every raw request is its own call", () => {
  test("a failed raw POST does not mark later raw errors as outcome unknown", async () => {
    server = await startServer(() => {}); // never answers: every call times out
    const dt = dtFor(server.url, { maxRetries: 0, timeoutMs: 200 });
    const createErr = await dt.raw
      .POST("/apiTokens", { body: { name: "n", scopes: ["metrics.read"] } })
      .catch((e) => e);
    expect(createErr).toBeInstanceOf(TimeoutError);
    expect(createErr.outcomeUnknown).toBe(true); // the create may have been applied
    const getErr = await dt.raw.GET("/apiTokens").catch((e) => e);
    expect(getErr).toBeInstanceOf(TimeoutError);
    expect(getErr.outcomeUnknown).toBe(false); // a GET changes nothing, whatever came before
    expect(getErr.request).toEqual({ method: "GET", url: `${server.url}/api/v2/apiTokens` });
    const refused = await dtFor(await deadPort(), { maxRetries: 0 })
      .raw.DELETE("/apiTokens/{id}", { params: { path: { id: "x" } } })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(ConnectionError);
    expect(refused.outcomeUnknown).toBe(false); // refused: never sent
  });

  test("concurrent raw calls each report their own URL", async () => {
    server = await startServer((r) => {
      void r; // never answers: both calls time out together
    });
    const dt = dtFor(server.url, { maxRetries: 0, timeoutMs: 300 });
    const [a, b] = await Promise.all([
      dt.raw.GET("/apiTokens/{id}", { params: { path: { id: "first" } } }).catch((e) => e),
      dt.raw.GET("/apiTokens/{id}", { params: { path: { id: "second" } } }).catch((e) => e),
    ]);
    expect(a).toBeInstanceOf(TimeoutError);
    expect(b).toBeInstanceOf(TimeoutError);
    expect(a.request.url).toBe(`${server.url}/api/v2/apiTokens/first`);
    expect(b.request.url).toBe(`${server.url}/api/v2/apiTokens/second`);
  });
});

describe("raw passes per-request init through (but never follows a redirect)", () => {
  test("a redirect is a RedirectError, whatever redirect option the request asks for; nothing is sent where it points", async () => {
    server = await startServer((r, res) => {
      if (r.path.endsWith("/moved")) {
        res.writeHead(302, { location: "/api/v2/apiTokens" });
        return res.end();
      }
      json(res, 200, { totalCount: 3 });
    });
    const dt = dtFor(server.url);
    const raw = dt.raw as unknown as {
      GET(path: string, init?: RequestInit): Promise<{ data?: unknown; response: Response }>;
    };
    for (const redirect of [undefined, "follow", "manual"] as const) {
      const error = await raw.GET("/moved", redirect ? { redirect } : {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RedirectError);
      expect(error).toMatchObject({ status: 302, location: "/api/v2/apiTokens" });
    }
    expect(server.requests.map((r) => r.path)).toEqual(["/api/v2/moved", "/api/v2/moved", "/api/v2/moved"]);
    const plain = await raw.GET("/apiTokens");
    expect(plain.response.url).toBe(`${server.url}/api/v2/apiTokens`);
    expect(plain.response.redirected).toBe(false);
  });

  test("cache, credentials and keepalive reach fetch; redirect is always manual", async () => {
    server = await startServer((_r, res) => json(res, 200, { totalCount: 0 }));
    const seen: RequestInit[] = [];
    const recordingFetch: typeof fetch = (input, init) => {
      seen.push(init ?? {});
      return fetch(input, init);
    };
    const dt = dtFor(server.url, { fetch: recordingFetch });
    await dt.raw.GET("/apiTokens", {
      cache: "no-store",
      credentials: "omit",
      keepalive: true,
      redirect: "error",
    });
    expect(seen[0]).toMatchObject({
      cache: "no-store",
      credentials: "omit",
      keepalive: true,
      redirect: "manual",
    });
  });
});

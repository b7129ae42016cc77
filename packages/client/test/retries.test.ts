// Retries, timeouts and aborts, observed at the server: how many requests it saw and (for waits the
// server asked for) a generous lower bound on the gap between them. No upper bounds on wall time.
import type { ServerResponse } from "node:http";
import { afterEach, describe, expect, test } from "vitest";
import { backoff, serverDelay } from "../src/delays.js";
import {
  AbortError,
  ConnectionError,
  createApiTokensClient,
  NotFoundError,
  RateLimitError,
  ServerError,
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

/** Answers the scripted statuses in order, then 200/201/204 as fits the method. */
function script(...steps: (number | ((res: ServerResponse) => void))[]) {
  return (r: { method: string }, res: ServerResponse, n: number) => {
    const step = steps[n - 1];
    if (typeof step === "function") return step(res);
    if (step) return dtError(res, step, `status ${step}`);
    if (r.method === "POST")
      return json(res, r.method === "POST" ? 201 : 200, { id: "dt0c01.X", token: "t" });
    if (r.method === "GET") return json(res, 200, { totalCount: 0 });
    res.statusCode = 204;
    res.end();
  };
}
const hang = () => () => {}; // never answers (the client's timeout must fire)
/** A logger that counts attempts (one debug line each), for calls that never reach a server. */
function countAttempts() {
  const debug: string[] = [];
  return {
    logger: { debug: (m: string) => debug.push(m), warn: () => {} },
    attempts: () => debug.filter((m) => / \(attempt \d+\)$/.test(m)).length,
  };
}
const reset = (res: ServerResponse) => res.socket?.destroy(); // connection lost after the request arrived

describe("idempotent requests are retried", () => {
  test.each([429, 502, 503, 504])("GET on %i", async (status) => {
    server = await startServer(script(status, status));
    await expect(dtFor(server.url).list()).resolves.toMatchObject({ totalCount: 0 });
    expect(server.requests).toHaveLength(3);
  });

  test("each retry is a warn line whose details say which retry, the wait, the timeout and the deadline", async () => {
    server = await startServer(script(503, 429));
    const warned: [string, Record<string, unknown> | undefined][] = [];
    const dt = dtFor(server.url, {
      timeoutMs: 5_000,
      deadlineMs: 60_000,
      logger: { debug: () => {}, warn: (m, d) => warned.push([m, d]) },
    });
    await dt.list();
    expect(server.requests).toHaveLength(3);
    expect(warned.map(([, d]) => d)).toEqual([
      {
        request: {
          method: "GET",
          url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/api\/v2\/apiTokens/),
        },
        reason: "503",
        retry: 1,
        maxRetries: 2,
        waitMs: expect.any(Number),
        timeoutMs: 5_000,
        deadlineMs: 60_000,
      },
      expect.objectContaining({ reason: "429", retry: 2, maxRetries: 2 }),
    ]);
    expect(warned[0]![0]).toMatch(/ 503; retry 1 of 2 in \d+ ms$/);
    // No secret in a line or its details.
    expect(JSON.stringify(warned)).not.toMatch(/dt0c01\.\w+\.\w{64}/);
  });

  test("PUT, DELETE and lookup too", async () => {
    server = await startServer((r, res, n) => (n % 2 ? dtError(res, 503, "busy") : script()(r, res, 0)));
    const dt = dtFor(server.url);
    await dt.update("dt0c01.X", { name: "n" });
    await dt.delete("dt0c01.X");
    await dt.lookup(makeSecret().secret);
    expect(server.requests.map((r) => r.method)).toEqual(["PUT", "PUT", "DELETE", "DELETE", "POST", "POST"]);
  });

  test("not on 400, 401, 403, 404 or 500", async () => {
    for (const status of [400, 401, 403, 404, 500]) {
      server = await startServer(script(status));
      await expect(dtFor(server.url).list()).rejects.toMatchObject({ status });
      expect(server.requests).toHaveLength(1);
      await server.close();
    }
    server = undefined;
  });

  test("gives up after maxRetries with the typed error", async () => {
    server = await startServer(script(503, 503, 503, 503));
    const err = await dtFor(server.url)
      .list()
      .catch((e) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err).toMatchObject({ status: 503, outcomeUnknown: false });
    expect(server.requests).toHaveLength(3);
  });

  test("maxRetries per call overrides the client's", async () => {
    server = await startServer(script(503, 503, 503, 503, 503, 503));
    const dt = dtFor(server.url, { maxRetries: 4 });
    await expect(dt.list({}, { maxRetries: 0 })).rejects.toBeInstanceOf(ServerError);
    expect(server.requests).toHaveLength(1);
  });

  test("connection lost mid-request and timeouts are retried for GET", async () => {
    server = await startServer(script(reset, hang()));
    await expect(dtFor(server.url, { timeoutMs: 300 }).list()).resolves.toMatchObject({ totalCount: 0 });
    expect(server.requests).toHaveLength(3);
  });

  test("a body that stalls after the headers is a timeout too (the answer was accepted: not retried)", async () => {
    server = await startServer((_r, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"totalCount":'); // and never finishes
    });
    const err = await dtFor(server.url, { timeoutMs: 300 })
      .list()
      .catch((e) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toMatch(/timed out after 300 ms \(reading the response\)$/);
    expect(server.requests).toHaveLength(1);
  });

  test("a host that never answers: the TimeoutError says its attempts, each one's timeout and the time in all", async () => {
    server = await startServer(hang());
    const err = await dtFor(server.url, { timeoutMs: 300, maxRetries: 2 })
      .list()
      .catch((e) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(server.requests).toHaveLength(3);
    expect(err).toMatchObject({ attempts: 3, timeoutMs: 300 });
    // Three attempts of 300 ms and the waits between them; no upper bound asserted (the machine is loaded).
    expect(err.elapsedMs).toBeGreaterThanOrEqual(900);
    expect(err.toJSON()).toMatchObject({ attempts: 3, timeoutMs: 300 });
  });

  test("connection refused: ConnectionError after the retries", async () => {
    const url = await deadPort();
    const { logger, attempts } = countAttempts();
    const err = await dtFor(url, { logger })
      .list()
      .catch((e) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toBe(`GET ${url}/api/v2/apiTokens failed: ECONNREFUSED`);
    expect(attempts()).toBe(3); // nothing listens, so the logger counts them
  });

  test("a port fetch refuses to connect to (bad port): a create is never sent, so its outcome is known", async () => {
    // Port 9 is on fetch's list of blocked ports: undici throws before any connection, with no code.
    const err = await dtFor("http://127.0.0.1:9")
      .create({ name: "x", scopes: ["metrics.read"] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(/bad port/);
    expect(err.outcomeUnknown).toBe(false);
  });

  test("a DELETE of a token whose id is lookup is still a write (only POST …/lookup is a read)", async () => {
    server = await startServer(script(500));
    const err = await dtFor(server.url)
      .delete("lookup")
      .catch((e) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err.outcomeUnknown).toBe(true);
  });
});

describe("server-asked waits", () => {
  test("Retry-After in seconds", async () => {
    server = await startServer(script((res) => dtError(res, 429, "slow down", {}, { "retry-after": "1" })));
    await dtFor(server.url).list();
    const [a, b] = server.requests;
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(900);
  });

  test("Retry-After as an HTTP date", async () => {
    const date = () => new Date(Date.now() + 2000).toUTCString();
    server = await startServer(script((res) => dtError(res, 503, "busy", {}, { "retry-after": date() })));
    await dtFor(server.url).list();
    const [a, b] = server.requests;
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(900); // HTTP dates have 1 s resolution
  });

  test("legacy X-RateLimit-Reset in microseconds", async () => {
    const reset = () => String((Date.now() + 1500) * 1000);
    server = await startServer(
      script((res) => dtError(res, 429, "slow", {}, { "x-ratelimit-reset": reset() })),
    );
    await dtFor(server.url).list();
    const [a, b] = server.requests;
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(1000);
  });

  test("a wait beyond maxRetryDelayMs is not waited: RateLimitError carries it", async () => {
    server = await startServer(script((res) => dtError(res, 429, "slow", {}, { "retry-after": "3600" })));
    const err = await dtFor(server.url)
      .list()
      .catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err.retryAfterMs).toBe(600_000); // capped at 10 minutes
    expect(err.message).toMatch(
      /the server asked to wait more than 10 minutes, longer than maxRetryDelayMs \(60000 ms\)/,
    );
    expect(server.requests).toHaveLength(1);
  });

  test("after the last retry a RateLimitError still says how long to wait", async () => {
    server = await startServer((_r, res) => dtError(res, 429, "slow", {}, { "retry-after": "0" }));
    const err = await dtFor(server.url, { maxRetries: 1 })
      .list()
      .catch((e) => e);
    expect(err).toMatchObject({ name: "RateLimitError", retryAfterMs: 0 });
    expect(server.requests).toHaveLength(2);
  });

  test("serverDelay and backoff (deterministic random)", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    const h = (o: Record<string, string>) => new Headers(o);
    expect(serverDelay(h({ "retry-after": "2" }), now)).toBe(2000);
    expect(serverDelay(h({ "retry-after": "Wed, 01 Jan 2025 00:00:05 GMT" }), now)).toBe(5000);
    expect(serverDelay(h({ "retry-after": "Tue, 31 Dec 2024 00:00:00 GMT" }), now)).toBe(0);
    expect(serverDelay(h({ "x-ratelimit-reset": String((now + 3000) * 1000) }), now)).toBe(3000);
    expect(serverDelay(h({ "retry-after": "soon" }), now)).toBeUndefined();
    // RFC 850 and asctime dates are HTTP dates too; anything else Date.parse happens to read is not
    // (it gave a date in the past, so a wait of 0: retries at once), nor is a negative number.
    expect(serverDelay(h({ "retry-after": "Wednesday, 01-Jan-25 00:00:07 GMT" }), now)).toBe(7000);
    expect(serverDelay(h({ "retry-after": "Wed Jan  1 00:00:09 2025" }), now)).toBe(9000);
    for (const garbage of ["Tuesday 5", "-5", "-0.5", "1 Jan 2025", "2025-01-01T00:00:05Z"])
      expect(serverDelay(h({ "retry-after": garbage }), now), garbage).toBeUndefined();
    // delay-seconds is digits only (RFC 9110): what Number() also reads is not a wait.
    for (const notSeconds of ["0x2", "0b10", "0o2", "2e0", "+2", "1.5", "1e400", "Infinity", " 2 2"])
      expect(serverDelay(h({ "retry-after": notSeconds }), now), notSeconds).toBeUndefined();
    expect(serverDelay(h({ "retry-after": "007" }), now)).toBe(7000);
    expect(serverDelay(h({ "retry-after": "0" }), now)).toBe(0);
    expect(serverDelay(h({}), now)).toBeUndefined();
    expect([1, 2, 3, 10].map((n) => backoff(n, 500, 8000, () => 0))).toEqual([250, 500, 1000, 4000]);
    expect([1, 2, 3, 10].map((n) => backoff(n, 500, 8000, () => 1))).toEqual([500, 1000, 2000, 8000]);
    // always whole milliseconds, between half and all of the step
    for (const r of [0.1, 0.333, 0.5, 0.999])
      for (const n of [1, 2, 3, 4, 5]) {
        const wait = backoff(n, 300, 8000, () => r);
        const step = Math.min(300 * 2 ** (n - 1), 8000);
        expect(Number.isInteger(wait)).toBe(true);
        expect(wait).toBeGreaterThanOrEqual(step / 2 - 1);
        expect(wait).toBeLessThanOrEqual(step);
      }
  });
});

describe("create is never duplicated", () => {
  test.each([
    ["a 500", 500],
    ["a 502", 502],
    ["a 503", 503],
    ["a 504", 504],
    ["a lost connection", reset],
  ] as const)("%s: one request, outcome unknown", async (_name, step) => {
    server = await startServer(script(step));
    const err = await dtFor(server.url)
      .create({ name: "x", scopes: ["metrics.read"] })
      .catch((e) => e);
    expect(err.outcomeUnknown).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  test("a timeout: TimeoutError, one request, outcome unknown", async () => {
    server = await startServer(script(hang()));
    // Long enough for the request to reach the server on a loaded machine: the point is one attempt.
    const err = await dtFor(server.url, { timeoutMs: 2000 })
      .create({ name: "x", scopes: ["metrics.read"] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ outcomeUnknown: true });
    expect(server.requests).toHaveLength(1);
  });

  test("a 429 is retried (Dynatrace rejected it unprocessed)", async () => {
    server = await startServer(script(429));
    await expect(dtFor(server.url).create({ name: "x", scopes: ["metrics.read"] })).resolves.toMatchObject({
      id: "dt0c01.X",
    });
    expect(server.requests.map((r) => r.method)).toEqual(["POST", "POST"]);
  });

  test("a 400 is a known outcome", async () => {
    server = await startServer(script(400));
    const err = await dtFor(server.url)
      .create({ name: "x", scopes: ["metrics.read"] })
      .catch((e) => e);
    expect(err.outcomeUnknown).toBe(false);
  });

  test("connection refused is retried: the request never left", async () => {
    const { logger, attempts } = countAttempts();
    const err = await dtFor(await deadPort(), { logger })
      .create({ name: "x", scopes: ["metrics.read"] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toMatchObject({ outcomeUnknown: false });
    expect(attempts()).toBe(3);
  });

  test("a retried update that may have applied marks its 404 as outcome unknown", async () => {
    server = await startServer(script(reset, 404));
    const err = await dtFor(server.url)
      .update("dt0c01.X", { name: "n" })
      .catch((e) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.outcomeUnknown).toBe(true);
  });
});

describe("abort", () => {
  test("during a backoff wait: AbortError at once, no further request", async () => {
    server = await startServer((_r, res) => dtError(res, 429, "slow", {}, { "retry-after": "50" }));
    const ctrl = new AbortController();
    const call = dtFor(server.url).list({}, { signal: ctrl.signal });
    await server.waitFor(1);
    await new Promise((r) => setTimeout(r, 50));
    ctrl.abort();
    const err = await call.catch((e) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect(server.requests).toHaveLength(1);
  });

  test("while a create is in flight: AbortError, outcome unknown", async () => {
    server = await startServer(hang());
    const ctrl = new AbortController();
    const call = dtFor(server.url).create({ name: "x", scopes: ["metrics.read"] }, { signal: ctrl.signal });
    await server.waitFor(1);
    ctrl.abort();
    const err = await call.catch((e) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect(err.outcomeUnknown).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  test("an abort that lands between a failed attempt and its backoff still stops the wait", async () => {
    server = await startServer(script((res) => dtError(res, 503, "busy", {}, { "retry-after": "600" })));
    const ctrl = new AbortController();
    // The abort fires after the 503 has been read in full but before the client schedules the retry;
    // the server asks for a 10-minute wait, so only an immediate AbortError lets this test finish.
    const abortingFetch: typeof fetch = async (url, init) => {
      const res = await fetch(url, init);
      const body = await res.arrayBuffer();
      ctrl.abort();
      return new Response(body, res);
    };
    const dt = dtFor(server.url, { fetch: abortingFetch, maxRetryDelayMs: 600_000, deadlineMs: Infinity });
    const err = await dt.list({}, { signal: ctrl.signal }).catch((e) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect(server.requests).toHaveLength(1);
  });

  test("an already aborted signal sends nothing", async () => {
    server = await startServer(script());
    const err = await dtFor(server.url)
      .list({}, { signal: AbortSignal.abort() })
      .catch((e) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect(server.requests).toHaveLength(0);
  });
});

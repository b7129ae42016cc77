// The request loop's branches against a real node:http server: listeners it leaves behind, what an
// error keeps from earlier attempts, server-asked waits, the cause of an error, deadlines, and the
// bodies of retried responses.
import { getEventListeners } from "node:events";
import type { ServerResponse } from "node:http";
import { inspect } from "node:util";
import { afterEach, describe, expect, test } from "vitest";
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

describe("the caller's signal", () => {
  test("no listener is left on a long-lived signal, however many retries and calls", async () => {
    server = await startServer((_r, res, n) =>
      n % 13 ? dtError(res, 503, "busy", {}, { "retry-after": "0" }) : json(res, 200, { totalCount: 1 }),
    );
    const dt = dtFor(server.url, { maxRetries: 20 });
    const ctrl = new AbortController();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      await dt.list({}, { signal: ctrl.signal }); // 12 retries, then 200
      await dt.list({}, { signal: ctrl.signal });
      expect(getEventListeners(ctrl.signal, "abort")).toHaveLength(0);
      await dt.get("dt0c01.X", { signal: ctrl.signal }).catch(() => {});
      expect(getEventListeners(ctrl.signal, "abort")).toHaveLength(0);
      // raw: openapi-fetch's Request follows the signal (undici drops that listener on GC); the client
      // adds none of its own per retry.
      for (let i = 0; i < 3; i++) await dt.raw.GET("/apiTokens", { signal: ctrl.signal });
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
  });

  test("the abort reason is the error's cause, redacted when it holds a secret", async () => {
    server = await startServer(() => {}); // never answers
    const { secret, privatePart } = makeSecret();
    const dt = dtFor(server.url);
    for (const reason of [new Error("shutting down"), "a string reason", new Error(`Api-Token ${secret}`)]) {
      const ctrl = new AbortController();
      const pending = dt.list({}, { signal: ctrl.signal }).catch((e) => e);
      await new Promise((r) => setTimeout(r, 20));
      ctrl.abort(reason);
      const err = await pending;
      expect(err).toBeInstanceOf(AbortError);
      if (typeof reason === "string") expect(err.cause).toBe(reason);
      else if (reason.message === "shutting down") expect(err.cause).toBe(reason);
      else {
        expect(err.cause).toBeInstanceOf(Error);
        expect(String(err.cause)).toBe("Error: Api-Token [REDACTED]");
      }
      expect(JSON.stringify(err)).not.toContain(privatePart);
    }
  });
});

describe("a cause never shows a secret, wherever in it the secret is", () => {
  // The secret was kept, unredacted, in each of these: only a cause's own message was checked.
  const { secret, privatePart } = makeSecret();
  let deep: object = { token: secret };
  for (let i = 0; i < 12; i++) deep = { deep };
  const circular: Record<string, unknown> = { token: secret };
  circular.self = circular;
  const reasons: [string, unknown][] = [
    ["an object nested 12 deep", deep],
    ["an object that holds itself", circular],
    [
      "an Error whose own cause holds it",
      new Error("shutting down", { cause: new Error(`token ${secret}`) }),
    ],
    ["an Error with a field holding it", Object.assign(new Error("shutting down"), { token: secret })],
    ["an AggregateError", new AggregateError([new Error(`bad ${secret}`)], "several")],
    ["an array", ["a", [secret]]],
  ];
  test.each(reasons)("the abort reason is %s", async (_what, reason) => {
    server = await startServer(() => {}); // never answers
    const ctrl = new AbortController();
    const pending = dtFor(server.url)
      .list({}, { signal: ctrl.signal })
      .catch((e) => e);
    await server.waitFor(1);
    ctrl.abort(reason);
    const err = await pending;
    expect(err).toBeInstanceOf(AbortError);
    const shown = [JSON.stringify(err), inspect(err, { depth: null }), inspect(err.cause, { depth: null })];
    for (const text of shown) expect(text).not.toContain(privatePart);
  });

  test("a reason with no secret is kept as it is; one too deep to check is copied, and JSON.stringify works", async () => {
    server = await startServer(() => {});
    const dt = dtFor(server.url);
    const plain = new Error("stop", { cause: new Error("deploy") });
    const selfHolding: Record<string, unknown> = { why: "shutting down" };
    selfHolding.self = selfHolding;
    for (const reason of [plain, selfHolding]) {
      const ctrl = new AbortController();
      ctrl.abort(reason);
      const err = await dt.list({}, { signal: ctrl.signal }).catch((e) => e);
      if (reason === plain) expect(err.cause).toBe(reason);
      else expect(err.cause).toMatchObject({ why: "shutting down" });
      expect(() => JSON.stringify(err)).not.toThrow();
    }
  });

  test("a custom fetch's error whose nested cause names the URL of a delete by secret", async () => {
    server = await startServer(() => {});
    const { secret: deleted, privatePart } = makeSecret();
    const dt = dtFor(server.url, {
      fetch: async (input: string | URL | Request) => {
        throw new TypeError("fetch failed", { cause: new Error(`could not connect for ${String(input)}`) });
      },
      maxRetries: 0,
    });
    const err = await dt.delete(deleted).catch((e) => e);
    expect(err.name).toBe("ConnectionError");
    expect(inspect(err, { depth: null })).not.toContain(privatePart);
  });
});

describe("what an error keeps", () => {
  test("retryAfterMs of an earlier, already-waited 429 does not end up on a later 404", async () => {
    server = await startServer((_r, res, n) =>
      n === 1 ? dtError(res, 429, "slow", {}, { "retry-after": "0" }) : dtError(res, 404, "no such token"),
    );
    const err = await dtFor(server.url)
      .get("dt0c01.X")
      .catch((e) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.retryAfterMs).toBeUndefined();
    expect("retryAfterMs" in err).toBe(false);
  });

  test("nor on a later 5xx that asked for nothing", async () => {
    server = await startServer((_r, res, n) =>
      n === 1 ? dtError(res, 503, "busy", {}, { "retry-after": "0" }) : dtError(res, 500, "broken"),
    );
    const err = await dtFor(server.url)
      .list()
      .catch((e) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err.retryAfterMs).toBeUndefined();
  });

  test("a connection failure keeps the network error as cause", async () => {
    const err = await dtFor(await deadPort(), { maxRetries: 0 })
      .list()
      .catch((e) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.cause).toBeInstanceOf(Error);
    expect((err.cause as { cause?: { code?: string } }).cause?.code).toBe("ECONNREFUSED");
    expect(JSON.parse(JSON.stringify(err)).cause).toMatch(/^TypeError: fetch failed$/);
  });

  test("a timeout keeps what the aborted fetch threw as cause", async () => {
    server = await startServer(() => {});
    const err = await dtFor(server.url, { maxRetries: 0, timeoutMs: 100 })
      .list()
      .catch((e) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.cause).toBeDefined();
  });
});

describe("server-asked waits", () => {
  const absurd = ["99999999999999999999", "9".repeat(400)];
  test.each(absurd)("Retry-After: %s is capped at 10 minutes and said so", async (value) => {
    server = await startServer((_r, res) => dtError(res, 429, "slow", {}, { "retry-after": value }));
    const err = await dtFor(server.url)
      .list()
      .catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err.retryAfterMs).toBe(600_000);
    expect(JSON.parse(JSON.stringify(err)).retryAfterMs).toBe(600_000);
    expect(err.message).toMatch(
      /\(the server asked to wait more than 10 minutes, longer than maxRetryDelayMs \(60000 ms\)\)$/,
    );
    expect(server.requests).toHaveLength(1);
  });

  test("a wait longer than the caller allows is named in seconds", async () => {
    server = await startServer((_r, res) => dtError(res, 503, "busy", {}, { "retry-after": "90" }));
    const err = await dtFor(server.url)
      .list()
      .catch((e) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err.retryAfterMs).toBe(90_000);
    expect(err.message).toMatch(
      /\(the server asked to wait 90 s, longer than maxRetryDelayMs \(60000 ms\)\)$/,
    );
  });
});

describe("deadlineMs: the whole call, every attempt and wait", () => {
  test("per call: retries stop when the deadline passes", async () => {
    server = await startServer((_r, res) => dtError(res, 503, "busy", {}, { "retry-after": "1" }));
    const err = await dtFor(server.url, { maxRetries: 100 })
      .list({}, { deadlineMs: 350 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ApiTokensErrorOf(TimeoutError, ServerError));
    expect(err.message).toMatch(/deadline of 350 ms/);
    expect(server.requests.length).toBeLessThan(100);
  });

  test("per client: a hanging server with no per-attempt timeout", async () => {
    server = await startServer(() => {});
    const err = await dtFor(server.url, { timeoutMs: Number.POSITIVE_INFINITY, deadlineMs: 200 })
      .get("dt0c01.X")
      .catch((e) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toBe(`GET ${server.url}/api/v2/apiTokens/dt0c01.X passed its deadline of 200 ms`);
    // The same as fields, for callers that word their own message: the deadline, not per-attempt figures.
    expect(err).toMatchObject({ deadlineMs: 200, outcomeUnknown: false });
    expect(err.attempts).toBeUndefined();
    expect(err.timeoutMs).toBeUndefined();
  });

  test("a backoff that would pass the deadline is not waited", async () => {
    server = await startServer((_r, res) => dtError(res, 503, "busy", {}, { "retry-after": "30" }));
    const err = await dtFor(server.url)
      .list({}, { deadlineMs: 5_000 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err.message).toMatch(/\(a retry in 30 s would pass the deadline of 5000 ms\)$/);
    expect(err.retryAfterMs).toBe(30_000);
    expect(server.requests).toHaveLength(1);
  });

  test("a body that stalls past the deadline", async () => {
    server = await startServer((_r, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"totalCount":');
    });
    const err = await dtFor(server.url)
      .list({}, { deadlineMs: 200 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toMatch(/passed its deadline of 200 ms$/);
    expect(err.deadlineMs).toBe(200);
  });
});

describe("the body of a retried response is cancelled", () => {
  test("a 503 whose body never ends does not hold the retry", async () => {
    let firstClosed = false;
    server = await startServer((_r, res: ServerResponse, n) => {
      if (n > 1) return json(res, 200, { totalCount: 2 });
      res.on("close", () => {
        firstClosed = true;
      });
      res.writeHead(503, { "content-type": "application/json", "retry-after": "0" });
      res.write('{"error":'); // and never finishes
    });
    const page = await dtFor(server.url, { timeoutMs: 60_000 }).list();
    expect(page.totalCount).toBe(2);
    await new Promise((r) => setTimeout(r, 50));
    expect(firstClosed).toBe(true);
  });
});

/** An error of either class (the deadline may land during an attempt or before a wait). */
function ApiTokensErrorOf(...classes: (abstract new (...args: never[]) => unknown)[]) {
  return {
    [Symbol.hasInstance]: (value: unknown) => classes.some((c) => value instanceof c),
  } as unknown as typeof TimeoutError;
}

describe("credentials that hang", () => {
  test("a token function that never answers ends with a TimeoutError, nothing sent", async () => {
    server = await startServer((_r, res) => json(res, 200, { totalCount: 0 }));
    const dt = createApiTokensClient({
      environmentUrl: server.url,
      token: () => new Promise<string>(() => {}),
      timeoutMs: 100,
    });
    const err = await dt.list().catch((e) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toMatch(/timed out after 100 ms \(waiting for the credentials\)$/);
    expect(server.requests).toHaveLength(0);
  });

  test("and within the deadline when there is no per-attempt timeout; an abort stops it too", async () => {
    server = await startServer((_r, res) => json(res, 200, { totalCount: 0 }));
    const dt = createApiTokensClient({
      environmentUrl: server.url,
      token: () => new Promise<string>(() => {}),
      timeoutMs: Number.POSITIVE_INFINITY,
    });
    const late = await dt.list({}, { deadlineMs: 100 }).catch((e) => e);
    expect(late).toBeInstanceOf(TimeoutError);
    expect(late.message).toMatch(/passed its deadline of 100 ms$/);
    const ctrl = new AbortController();
    const pending = dt.get("dt0c01.X", { signal: ctrl.signal }).catch((e) => e);
    setTimeout(() => ctrl.abort(), 20);
    expect(await pending).toBeInstanceOf(AbortError);
    expect(server.requests).toHaveLength(0);
  });
});

describe("a write answered 2xx whose body is then lost: the outcome is unknown", () => {
  // The server applied the create (201), but the answer, and with it the new secret, never arrived
  // whole: the caller must learn that the token may exist. It said outcomeUnknown: false before.
  const ways = [
    "the body stalls past the timeout",
    "the connection resets",
    "the caller aborts",
    "the deadline passes",
  ];
  test.each(ways)("create: %s", async (way) => {
    const sockets: ServerResponse[] = [];
    server = await startServer((_r, res) => {
      res.writeHead(201, { "content-type": "application/json" });
      res.write('{"id":"dt0c01.ABC","token":"dt0c01.ABC.');
      sockets.push(res);
    });
    const ctrl = new AbortController();
    // Real fetch, watched: what is done next happens once the 201's headers are in the client's hands.
    const onHeaders = () => {
      if (way === "the connection resets") sockets.at(-1)?.socket?.destroy();
      if (way === "the caller aborts") ctrl.abort();
    };
    const watchedFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      onHeaders();
      return response;
    };
    const dt = dtFor(server.url, {
      fetch: watchedFetch,
      timeoutMs: way === "the body stalls past the timeout" ? 200 : 60_000,
      deadlineMs: way === "the deadline passes" ? 200 : 60_000,
    });
    const err = await dt
      .create({ name: "n", scopes: ["metrics.read"] }, { signal: ctrl.signal })
      .catch((e) => e);
    expect(err.outcomeUnknown).toBe(true);
    expect(err).toBeInstanceOf(
      way === "the connection resets"
        ? ConnectionError
        : way === "the caller aborts"
          ? AbortError
          : TimeoutError,
    );
    const rawErr = await dt.raw
      .POST("/apiTokens", { body: { name: "n", scopes: ["metrics.read"] }, signal: ctrl.signal })
      .catch((e) => e);
    if (way !== "the caller aborts") expect(rawErr.outcomeUnknown).toBe(true);
  });

  test("a read whose body is lost changes nothing: outcomeUnknown stays false", async () => {
    server = await startServer((_r, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"totalCount":');
    });
    const err = await dtFor(server.url, { timeoutMs: 200 })
      .list()
      .catch((e) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.outcomeUnknown).toBe(false);
  });
});

// Options and parameters are checked before anything is sent: numbers, page sizes, http:// hosts,
// rotate's expiry decision; and listAll refuses a cursor that repeats. Against a real node:http
// server that counts what reaches it.
import { afterEach, describe, expect, test } from "vitest";
import { createApiTokensClient, InvalidInputError, UnexpectedResponseError } from "../src/index.js";
import { json, makeSecret, startServer, type TestServer } from "./helpers.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const base = { environmentUrl: "https://abc12345.live.dynatrace.com", token: makeSecret().secret };
const create = (extra: object) => () => createApiTokensClient({ ...base, ...extra });

describe("numeric options", () => {
  const bad: [string, unknown, RegExp][] = [
    [
      "maxRetries",
      Number.POSITIVE_INFINITY,
      /^maxRetries: expected a whole number from 0 to 100, got Infinity$/,
    ],
    ["maxRetries", 1.5, /maxRetries: expected a whole number from 0 to 100, got 1.5/],
    ["maxRetries", "2", /maxRetries: .* got "2"/],
    ["maxRetries", 101, /got 101/],
    ["maxRetries", Number.NaN, /got NaN/],
    ["retryDelayMs", -1, /^retryDelayMs: expected a number of milliseconds from 0 to 60000, got -1$/],
    ["maxRetryDelayMs", -5, /^maxRetryDelayMs: expected a number of milliseconds from 0 to 600000, got -5$/],
    ["maxRetryDelayMs", Number.POSITIVE_INFINITY, /got Infinity/],
    ["timeoutMs", 0, /^timeoutMs: expected a number of milliseconds from 1 to Infinity, got 0$/],
    ["timeoutMs", -100, /got -100/],
    ["deadlineMs", -1, /^deadlineMs: expected a number of milliseconds from 1 to Infinity, got -1$/],
    ["deadlineMs", Number.NaN, /got NaN/],
  ];
  test.each(bad)("%s: %s is refused at creation", (name, value, message) => {
    expect(create({ [name]: value })).toThrow(InvalidInputError);
    expect(create({ [name]: value })).toThrow(message);
  });

  test("and per call, before anything is sent", async () => {
    server = await startServer((_r, res) => json(res, 200, { totalCount: 0 }));
    const dt = createApiTokensClient({ environmentUrl: server.url, token: makeSecret().secret });
    for (const [name, value] of bad) {
      await expect(dt.list({}, { [name]: value })).rejects.toThrow(InvalidInputError);
    }
    await expect(dt.list({}, { signal: "stop" as unknown as AbortSignal })).rejects.toThrow(
      /signal: expected an AbortSignal/,
    );
    expect(server.requests).toHaveLength(0);
  });

  test("the limits themselves are accepted", () => {
    expect(
      create({
        maxRetries: 0,
        retryDelayMs: 0,
        maxRetryDelayMs: 600_000,
        timeoutMs: Number.POSITIVE_INFINITY,
      }),
    ).not.toThrow();
    expect(create({ maxRetries: 100, deadlineMs: Number.POSITIVE_INFINITY })).not.toThrow();
  });
});

describe("pageSize is 100 to 10000", () => {
  test.each([5, 99, 10_001, 150.5, -1, Number.NaN, "200"])(
    "%s is refused before sending",
    async (pageSize) => {
      server = await startServer((_r, res) => json(res, 200, { totalCount: 0 }));
      const dt = createApiTokensClient({ environmentUrl: server.url, token: makeSecret().secret });
      await expect(dt.list({ pageSize: pageSize as number })).rejects.toThrow(
        /^pageSize: expected a whole number from 100 to 10000, got /,
      );
      expect(() => dt.listAll({ pageSize: pageSize as number })).toThrow(InvalidInputError);
      expect(server.requests).toHaveLength(0);
    },
  );

  test("100 and 10000 are sent", async () => {
    server = await startServer((_r, res) => json(res, 200, { totalCount: 0 }));
    const dt = createApiTokensClient({ environmentUrl: server.url, token: makeSecret().secret });
    await dt.list({ pageSize: 100 });
    await dt.list({ pageSize: 10_000 });
    expect(server.requests.map((r) => r.query.get("pageSize"))).toEqual(["100", "10000"]);
  });
});

describe("http:// only for loopback, unless allowInsecureHttp", () => {
  test.each([
    "http://abc12345.live.dynatrace.com",
    "http://dynatrace.example.com/e/env1",
    "http://10.0.0.5:8080/api/v2",
    "http://127.0.0.1.evil.example.com",
    "http://localhost.evil.example.com",
    // Node asks DNS for subdomains of localhost, and DNS may answer any address.
    "http://app.localhost",
    "http://localhost.",
    "http://[::ffff:127.0.0.1]",
  ])("%s is refused, naming the fix", (environmentUrl) => {
    const { secret, privatePart } = makeSecret();
    let message = "";
    try {
      createApiTokensClient({ environmentUrl, token: secret });
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidInputError);
      message = String(e);
    }
    expect(message).toMatch(
      /http:\/\/ would send the token in cleartext .*; use https:\/\/, or set allowInsecureHttp: true/,
    );
    expect(message).not.toContain(privatePart);
    expect(() =>
      createApiTokensClient({ environmentUrl, token: secret, allowInsecureHttp: true }),
    ).not.toThrow();
  });

  test.each([
    "http://127.0.0.1:8080",
    "http://127.1.2.3",
    "http://localhost:3000/e/env",
    "http://LOCALHOST",
    "http://[::1]:8080/api/v2",
    "http://[0:0:0:0:0:0:0:1]:8080",
    "http://127.1",
    "https://abc12345.live.dynatrace.com",
  ])("%s is accepted", (environmentUrl) => {
    expect(() => createApiTokensClient({ environmentUrl, token: makeSecret().secret })).not.toThrow();
  });

  test("a backslash in the URL is refused: it would send requests elsewhere than it reads", async () => {
    server = await startServer((_r, res) => json(res, 200, { totalCount: 0 }));
    // Read as a *.live.dynatrace.com host, but fetch sends it to 127.0.0.1 (the `\\` is a `/`).
    const environmentUrl = `${server.url}\\.live.dynatrace.com`;
    let error: unknown;
    try {
      await createApiTokensClient({ environmentUrl, token: makeSecret().secret }).list();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(server.requests).toHaveLength(0);
  });

  test("allowInsecureHttp must be a boolean", () => {
    expect(create({ environmentUrl: "http://x.example.com", allowInsecureHttp: "yes" })).toThrow(
      /allowInsecureHttp: expected true or false, got "yes"/,
    );
  });
});

describe("listAll", () => {
  test("a nextPageKey that comes back again ends the iteration with a clear error", async () => {
    const tokenAt = (n: number) => ({ id: `dt0c01.${n}`, name: `t${n}` });
    server = await startServer((r, res, n) => {
      // page 1 -> key a; page 2 -> key b; page 3 -> key a again (a loop)
      const key = n === 2 ? "b" : "a";
      json(res, 200, { totalCount: 9, nextPageKey: key, apiTokens: [tokenAt(n)] });
      void r;
    });
    const dt = createApiTokensClient({ environmentUrl: server.url, token: makeSecret().secret });
    const seen: string[] = [];
    const err = await (async () => {
      for await (const t of dt.listAll()) seen.push(t.id);
    })().catch((e) => e);
    expect(err).toBeInstanceOf(UnexpectedResponseError);
    expect(err.message).toBe(
      "listAll: page 3 repeats a nextPageKey the server sent before; stopped instead of looping forever",
    );
    expect(seen).toEqual(["dt0c01.1", "dt0c01.2", "dt0c01.3"]);
    expect(server.requests).toHaveLength(3);
  });

  test("empty pages with fresh cursors end after 10 in a row with a clear error (the server is not paged for ever)", async () => {
    server = await startServer((_r, res, n) =>
      json(res, 200, {
        totalCount: 1,
        nextPageKey: `key-${n}`,
        apiTokens: n === 3 ? [{ id: "dt0c01.3" }] : [],
      }),
    );
    const dt = createApiTokensClient({ environmentUrl: server.url, token: makeSecret().secret });
    const seen: string[] = [];
    const err = await (async () => {
      for await (const t of dt.listAll()) seen.push(t.id);
    })().catch((e) => e);
    expect(err).toBeInstanceOf(UnexpectedResponseError);
    expect(err.message).toBe(
      "listAll: 10 pages in a row without a token, each naming another page; stopped instead of paging forever",
    );
    // A page with a token starts the count again: 3 pages, then 10 empty ones.
    expect(seen).toEqual(["dt0c01.3"]);
    expect(server.requests).toHaveLength(13);
  });

  test("a page whose key repeats itself is caught at once", async () => {
    server = await startServer((_r, res) =>
      json(res, 200, { totalCount: 1, nextPageKey: "same", apiTokens: [] }),
    );
    const dt = createApiTokensClient({ environmentUrl: server.url, token: makeSecret().secret });
    const pages = dt.listAll().pages();
    await pages.next();
    await pages.next();
    await expect(pages.next()).rejects.toBeInstanceOf(UnexpectedResponseError);
    expect(server.requests).toHaveLength(2);
  });
});

describe("rotate: the new token's expiry is always a decision", () => {
  const old = {
    id: "dt0c01.OLD",
    name: "ci",
    scopes: ["metrics.read"],
    personalAccessToken: false,
    creationDate: "x",
  };
  test("missing expirationDate (plain JavaScript) is refused before any request", async () => {
    server = await startServer((_r, res) => json(res, 200, old));
    const dt = createApiTokensClient({ environmentUrl: server.url, token: makeSecret().secret });
    const rotate = dt.rotate as (id: string, options?: object) => Promise<unknown>;
    for (const options of [undefined, {}, { revoke: "delete" }, { expirationDate: undefined }]) {
      await expect(rotate("dt0c01.OLD", options)).rejects.toThrow(
        /^expirationDate: expected a decision: a Date, epoch ms, now\+30d, sameLifetime, or null for a token that never expires$/,
      );
    }
    expect(server.requests).toHaveLength(0);
  });

  test("a function that returns undefined is refused before the create", async () => {
    server = await startServer((r, res) => (r.method === "GET" ? json(res, 200, old) : json(res, 201, {})));
    const dt = createApiTokensClient({ environmentUrl: server.url, token: makeSecret().secret });
    const pick = (() => undefined) as unknown as () => null;
    await expect(dt.rotate("dt0c01.OLD", { expirationDate: pick })).rejects.toThrow(
      /^expirationDate: expected a decision/,
    );
    expect(server.requests.map((r) => r.method)).toEqual(["GET"]);
  });

  test("null (never expires) and a bad timeframe", async () => {
    server = await startServer((r, res) =>
      r.method === "GET"
        ? json(res, 200, old)
        : r.method === "POST"
          ? json(res, 201, { id: "dt0c01.NEW", token: "s" })
          : res.end(),
    );
    const dt = createApiTokensClient({ environmentUrl: server.url, token: makeSecret().secret });
    await expect(dt.rotate("dt0c01.OLD", { expirationDate: "now-1d" })).rejects.toThrow(
      /^expirationDate: expected/,
    );
    expect(server.requests).toHaveLength(0);
    const result = await dt.rotate("dt0c01.OLD", { expirationDate: null, revoke: "keep" });
    expect(result.created.id).toBe("dt0c01.NEW");
    expect(JSON.parse(server.requests[1]!.body)).not.toHaveProperty("expirationDate");
  });
});

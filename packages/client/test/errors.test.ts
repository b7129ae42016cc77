// The error hierarchy and redaction, checked on real thrown errors from a real server.
import { inspect } from "node:util";
import { afterEach, describe, expect, test } from "vitest";
import {
  ApiTokensError,
  AuthenticationError,
  BadRequestError,
  ConnectionError,
  createApiTokensClient,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
} from "../src/index.js";
import { dtError, json, makeSecret, startServer, type TestServer } from "./helpers.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("typed errors", () => {
  test.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [429, RateLimitError],
    [500, ServerError],
    [418, ApiTokensError],
  ] as const)("%i -> %o", async (status, Class) => {
    server = await startServer((_r, res) =>
      dtError(res, status, `status ${status}`, {}, { "x-request-id": "r1" }),
    );
    const dt = createApiTokensClient({
      environmentUrl: server.url,
      token: makeSecret().secret,
      maxRetries: 0,
    });
    const err = await dt.get("dt0c01.X").catch((e) => e);
    expect(err).toBeInstanceOf(Class);
    expect(err).toBeInstanceOf(ApiTokensError);
    expect(err.name).toBe(Class.name);
    expect(err).toMatchObject({
      status,
      code: status,
      request: { method: "GET", url: `${server.url}/api/v2/apiTokens/dt0c01.X` },
      headers: expect.objectContaining({ "x-request-id": "r1" }),
      apiMessage: `status ${status}`,
    });
    // the request is its method and URL only: no headers (the Authorization header is never kept)
    expect(Object.keys(err.request)).toEqual(["method", "url"]);
    expect(err.message).toBe(
      `GET ${server.url}/api/v2/apiTokens/dt0c01.X failed with ${status}: status ${status}`,
    );
  });

  test("400 carries the constraint violations and names them in the message", async () => {
    const violation = {
      path: "pageSize",
      message: "must be greater than or equal to 100",
      parameterLocation: "QUERY",
    };
    server = await startServer((_r, res) =>
      dtError(res, 400, "Constraints violated.", { constraintViolations: [violation] }),
    );
    const dt = createApiTokensClient({ environmentUrl: server.url, token: makeSecret().secret });
    const err = await dt.list({ pageSize: 100 }).catch((e) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.constraintViolations).toEqual([violation]);
    expect(err.message).toMatch(/Constraints violated\.; pageSize: must be greater than or equal to 100$/);
  });

  test("apiMessage is Dynatrace's own message, without the method, URL or violations", async () => {
    server = await startServer((_r, res) =>
      dtError(res, 401, "Token is disabled.", {
        constraintViolations: [{ path: "x", message: "y", parameterLocation: "QUERY" }],
      }),
    );
    const dt = createApiTokensClient({ environmentUrl: server.url, token: makeSecret().secret });
    const err = await dt.list().catch((e) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.apiMessage).toBe("Token is disabled.");
    expect(err.message).toMatch(/failed with 401: Token is disabled\.; x: y$/);
  });

  test.each([
    ["Token is missing required scope. Use one of: apiTokens.read (Read API tokens)", ["apiTokens.read"]],
    [
      "Token is missing required scope. Use one of: DataExport (Access problem and event feed, metrics, and topology), ReadConfig (Read configuration)",
      ["DataExport", "ReadConfig"],
    ],
    ["Token is missing required scope. Use one of: metrics.read", ["metrics.read"]],
    ["Token is missing required scope. Use one of: [logs.read, logs.ingest]", ["logs.read", "logs.ingest"]],
    ["A personal access token can only modify tokens of its own owner.", []],
  ])("403 names the missing scopes: %s", async (message, scopes) => {
    server = await startServer((_r, res) => dtError(res, 403, message));
    const dt = createApiTokensClient({ environmentUrl: server.url, token: makeSecret().secret });
    const err = await dt.list().catch((e) => e);
    expect(err).toBeInstanceOf(PermissionDeniedError);
    expect(err.missingScopes).toEqual(scopes);
  });

  test("a body that is not an ErrorEnvelope still gives a typed error", async () => {
    server = await startServer((_r, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html>bad gateway</html>");
    });
    const dt = createApiTokensClient({
      environmentUrl: server.url,
      token: makeSecret().secret,
      maxRetries: 0,
    });
    const err = await dt.list().catch((e) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err.message).toMatch(/failed with 502: Bad Gateway/);
    expect(err.apiMessage).toBeUndefined();
  });

  test("a ConnectionError names the cause's code, or its message when it has none", async () => {
    // A port fetch refuses to use: it gives up with a cause that has no code.
    const dt = createApiTokensClient({
      environmentUrl: "http://127.0.0.1:1",
      token: makeSecret().secret,
      maxRetries: 0,
    });
    const err = await dt.list().catch((e) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toBe("GET http://127.0.0.1:1/api/v2/apiTokens failed: bad port");
  });
});

describe("no secret ever shows", () => {
  test("errors (message, toJSON, inspect), the client and logger lines", async () => {
    const caller = makeSecret();
    const victim = makeSecret();
    // A server that echoes secrets back in its error message and headers.
    server = await startServer((r, res) =>
      r.method === "DELETE"
        ? dtError(
            res,
            503,
            `cannot delete ${victim.secret} for Api-Token ${caller.secret}`,
            {},
            {
              "x-echo": victim.secret,
            },
          )
        : json(res, 200, {}),
    );
    const lines: string[] = [];
    const args: unknown[][] = [];
    const log = (...a: unknown[]) => {
      args.push(a);
      lines.push(...a.map((x) => inspect(x, { depth: 5 })));
    };
    const logger = { debug: log, warn: log };
    const dt = createApiTokensClient({
      environmentUrl: server.url,
      token: caller.secret,
      retryDelayMs: 1,
      logger,
    });
    const err = await dt.delete(victim.secret).catch((e) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(server.requests).toHaveLength(3);

    const shown = [
      err.message,
      err.stack,
      JSON.stringify(err),
      inspect(err, { depth: 10, showHidden: true }),
      inspect(dt, { depth: 10, showHidden: true }),
      JSON.stringify(dt),
      ...lines,
    ].join("\n");
    for (const s of [caller, victim]) expect(shown).not.toContain(s.privatePart);
    expect(err.message).toContain(`${victim.id}.[REDACTED]`);
    const url = `${server.url}/api/v2/apiTokens/${victim.id}.[REDACTED]`;
    expect(err.request).toEqual({ method: "DELETE", url });
    expect(JSON.parse(JSON.stringify(err))).toMatchObject({ name: "ServerError", status: 503 });
    // apiMessage is redacted like everything else
    expect(err.apiMessage).toBe(`cannot delete ${victim.id}.[REDACTED] for Api-Token [REDACTED]`);
    // one line per attempt and per retry (no headers object), redacted URL; a retry line carries
    // its RetryDetails, whose request URL is the redacted one too
    const details = (retry: number) => ({
      request: { method: "DELETE", url },
      reason: "503",
      retry,
      maxRetries: 2,
      waitMs: expect.any(Number),
      timeoutMs: 30_000,
      deadlineMs: expect.any(Number),
    });
    expect(args).toEqual([
      [`DELETE ${url} (attempt 1)`],
      [expect.stringMatching(/^DELETE .*\.\[REDACTED\] 503; retry 1 of 2 in \d+ ms$/), details(1)],
      [`DELETE ${url} (attempt 2)`],
      [expect.stringMatching(/ 503; retry 2 of 2 in \d+ ms$/), details(2)],
      [`DELETE ${url} (attempt 3)`],
    ]);
  });

  test("validation errors do not echo a secret either", () => {
    const { secret, privatePart } = makeSecret();
    let message = "";
    try {
      createApiTokensClient({ environmentUrl: "https://a.live.dynatrace.com", token: `${secret} ` });
    } catch (e) {
      message = String(e);
    }
    expect(message).toMatch(/InvalidInputError: token: expected the bare secret/);
    expect(message).not.toContain(privatePart);
  });
});

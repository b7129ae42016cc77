// What the server sends back, however odd, becomes the matching typed error: error bodies of any
// shape, 2xx answers that are not the API's JSON, and only an allow-list of response headers.
// Against a real node:http server; no error ever echoes a secret or throws something untyped.
import type { ServerResponse } from "node:http";
import { inspect } from "node:util";
import { afterEach, describe, expect, test } from "vitest";
import {
  ApiTokensError,
  AuthenticationError,
  BadRequestError,
  createApiTokensClient,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  RedirectError,
  ServerError,
  UnexpectedResponseError,
} from "../src/index.js";
import { json, makeSecret, startServer, type TestServer } from "./helpers.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const dtFor = (url: string) =>
  createApiTokensClient({ environmentUrl: url, token: makeSecret().secret, maxRetries: 0 });

function send(res: ServerResponse, status: number, body: string, contentType = "application/json") {
  res.writeHead(status, { "content-type": contentType });
  res.end(body);
}

describe("error bodies of any shape give the typed error of their status", () => {
  const { secret, privatePart } = makeSecret();
  const bodies: [string, string][] = [
    [
      "a message with a quote after a secret",
      JSON.stringify({ error: { code: 400, message: `Api-Token x\\"` } }),
    ],
    ["a secret followed by a backslash", JSON.stringify({ error: { message: `bad ${secret}\\` } })],
    [
      "constraintViolations: null",
      JSON.stringify({ error: { code: 400, message: "m", constraintViolations: null } }),
    ],
    [
      "constraintViolations: a string",
      JSON.stringify({ error: { message: "m", constraintViolations: "x" } }),
    ],
    [
      "constraintViolations with null items",
      JSON.stringify({ error: { message: "m", constraintViolations: [null, 3] } }),
    ],
    ["message: a number", JSON.stringify({ error: { code: 400, message: 42 } })],
    ["message: an object", JSON.stringify({ error: { message: { text: "x" } } })],
    ["error: a string", JSON.stringify({ error: "boom" })],
    ["error: null", JSON.stringify({ error: null })],
    ["an array", "[1,2]"],
    ["JSON null", "null"],
    ["not JSON", "<html>login</html>"],
    ["empty", ""],
  ];
  const statuses: [number, typeof ApiTokensError][] = [
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [429, RateLimitError],
    [500, ServerError],
    [409, ApiTokensError],
  ];
  test.each(bodies)("%s", async (_what, body) => {
    let status = 0;
    server = await startServer((_r, res) => send(res, status, body));
    const dt = dtFor(server.url);
    for (const [s, ErrorClass] of statuses) {
      status = s;
      const err = await dt.get("dt0c01.X").catch((e) => e);
      expect(err).toBeInstanceOf(ErrorClass);
      expect(err.status).toBe(s);
      expect(Array.isArray(err.constraintViolations)).toBe(true);
      expect(err.message).toMatch(new RegExp(`^GET .* failed with ${s}: `));
      const shown = [err.message, JSON.stringify(err), inspect(err, { depth: 10 })].join("\n");
      expect(shown).not.toContain(privatePart);
      if (s === 403) expect(err.missingScopes).toEqual([]);
    }
  });

  test("a well-formed envelope still gives code, apiMessage and violations", async () => {
    const violation = { path: "name", message: "must not be null", parameterLocation: "PAYLOAD_BODY" };
    server = await startServer((_r, res) =>
      json(res, 400, {
        error: { code: 400, message: "Constraints violated.", constraintViolations: [violation] },
      }),
    );
    const err = await dtFor(server.url)
      .create({ name: "n", scopes: [] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err).toMatchObject({
      code: 400,
      apiMessage: "Constraints violated.",
      constraintViolations: [violation],
    });
  });
});

describe("a 2xx answer that is not the API's JSON is an UnexpectedResponseError", () => {
  const { secret, privatePart } = makeSecret();
  const answers: [string, number, string, string][] = [
    ["an SSO login page", 200, `<html><body>Sign in. ${secret}</body></html>`, "text/html; charset=utf-8"],
    ["truncated JSON", 200, `{"totalCount": "${secret}`, "application/json"],
    ["an empty body", 200, "", "application/json"],
    ["JSON null", 200, "null", "application/json"],
    ["a JSON string", 200, `"${secret}"`, "application/json"],
    ["a JSON array", 200, `[{"id": "${secret}"}]`, "application/json"],
    ["plain text", 201, `Api-Token ${secret}`, "text/plain"],
  ];
  test.each(answers)("%s", async (_what, status, body, contentType) => {
    server = await startServer((_r, res) => send(res, status, body, contentType));
    const dt = dtFor(server.url);
    for (const call of [() => dt.list(), () => dt.get("dt0c01.X"), () => dt.lookup(secret)]) {
      const err = await call().catch((e) => e);
      expect(err).toBeInstanceOf(UnexpectedResponseError);
      expect(err.status).toBe(status);
      expect(err.message).toContain(`answered ${status} with ${contentType}`);
      const shown = [err.message, JSON.stringify(err), inspect(err, { depth: 10 }), String(err.cause)].join(
        "\n",
      );
      expect(shown).not.toContain(privatePart);
      expect(shown).not.toContain("Sign in");
    }
  });

  test("create's answer too; update and delete expect no body and accept an empty one", async () => {
    server = await startServer((r, res) =>
      r.method === "POST" ? send(res, 201, "<html/>", "text/html") : send(res, 204, ""),
    );
    const dt = dtFor(server.url);
    await expect(dt.create({ name: "n", scopes: ["metrics.read"] })).rejects.toBeInstanceOf(
      UnexpectedResponseError,
    );
    await expect(dt.update("dt0c01.X", { enabled: false })).resolves.toBeUndefined();
    await expect(dt.delete("dt0c01.X")).resolves.toBeUndefined();
  });
});

describe("an UnexpectedResponseError shows a bounded content type", () => {
  test("an 8 kB content type is cut to 100 characters in the message", async () => {
    const { secret, privatePart } = makeSecret();
    server = await startServer((_r, res) => {
      res.writeHead(200, { "content-type": `text/html; x=${"y".repeat(8000)}; ${secret}` });
      res.end("<html>");
    });
    const err = await dtFor(server.url)
      .list()
      .catch((e) => e);
    expect(err).toBeInstanceOf(UnexpectedResponseError);
    expect(err.message).toContain(`answered 200 with text/html; x=${"y".repeat(87)}…, not valid JSON`);
    expect(err.message.length).toBeLessThan(400);
    // The same bounded value as a field, with the status, for callers that word their own message.
    expect(err.status).toBe(200);
    expect(err.headers["content-type"]).toBe(`text/html; x=${"y".repeat(87)}…`);
    expect(JSON.stringify(err)).not.toContain(privatePart);
  });
});

describe("a create answered 2xx without a new token is an UnexpectedResponseError, outcome unknown", () => {
  test("a POST answered 302 is not turned into a GET: a RedirectError, nothing sent where it points", async () => {
    server = await startServer((r, res) => {
      if (r.method === "POST") {
        res.writeHead(302, { location: "/somewhere/else" });
        return res.end();
      }
      send(res, 200, JSON.stringify({ totalCount: 0, pageSize: 100, apiTokens: [] }));
    });
    const err = await dtFor(server.url)
      .create({ name: "n", scopes: ["metrics.read"] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(RedirectError);
    expect(err).toBeInstanceOf(UnexpectedResponseError);
    expect(err).toMatchObject({ status: 302, location: "/somewhere/else" });
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /api/v2/apiTokens"]);
  });

  test.each([
    ["an object without a secret", { id: "dt0c01.X" }],
    ["a secret that is not a string", { id: "dt0c01.X", token: 42 }],
    ["an id that is null", { id: null, token: "dt0c01.X.Y" }],
  ])("%s", async (_what, body) => {
    server = await startServer((_r, res) => send(res, 201, JSON.stringify(body)));
    const err = await dtFor(server.url)
      .create({ name: "n", scopes: ["metrics.read"] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(UnexpectedResponseError);
    expect(err).toMatchObject({ status: 201, outcomeUnknown: true });
  });
});

describe("a 2xx list answer that is not a page is an UnexpectedResponseError", () => {
  // These gave a TypeError from inside listAll, or an InvalidInputError blaming the caller for the
  // server's cursor.
  const pages: [string, object, string][] = [
    ["apiTokens: an object", { totalCount: 1, apiTokens: {} }, "apiTokens that are not a list of tokens"],
    [
      "apiTokens holding null",
      { totalCount: 1, apiTokens: [null] },
      "apiTokens that are not a list of tokens",
    ],
    ["apiTokens: a string", { totalCount: 1, apiTokens: "x" }, "apiTokens that are not a list of tokens"],
    [
      "nextPageKey: a number",
      { totalCount: 2, nextPageKey: 5, apiTokens: [{ id: "a" }] },
      "a nextPageKey that is not a string",
    ],
    [
      "nextPageKey: an object",
      { totalCount: 2, nextPageKey: { k: 1 }, apiTokens: [] },
      "a nextPageKey that is not a string",
    ],
  ];
  test.each(pages)("%s", async (_what, page, said) => {
    server = await startServer((_r, res) => json(res, 200, page));
    const dt = dtFor(server.url);
    const listed = await dt.list().catch((e) => e);
    expect(listed).toBeInstanceOf(UnexpectedResponseError);
    expect(listed.message).toContain(said);
    const iterated = await (async () => {
      for await (const _token of dt.listAll());
    })().catch((e) => e);
    expect(iterated).toBeInstanceOf(UnexpectedResponseError);
  });

  test("a page without apiTokens or with a null nextPageKey is still a page", async () => {
    server = await startServer((_r, res) => json(res, 200, { totalCount: 0, nextPageKey: null }));
    await expect(dtFor(server.url).list()).resolves.toMatchObject({ apiTokens: [] });
  });
});

describe("errors keep only an allow-list of response headers", () => {
  test("request id, content type, rate-limit and retry headers stay; cookies and the rest go", async () => {
    const { secret, privatePart } = makeSecret();
    server = await startServer((_r, res) => {
      res.writeHead(429, {
        "content-type": "application/json",
        "set-cookie": `session=${secret}; HttpOnly`,
        "x-request-id": "req-1",
        "retry-after": "3600",
        "x-ratelimit-limit": "50",
        "x-internal-host": "node-7",
        server: "nginx",
      });
      res.end(JSON.stringify({ error: { code: 429, message: "slow down" } }));
    });
    const err = await dtFor(server.url)
      .list()
      .catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err.headers).toEqual({
      "content-type": "application/json",
      "x-request-id": "req-1",
      "retry-after": "3600",
      "x-ratelimit-limit": "50",
      date: expect.any(String),
    });
    const shown = [JSON.stringify(err), inspect(err, { depth: 10 })].join("\n");
    expect(shown).not.toContain(privatePart);
    expect(shown).not.toContain("set-cookie");
    expect(shown).not.toContain("node-7");
  });
});

describe("redaction and the 403 scope parse take linear time", () => {
  // Before, the first took about 80 s of CPU and the second minutes: the test's timeout failed them.
  test("an error message of many JWT starts", async () => {
    const message = "eyJ-".repeat(50_000);
    server = await startServer((_r, res) =>
      send(res, 400, JSON.stringify({ error: { code: 400, message } })),
    );
    const err = await dtFor(server.url)
      .get("dt0c01.X")
      .catch((e) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.apiMessage).toMatch(/^eyJ-eyJ-/);
  });

  test("a 403 naming 100,000 scopes", async () => {
    const message = `Use one of: ${"a.read ".repeat(100_000)}(title)`;
    server = await startServer((_r, res) =>
      send(res, 403, JSON.stringify({ error: { code: 403, message } })),
    );
    const err = await dtFor(server.url)
      .get("dt0c01.X")
      .catch((e) => e);
    expect(err).toBeInstanceOf(PermissionDeniedError);
    expect(err.missingScopes[0]).toBe("a.read");
  });
});

describe("a huge or hostile error body gives a typed error of bounded size, quickly", () => {
  // Each of these once broke the error: a deep `path` threw a RangeError (a ConnectionError came
  // out), a long message or list of violations made messages of megabytes, and a message of many
  // `eyJ-` (a JWT's start) or a long 403 scope list took minutes of CPU to redact or parse.
  const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
  const envelope = (status: number, error: object) => JSON.stringify({ error: { code: status, ...error } });
  const bodies: [string, number, string][] = [
    ["a 10 MB message", 400, envelope(400, { message: "x".repeat(10_000_000) })],
    ["a message of many JWT starts", 400, envelope(400, { message: "eyJ-".repeat(50_000) })],
    ["a 403 naming 100,000 scopes", 403, envelope(403, { message: `Use one of: ${"a ".repeat(100_000)}` })],
    [
      "100,000 constraint violations",
      400,
      envelope(400, {
        message: "m",
        constraintViolations: Array.from({ length: 100_000 }, (_, i) => ({ path: `p${i}`, message: "bad" })),
      }),
    ],
    [
      "a violation whose path is nested 100,000 deep",
      400,
      `{"error":{"code":400,"message":"m","constraintViolations":[{"path":${deep},"message":"x"}]}}`,
    ],
    [
      "violations with fields of the wrong types",
      400,
      envelope(400, {
        message: "m",
        constraintViolations: [{ path: { a: 1 }, message: ["x"] }, { path: 3 }],
      }),
    ],
  ];
  test.each(bodies)("%s", async (_what, status, body) => {
    server = await startServer((_r, res) => send(res, status, body));
    const err = await dtFor(server.url)
      .get("dt0c01.X")
      .catch((e) => e);
    expect(err).toBeInstanceOf(status === 403 ? PermissionDeniedError : BadRequestError);
    expect(err.message.length).toBeLessThan(30_000);
    expect(JSON.stringify(err).length).toBeLessThan(60_000);
    expect(err.constraintViolations.length).toBeLessThanOrEqual(20);
    for (const violation of err.constraintViolations)
      for (const value of Object.values(violation)) expect(typeof value).toBe("string");
  });

  test("what is cut is said: the characters and violations left out are counted", async () => {
    server = await startServer((_r, res) =>
      send(
        res,
        400,
        envelope(400, {
          message: "y".repeat(1500),
          constraintViolations: Array.from({ length: 25 }, () => ({ path: "name", message: "bad" })),
        }),
      ),
    );
    const err = await dtFor(server.url)
      .get("dt0c01.X")
      .catch((e) => e);
    expect(err.apiMessage).toBe(`${"y".repeat(1000)}… (500 more characters)`);
    expect(err.message).toMatch(/; name: bad; 5 more constraint violations$/);
    expect(err.constraintViolations).toHaveLength(20);
  });
});

/**
 * A secret straddling the point where a long text is cut: cut first and redacted after, the rest
 * of its private part no longer looked like a secret and was kept (55 of 64 characters of a
 * secret in a content type, 28 in an API message). And a redirect's Location was not cut at all.
 */
describe("a secret where a long text is cut is redacted, not cut in two", () => {
  const { secret, privatePart } = makeSecret();
  const leaked = (text: string) => {
    for (let i = 0; i + 8 <= privatePart.length; i++)
      if (text.includes(privatePart.slice(i, i + 8))) return true;
    return false;
  };

  test("a content type: the secret straddles character 100", async () => {
    server = await startServer((_r, res) => {
      res.writeHead(200, { "content-type": `text/html; x=${secret}` });
      res.end("<html>");
    });
    const err = await dtFor(server.url)
      .list()
      .catch((e) => e);
    expect(err).toBeInstanceOf(UnexpectedResponseError);
    expect(leaked(err.message)).toBe(false);
    expect(leaked(JSON.stringify(err))).toBe(false);
  });

  test("an API message: the secret straddles character 1000", async () => {
    server = await startServer((_r, res) =>
      send(res, 400, JSON.stringify({ error: { code: 400, message: `${"y ".repeat(470)}${secret} more` } })),
    );
    const err = await dtFor(server.url)
      .get("dt0c01.X")
      .catch((e) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect(leaked(err.apiMessage)).toBe(false);
    expect(leaked(JSON.stringify(err))).toBe(false);
  });

  test("a redirect's Location of 8 kB: cut as kept headers are, the secret in it redacted", async () => {
    server = await startServer((_r, res) => {
      res.writeHead(302, { location: `https://elsewhere.example/${"x".repeat(8000)}?t=${secret}` });
      res.end();
    });
    const err = await dtFor(server.url)
      .list()
      .catch((e) => e);
    expect(err).toBeInstanceOf(RedirectError);
    expect(err.location.length).toBeLessThanOrEqual(101);
    expect(err.message.length).toBeLessThan(600);
    expect(leaked(JSON.stringify(err))).toBe(false);
  });
});

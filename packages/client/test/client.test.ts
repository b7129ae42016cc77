// Every method against a real node:http server: what goes on the wire and what comes back.
import { inspect } from "node:util";
import { afterEach, describe, expect, test } from "vitest";
import {
  AbortError,
  ApiTokensError,
  AuthenticationError,
  createApiTokensClient,
  InvalidInputError,
  NotFoundError,
  PermissionDeniedError,
  sameLifetime,
} from "../src/index.js";
import { dtError, json, makeSecret, startServer, type TestServer } from "./helpers.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const token = {
  id: "dt0c01.AAAAAAAAAAAAAAAAAAAAAAAA",
  name: "t",
  enabled: true,
  owner: "me",
  creationDate: "x",
};

function client(extra: Partial<Parameters<typeof createApiTokensClient>[0]> = {}) {
  const { secret } = makeSecret();
  return {
    secret,
    dt: createApiTokensClient({ environmentUrl: server!.url, token: secret, retryDelayMs: 1, ...extra }),
  };
}

describe("requests", () => {
  test("sends Api-Token auth, JSON content type and hits the /api/v2 base", async () => {
    server = await startServer((_r, res) => json(res, 200, { totalCount: 0, apiTokens: [] }));
    const { dt, secret } = client({ userAgent: "my-tool/1.0" });
    await dt.list();
    await dt.lookup(makeSecret().secret);
    const [get, post] = server.requests;
    expect(get?.path).toBe("/api/v2/apiTokens");
    expect(get?.headers.authorization).toBe(`Api-Token ${secret}`);
    expect(get?.headers["user-agent"]).toBe("my-tool/1.0");
    expect(post?.headers["content-type"]).toBe("application/json");
    expect(dt.baseUrl).toBe(`${server.url}/api/v2`);
  });

  test("a token function is read for every request (rotation without a new client)", async () => {
    server = await startServer((_r, res) => json(res, 200, { totalCount: 0 }));
    const secrets = [makeSecret().secret, makeSecret().secret];
    let i = 0;
    const dt = createApiTokensClient({ environmentUrl: server.url, token: async () => secrets[i++ % 2]! });
    await dt.list();
    await dt.list();
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(secrets.map((s) => `Api-Token ${s}`));
  });

  test("a missing or malformed token fails before any request", async () => {
    server = await startServer((_r, res) => json(res, 200, {}));
    const environmentUrl = server.url;
    expect(() => createApiTokensClient({ environmentUrl, token: undefined as unknown as string })).toThrow(
      /give either token .* or oauth/,
    );
    expect(() => createApiTokensClient({ environmentUrl, token: null as unknown as string })).toThrow(
      /token: expected the bare secret/,
    );
    expect(() => createApiTokensClient({ environmentUrl, token: "" })).toThrow(InvalidInputError);
    expect(() => createApiTokensClient({ environmentUrl, token: "Api-Token abc" })).toThrow(
      /no "Api-Token "/,
    );
    expect(() => createApiTokensClient({ environmentUrl, token: "abc\ndef" })).toThrow(InvalidInputError);
    const dt = createApiTokensClient({ environmentUrl, token: () => " " });
    await expect(dt.list()).rejects.toThrow(InvalidInputError);
    expect(server.requests).toHaveLength(0);
  });

  test("a legacy opaque token is still sent", async () => {
    server = await startServer((_r, res) => json(res, 200, { totalCount: 0 }));
    const dt = createApiTokensClient({ environmentUrl: server.url, token: "abcdefghij0123456789X" });
    await dt.list();
    expect(server.requests[0]?.headers.authorization).toBe("Api-Token abcdefghij0123456789X");
  });

  test("bad options fail at creation", () => {
    expect(() => createApiTokensClient({ environmentUrl: "abc.live.dynatrace.com", token: "x" })).toThrow(
      /^environmentUrl: "abc.live.dynatrace.com" is not an http\(s\) URL; use https:\/\/<env-id>/,
    );
    expect(() =>
      createApiTokensClient({ environmentUrl: "https://a.live.dynatrace.com", token: "x", maxRetries: -1 }),
    ).toThrow(/maxRetries: expected a whole number from 0 to 100, got -1/);
  });

  test("an environment URL with user info is rejected, never sent", async () => {
    server = await startServer((_r, res) => json(res, 200, {}));
    const { host } = new URL(server.url);
    const { secret, privatePart } = makeSecret();
    for (const environmentUrl of [`http://user@${host}`, `http://me:${secret}@${host}/api/v2`]) {
      let error: unknown;
      try {
        createApiTokensClient({ environmentUrl, token: makeSecret().secret });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(String(error)).toMatch(/environmentUrl: .* holds user info \(user:password@\); remove it/);
      expect(String(error)).not.toContain(privatePart);
    }
    expect(server.requests).toHaveLength(0);
  });

  test("a signal aborted while the token function is awaited stops the call before sending", async () => {
    server = await startServer((_r, res) => json(res, 200, { totalCount: 0 }));
    const ctrl = new AbortController();
    const dt = createApiTokensClient({
      environmentUrl: server.url,
      token: async () => {
        ctrl.abort();
        return makeSecret().secret;
      },
    });
    await expect(dt.list({}, { signal: ctrl.signal })).rejects.toBeInstanceOf(AbortError);
    expect(server.requests).toHaveLength(0);
  });
});

describe("list", () => {
  test("encodes every parameter; fields and selector are URL-encoded", async () => {
    server = await startServer((_r, res) =>
      json(res, 200, { totalCount: 1, pageSize: 100, nextPageKey: null, apiTokens: [token] }),
    );
    const { dt } = client();
    const page = await dt.list({
      selector: { owner: 'a"b', scopes: ["metrics.read"] },
      fields: { add: ["scopes"], remove: ["owner"] },
      from: "now-1d/d",
      to: new Date(Date.UTC(2024, 0, 2)),
      sort: "-lastUsedDate",
      pageSize: 100,
    });
    expect(page.apiTokens).toEqual([token]);
    const req = server.requests[0]!;
    expect(req.url).toContain("fields=%2Bscopes%2C-owner");
    expect(Object.fromEntries(req.query)).toEqual({
      apiTokenSelector: 'owner("a\\"b"),scope("metrics.read")',
      fields: "+scopes,-owner",
      from: "now-1d/d",
      to: "2024-01-02T00:00:00.000Z",
      sort: "-lastUsedDate",
      pageSize: "100",
    });
  });

  test("with nextPageKey only the cursor is sent; a missing apiTokens becomes []", async () => {
    server = await startServer((_r, res) => json(res, 200, { totalCount: 0, nextPageKey: null }));
    const { dt } = client();
    // TypeScript refuses the cursor with other parameters (see exact-optional.test.ts); plain JavaScript may send them.
    const page = await dt.list({ nextPageKey: "abc==", pageSize: 500 } as { nextPageKey: string });
    expect(page.apiTokens).toEqual([]);
    expect(server.requests[0]?.url).toBe("/api/v2/apiTokens?nextPageKey=abc%3D%3D");
  });

  test("invalid parameters fail before sending", async () => {
    server = await startServer((_r, res) => json(res, 200, {}));
    const { dt } = client();
    await expect(dt.list({ from: "yesterday" })).rejects.toThrow(/^from: expected .*, got "yesterday"$/);
    await expect(dt.list({ selector: { scopes: [] } })).rejects.toThrow(/selector: expected/);
    expect(server.requests).toHaveLength(0);
  });

  test("a lone UTF-16 surrogate in a query parameter is an InvalidInputError, nothing is sent", async () => {
    server = await startServer((_r, res) => json(res, 200, {}));
    const { dt } = client();
    for (const params of [
      { selector: { owner: "a\ud800b" } },
      { fields: "na\udc00me" },
      { selector: "\ud800" },
    ])
      await expect(dt.list(params)).rejects.toThrow(
        expect.objectContaining({ name: "InvalidInputError", message: "query: expected valid Unicode" }),
      );
    expect(server.requests).toHaveLength(0);
  });

  test("fields: [] asks for the id only; { add: [] } and {} ask for the defaults", async () => {
    server = await startServer((_r, res) => json(res, 200, { totalCount: 0, apiTokens: [] }));
    const { dt } = client();
    await dt.list({ fields: [] });
    await dt.list({ fields: { add: [] } });
    await dt.list({ fields: {} });
    expect(server.requests.map((r) => r.query.get("fields"))).toEqual(["id", null, null]);
  });

  test("unknown scopes and fields in responses pass through", async () => {
    const odd = { ...token, scopes: ["metrics.read", "some.future.scope"], brandNewField: { x: 1 } };
    server = await startServer((_r, res) => json(res, 200, { totalCount: 1, apiTokens: [odd] }));
    const { dt } = client();
    expect((await dt.list()).apiTokens[0]).toEqual(odd);
  });
});

describe("listAll", () => {
  const pages =
    (n: number) => (r: { query: URLSearchParams }, res: Parameters<Parameters<typeof startServer>[0]>[1]) => {
      const i = Number(r.query.get("nextPageKey") ?? 0);
      json(res, 200, {
        totalCount: n * 2,
        nextPageKey: i + 1 < n ? String(i + 1) : null,
        apiTokens: [
          { ...token, id: `t${i}a` },
          { ...token, id: `t${i}b` },
        ],
      });
    };

  test("follows nextPageKey across pages, sending only the cursor after the first page", async () => {
    server = await startServer(pages(3));
    const { dt } = client();
    const ids: string[] = [];
    for await (const t of dt.listAll({ pageSize: 100, selector: { owner: "me" } })) ids.push(t.id);
    expect(ids).toEqual(["t0a", "t0b", "t1a", "t1b", "t2a", "t2b"]);
    expect(server.requests.map((r) => [...r.query.keys()])).toEqual([
      ["apiTokenSelector", "pageSize"],
      ["nextPageKey"],
      ["nextPageKey"],
    ]);
  });

  test("is lazy: breaking out stops fetching", async () => {
    server = await startServer(pages(5));
    const { dt } = client();
    for await (const t of dt.listAll()) {
      expect(t.id).toBe("t0a");
      break;
    }
    expect(server.requests).toHaveLength(1);
  });

  test("offers the pages too", async () => {
    server = await startServer(pages(2));
    const { dt } = client();
    const seen = [];
    for await (const page of dt.listAll().pages()) seen.push(page.apiTokens.length, page.totalCount);
    expect(seen).toEqual([2, 4, 2, 4]);
  });

  test("bad parameters throw when listAll is called, before any request", () => {
    server = undefined;
    const dt = createApiTokensClient({ environmentUrl: "https://a.live.dynatrace.com", token: "x" });
    expect(() => dt.listAll({ to: "soon" })).toThrow(/^to: expected .*, got "soon"$/);
  });
});

describe("get, create, update, delete, lookup", () => {
  test("get encodes the id in the path and refuses dot segments", async () => {
    server = await startServer((_r, res) => json(res, 200, token));
    const { dt } = client();
    expect(await dt.get("a/../b?c#d", { fields: ["name"] })).toEqual(token);
    expect(server.requests[0]?.url).toBe("/api/v2/apiTokens/a%2F..%2Fb%3Fc%23d");
    await expect(dt.get("..")).rejects.toThrow(/id: expected a token id or secret/);
    await expect(dt.get("")).rejects.toThrow(InvalidInputError);
    await expect(dt.delete(undefined as unknown as string)).rejects.toThrow(/^id: /);
    expect(server.requests).toHaveLength(1);
  });

  test("create posts the body, converts expirationDate, returns the 201 body", async () => {
    const created = {
      id: "dt0c01.X",
      token: makeSecret().secret,
      expirationDate: "2030-01-01T00:00:00.000Z",
    };
    server = await startServer((_r, res) => json(res, 201, created));
    const { dt } = client();
    const out = await dt.create({
      name: "ci",
      scopes: ["metrics.read"],
      expirationDate: new Date(Date.UTC(2030, 0, 1)),
      // unknown body fields are sent as given
      ...({ enabled: true } as object),
    } as Parameters<typeof dt.create>[0]);
    expect(out).toEqual(created);
    expect(JSON.parse(server.requests[0]!.body)).toEqual({
      name: "ci",
      scopes: ["metrics.read"],
      expirationDate: "2030-01-01T00:00:00.000Z",
      enabled: true,
    });
    await dt.create({ name: "b", scopes: ["logs.read"], expirationDate: "now+14d" });
    expect(JSON.parse(server.requests[1]!.body).expirationDate).toBe("now+14d");
  });

  test("create validates its expirationDate before sending", async () => {
    server = await startServer((_r, res) => json(res, 201, {}));
    const { dt } = client();
    await expect(
      dt.create({ name: "a", scopes: ["metrics.read"], expirationDate: "now-1d" }),
    ).rejects.toThrow(/expirationDate: /);
    expect(server.requests).toHaveLength(0);
  });

  test("update PUTs the body and resolves on 204; the body is the server's to judge", async () => {
    server = await startServer((_r, res) => {
      res.statusCode = 204;
      res.end();
    });
    const { dt } = client();
    await expect(dt.update("dt0c01.X", { enabled: false })).resolves.toBeUndefined();
    expect(server.requests[0]).toMatchObject({ method: "PUT", path: "/api/v2/apiTokens/dt0c01.X" });
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ enabled: false });
    // No client-side check of the body: an empty update or empty scopes go to the server, whose 400
    // (if any) names the field (see sandbox.test.ts).
    await dt.update("dt0c01.X", {});
    await dt.update("dt0c01.X", { scopes: [] });
    expect(server.requests.slice(1).map((r) => JSON.parse(r.body))).toEqual([{}, { scopes: [] }]);
  });

  test("delete by id and by secret", async () => {
    server = await startServer((_r, res) => {
      res.statusCode = 204;
      res.end();
    });
    const { dt } = client();
    const { secret } = makeSecret();
    await dt.delete("dt0c01.X");
    await dt.delete(secret);
    expect(server.requests.map((r) => [r.method, r.path])).toEqual([
      ["DELETE", "/api/v2/apiTokens/dt0c01.X"],
      ["DELETE", `/api/v2/apiTokens/${secret}`],
    ]);
  });

  test("lookup posts the secret and returns the token", async () => {
    server = await startServer((_r, res) => json(res, 200, token));
    const { dt } = client();
    const { secret } = makeSecret();
    expect(await dt.lookup(secret)).toEqual(token);
    expect(server.requests[0]).toMatchObject({ method: "POST", path: "/api/v2/apiTokens/lookup" });
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ token: secret });
    await expect(dt.lookup("")).rejects.toThrow(/secret: expected the bare secret/);
  });

  test("raw is the openapi-fetch client with the same auth", async () => {
    server = await startServer((_r, res) => json(res, 200, token));
    const { dt, secret } = client();
    const { data } = await dt.raw.GET("/apiTokens/{id}", { params: { path: { id: "dt0c01.X" } } });
    expect(data).toEqual(token);
    expect(server.requests[0]?.headers.authorization).toBe(`Api-Token ${secret}`);
  });
});

describe("rotate", () => {
  const old = {
    id: "dt0c01.OLD",
    name: "ci",
    enabled: true,
    owner: "me",
    creationDate: "2024-01-01T00:00:00.000Z",
    personalAccessToken: false,
    scopes: ["metrics.read", "logs.read"],
  };

  function rotationServer(revokeStatus = 204) {
    const created = { id: "dt0c01.NEW", token: makeSecret().secret };
    return {
      created,
      start: () =>
        startServer((r, res) => {
          if (r.method === "GET") return json(res, 200, old);
          if (r.method === "POST") return json(res, 201, created);
          if (revokeStatus === 204) {
            res.statusCode = 204;
            return res.end();
          }
          return dtError(
            res,
            revokeStatus,
            "Token is missing required scope. Use one of: apiTokens.write (Write)",
          );
        }),
    };
  }

  test.each([
    ["disable", [["GET"], ["POST"], ["PUT", '{"enabled":false}']]],
    ["delete", [["GET"], ["POST"], ["DELETE"]]],
    ["keep", [["GET"], ["POST"]]],
  ] as const)("revoke %s", async (revoke, calls) => {
    const rs = rotationServer();
    server = await rs.start();
    const { dt } = client();
    const result = await dt.rotate("dt0c01.OLD", { revoke, expirationDate: "now+30d" });
    expect(result).toMatchObject({ created: rs.created, previous: old, revoke, revoked: true });
    expect(server.requests.map((r) => (r.method === "PUT" ? [r.method, r.body] : [r.method]))).toEqual(calls);
    expect(JSON.parse(server.requests[1]!.body)).toEqual({
      name: "ci",
      scopes: ["metrics.read", "logs.read"],
      personalAccessToken: false,
      expirationDate: "now+30d",
    });
  });

  test("default revoke is disable; a failed revoke still returns the new secret", async () => {
    const rs = rotationServer(403);
    server = await rs.start();
    const { dt } = client();
    const result = await dt.rotate("dt0c01.OLD", { expirationDate: "now+30d" });
    expect(server.requests.map((r) => r.method)).toEqual(["GET", "POST", "PUT"]);
    expect(JSON.parse(server.requests[2]!.body)).toEqual({ enabled: false });
    expect(result.created.token).toBe(rs.created.token);
    expect(result.revoked).toBe(false);
    expect(result.revokeError).toBeInstanceOf(PermissionDeniedError);
    expect((result.revokeError as PermissionDeniedError).missingScopes).toEqual(["apiTokens.write"]);
  });

  test("if create fails nothing is revoked", async () => {
    server = await startServer((r, res) =>
      r.method === "GET" ? json(res, 200, old) : dtError(res, 400, "Constraints violated."),
    );
    const { dt } = client();
    await expect(
      dt.rotate("dt0c01.OLD", { revoke: "delete", expirationDate: "now+30d" }),
    ).rejects.toBeInstanceOf(ApiTokensError);
    expect(server.requests.map((r) => r.method)).toEqual(["GET", "POST"]);
  });

  // Issue 24: one word. `retire` (as rotateToken says it) is the option; `revoke` stays, deprecated.
  test("retire is the option's name; the deprecated revoke still works; both at odds fail before any request", async () => {
    const rs = rotationServer();
    server = await rs.start();
    const { dt } = client();
    const result = await dt.rotate("dt0c01.OLD", { retire: "delete", expirationDate: "now+30d" });
    expect(result).toMatchObject({ retire: "delete", retired: true, revoke: "delete", revoked: true });
    expect(server.requests.map((r) => r.method)).toEqual(["GET", "POST", "DELETE"]);
    const failing = rotationServer(403);
    await server.close();
    server = await failing.start();
    const { dt: again } = client();
    const failed = await again.rotate("dt0c01.OLD", { retire: "disable", expirationDate: "now+30d" });
    expect(failed).toMatchObject({ retired: false, revoked: false });
    expect(failed.retireError).toBeInstanceOf(PermissionDeniedError);
    expect(failed.revokeError).toBe(failed.retireError);
    const before = server.requests.length;
    await expect(
      again.rotate("dt0c01.OLD", { retire: "keep", revoke: "delete", expirationDate: "now+30d" }),
    ).rejects.toThrow(/^retire: expected the mode revoke/);
    await expect(
      again.rotate("dt0c01.OLD", { retire: "nuke" as "keep", expirationDate: "now+30d" }),
    ).rejects.toThrow('retire: expected disable, delete or keep, got "nuke"');
    expect(server.requests).toHaveLength(before);
  });

  test("an unknown revoke mode fails before any request", async () => {
    server = await startServer((_r, res) => json(res, 200, old));
    const { dt } = client();
    await expect(
      dt.rotate("dt0c01.OLD", { revoke: "nuke" as "keep", expirationDate: "now+30d" }),
    ).rejects.toThrow('revoke: expected disable, delete or keep, got "nuke"');
    expect(server.requests).toHaveLength(0);
  });

  test("a missing old token is a NotFoundError", async () => {
    server = await startServer((_r, res) => dtError(res, 404, "Token not found"));
    const { dt } = client();
    await expect(dt.rotate("dt0c01.GONE", { expirationDate: null })).rejects.toBeInstanceOf(NotFoundError);
  });

  test("expirationDate null: the new token never expires (no expirationDate is sent)", async () => {
    server = await rotationServer().start();
    const { dt } = client();
    await dt.rotate("dt0c01.OLD", { expirationDate: null, revoke: "keep" });
    expect(JSON.parse(server.requests[1]!.body)).not.toHaveProperty("expirationDate");
  });

  test("expirationDate as a function of the old token", async () => {
    server = await rotationServer().start();
    const { dt } = client();
    const seen: unknown[] = [];
    await dt.rotate("dt0c01.OLD", {
      revoke: "keep",
      expirationDate: (previous) => {
        seen.push(previous);
        return previous.scopes.includes("logs.read") ? "now+7d" : null;
      },
    });
    expect(seen).toEqual([old]);
    expect(JSON.parse(server.requests[1]!.body).expirationDate).toBe("now+7d");
  });

  test("expirationDate: sameLifetime gives the old token's lifetime again, from now", async () => {
    const day = 86_400_000;
    const thirtyDay = {
      ...old,
      creationDate: "2024-01-01T00:00:00.000Z",
      expirationDate: "2024-01-31T00:00:00.000Z",
    };
    server = await startServer((r, res) =>
      r.method === "GET" ? json(res, 200, thirtyDay) : json(res, 201, { id: "dt0c01.NEW", token: "t" }),
    );
    const { dt } = client();
    const before = Date.now();
    await dt.rotate("dt0c01.OLD", { revoke: "keep", expirationDate: sameLifetime });
    const sent = Date.parse(JSON.parse(server.requests[1]!.body).expirationDate);
    expect(sent).toBeGreaterThanOrEqual(before + 30 * day);
    expect(sent).toBeLessThanOrEqual(Date.now() + 30 * day);
  });
});

describe("a token function that throws", () => {
  // It gave a ConnectionError saying "failed reading the response", although nothing was sent.
  test.each([
    ["an Error", () => new Error("vault is down")],
    ["a string", () => "vault is down"],
    ["an Error holding a secret", (secret: string) => new Error(`vault is down; last was ${secret}`)],
  ])(
    "%s: an AuthenticationError saying so, the cause kept and redacted, nothing sent",
    async (_what, make) => {
      server = await startServer((_r, res) => json(res, 200, { totalCount: 0 }));
      const { secret, privatePart } = makeSecret();
      const thrown = make(secret);
      const dt = createApiTokensClient({
        environmentUrl: server.url,
        token: async () => {
          throw thrown;
        },
      });
      for (const call of [() => dt.list(), () => dt.create({ name: "n", scopes: ["metrics.read"] })]) {
        const err = await call().catch((e) => e);
        expect(err).toBeInstanceOf(AuthenticationError);
        expect(err.message).toMatch(
          /^(GET|POST) http:\/\/127\.0\.0\.1:\d+\/api\/v2\/apiTokens was not sent: the token function failed: vault is down/,
        );
        expect(err.outcomeUnknown).toBe(false);
        expect(err.status).toBeUndefined();
        if (typeof thrown === "string") expect(err.cause).toBe(thrown);
        const shown = [err.message, err.stack, JSON.stringify(err), inspect(err, { depth: 10 })].join("\n");
        expect(shown).not.toContain(privatePart);
      }
      expect(server.requests).toHaveLength(0);
    },
  );
});

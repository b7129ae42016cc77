// A secret goes only where the user pointed: the policy as a pure function (tables), then every
// kind of request against a real server on 127.0.0.1 that redirects to a second one, which records
// what reaches it and must receive nothing.
import { afterEach, describe, expect, test } from "vitest";
import {
  createApiTokensClient,
  OAuthError,
  RedirectError,
  RotationError,
  rotateToken,
  TimeoutError,
  UnexpectedResponseError,
} from "../src/index.js";
import { OAuthAccessTokens } from "../src/oauth.js";
import { isRedirect, redirectRefusal, secretRefusal } from "../src/secret-origin.js";
import { json, makeSecret, startServer, type TestServer } from "./helpers.js";

const PLATFORM = "/platform/classic/environment-api/v2";
const CLIENT_SECRET = `dt0s02.AAAAAAAA.${"C".repeat(64)}`;
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function server(handler: Parameters<typeof startServer>[0]) {
  const started = await startServer(handler);
  servers.push(started);
  return started;
}

describe("the policy (pure)", () => {
  test.each([
    [
      "https://a.live.dynatrace.com/api/v2",
      "https://a.live.dynatrace.com/api/v2/apiTokens",
      false,
      undefined,
    ],
    ["https://a.live.dynatrace.com/api/v2", "https://a.live.dynatrace.com:443/x", false, undefined],
    [
      "https://a.live.dynatrace.com/api/v2",
      "https://b.live.dynatrace.com/api/v2/apiTokens",
      false,
      "is not the configured origin",
    ],
    [
      "https://a.live.dynatrace.com/api/v2",
      "https://a.live.dynatrace.com:8443/api/v2",
      false,
      "is not the configured origin",
    ],
    [
      "https://a.live.dynatrace.com/api/v2",
      "http://a.live.dynatrace.com/api/v2",
      true,
      "is not the configured origin",
    ],
    ["http://127.0.0.1:5/api/v2", "http://127.0.0.1:5/api/v2/apiTokens", false, undefined],
    [
      "http://127.0.0.1:5/api/v2",
      "http://127.0.0.1:6/api/v2/apiTokens",
      false,
      "is not the configured origin",
    ],
    [
      "http://managed.example.com/e/x/api/v2",
      "http://managed.example.com/e/x/api/v2/apiTokens",
      false,
      "cleartext",
    ],
    [
      "http://managed.example.com/e/x/api/v2",
      "http://managed.example.com/e/x/api/v2/apiTokens",
      true,
      undefined,
    ],
    ["https://sso.dynatrace.com/sso/oauth2/token", "not a url", false, "is not the configured origin"],
  ] as const)(
    "configured %s, request to %s (allowInsecureHttp %s): %s",
    (configured, url, allowInsecureHttp, refusal) => {
      const answer = secretRefusal({ url: configured, allowInsecureHttp }, url);
      if (refusal === undefined) expect(answer).toBeUndefined();
      else expect(answer).toContain(refusal);
    },
  );

  test.each([
    ["https://a.example/x", "https://a.example/y", true, "the request carries a secret"],
    ["https://a.example/x", "/y", true, "the request carries a secret"],
    ["https://a.example/x", "/y", false, undefined],
    ["https://a.example/x", "https://b.example/y", false, "another origin"],
    ["https://a.example/x", "http://a.example/y", false, "from https to http"],
    ["https://a.example/x", "http://b.example/y", true, "from https to http"],
    ["http://127.0.0.1:5/x", "http://127.0.0.1:6/x", false, "another origin"],
    ["https://a.example/x", null, false, "no valid Location"],
    ["https://a.example/x", "https://[zz]/", false, "no valid Location"],
  ] as const)("a redirect from %s to %s (secret: %s): %s", (from, location, carriesSecret, refusal) => {
    const answer = redirectRefusal(from, location, carriesSecret);
    if (refusal === undefined) expect(answer).toBeUndefined();
    else expect(answer).toContain(refusal);
  });

  test.each([
    [200, false],
    [204, false],
    [301, true],
    [302, true],
    [303, true],
    [304, false],
    [307, true],
    [308, true],
    [400, false],
  ])("status %i is a redirect: %s", (status, redirect) => {
    expect(isRedirect(new Response(null, { status }))).toBe(redirect);
  });
});

describe("no request carrying a secret follows a redirect, and nothing reaches the other host", () => {
  test.each([301, 302, 303, 307, 308])(
    "%i from the environment: list, get, lookup(secret), delete(secret), create, update, raw",
    async (status) => {
      const other = await server((_req, res) =>
        json(res, 200, { id: "dt0c01.X", token: "dt0c01.X.Y", apiTokens: [] }),
      );
      const home = await server((req, res) => {
        res.writeHead(status, { location: `${other.url}${req.url}` });
        res.end();
      });
      const { secret, privatePart } = makeSecret();
      const dt = createApiTokensClient({ environmentUrl: home.url, token: secret, retryDelayMs: 1 });
      const calls: [string, () => Promise<unknown>][] = [
        ["list", () => dt.list()],
        ["get", () => dt.get("dt0c01.X")],
        ["lookup", () => dt.lookup(secret)],
        ["delete", () => dt.delete(secret)],
        ["create", () => dt.create({ name: "n", scopes: ["metrics.read"] })],
        ["update", () => dt.update("dt0c01.X", { enabled: false })],
        ["raw", () => dt.raw.GET("/apiTokens")],
      ];
      for (const [name, call] of calls) {
        const error = await call().catch((e: unknown) => e);
        expect(error, name).toBeInstanceOf(RedirectError);
        expect(error, name).toBeInstanceOf(UnexpectedResponseError);
        const { message, location } = error as RedirectError;
        expect((error as RedirectError).status).toBe(status);
        expect(location).toMatch(new RegExp(`^${other.url}/api/v2/apiTokens`));
        expect(message).toContain(`answered ${status} to ${other.url}/api/v2/apiTokens`);
        expect(message).toContain("not followed: it leads to another origin");
        expect(`${message}${location}${JSON.stringify(error)}`).not.toContain(privatePart);
      }
      // Each call went once to the configured host (a redirect is not retried) and never elsewhere.
      expect(home.requests).toHaveLength(calls.length);
      expect(other.requests).toHaveLength(0);
    },
  );

  test("in a browser (an opaqueredirect response: status 0, no headers) every call is a RedirectError that says the browser hides it", async () => {
    const other = await server((_req, res) => json(res, 200, { apiTokens: [] }));
    const home = await server((req, res) => {
      res.writeHead(302, { location: `${other.url}${req.url}` });
      res.end();
    });
    // What a browser's fetch hands back for a redirect under redirect: "manual": the real server's
    // answer, seen as the opaque response a browser makes of it (Node's fetch cannot build one).
    const browserFetch: typeof fetch = async (input, init) => {
      const answer = await fetch(input, init);
      expect(answer.status).toBe(302);
      await answer.body?.cancel();
      const opaque = new Response(null, { status: 200 });
      Object.defineProperties(opaque, {
        type: { value: "opaqueredirect" },
        status: { value: 0 },
        ok: { value: false },
      });
      return opaque;
    };
    const { secret, privatePart } = makeSecret();
    const dt = createApiTokensClient({ environmentUrl: home.url, token: secret, fetch: browserFetch });
    for (const call of [() => dt.list(), () => dt.lookup(secret), () => dt.raw.GET("/apiTokens")]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RedirectError);
      const { status, location, message } = error as RedirectError;
      expect(status).toBe(0);
      expect(location).toBeUndefined();
      expect(message).toContain("answered a redirect, not followed: the request carries a secret");
      expect(message).toContain("the browser hides the status and where it leads");
      expect(message).not.toContain("no valid Location");
      expect(message).not.toContain(privatePart);
    }
    expect(home.requests).toHaveLength(3);
    expect(other.requests).toHaveLength(0);
  });

  test("a redirect to the same origin is not followed either: the request carries a secret", async () => {
    const home = await server((req, res) => {
      if (req.path.endsWith("/lookup")) {
        res.writeHead(307, { location: "/elsewhere/lookup" });
        return res.end();
      }
      json(res, 200, {});
    });
    const { secret } = makeSecret();
    const error = await createApiTokensClient({ environmentUrl: home.url, token: secret })
      .lookup(secret)
      .catch((e) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expect(error.message).toContain("not followed: the request carries a secret");
    expect(home.requests.map((r) => r.path)).toEqual(["/api/v2/apiTokens/lookup"]);
  });

  test.each([307, 308])(
    "an OAuth token endpoint answering %i: the client secret goes nowhere else, the environment gets nothing",
    async (status) => {
      const other = await server((_req, res) =>
        json(res, 200, { access_token: "stolen", token_type: "Bearer" }),
      );
      const sso = await server((_req, res) => {
        res.writeHead(status, { location: `${other.url}/sso/oauth2/token` });
        res.end();
      });
      const api = await server((_req, res) => json(res, 200, { apiTokens: [] }));
      const dt = createApiTokensClient({
        environmentUrl: `${api.url}${PLATFORM}`,
        oauth: {
          clientId: "dt0s02.AAAAAAAA",
          clientSecret: CLIENT_SECRET,
          accountUrn: "urn:dtaccount:x",
          tokenUrl: `${sso.url}/sso/oauth2/token`,
        },
        retryDelayMs: 1,
      });
      const error = await dt.list().catch((e) => e);
      expect(error).toBeInstanceOf(RedirectError);
      expect(error.status).toBe(status);
      expect(error.request).toEqual({ method: "POST", url: `${sso.url}/sso/oauth2/token` });
      expect(JSON.stringify(error)).not.toContain("C".repeat(64));
      expect(sso.requests).toHaveLength(1);
      expect(other.requests).toHaveLength(0);
      expect(api.requests).toHaveLength(0);
    },
  );

  test("rotateToken's verify (a lookup with the new secret) refuses a redirect and rolls back; nothing reaches the other host", async () => {
    const other = await server((_req, res) => json(res, 200, {}));
    const created = makeSecret();
    const old = {
      id: "dt0c01.OLDOLDOLDOLDOLDOLDOLDOLD",
      name: "ci",
      enabled: true,
      personalAccessToken: false,
      owner: "me",
      creationDate: "2026-01-01T00:00:00.000Z",
      scopes: ["metrics.read"],
    };
    const home = await server((req, res) => {
      if (req.path.endsWith("/lookup")) {
        res.writeHead(308, { location: `${other.url}${req.url}` });
        return res.end();
      }
      if (req.method === "POST") return json(res, 201, { id: created.id, token: created.secret });
      if (req.method === "DELETE") return json(res, 204);
      json(res, 200, old);
    });
    const dt = createApiTokensClient({
      environmentUrl: home.url,
      token: makeSecret().secret,
      retryDelayMs: 1,
    });
    const delivered: string[] = [];
    const error = await rotateToken(dt, old.id, {
      expirationDate: null,
      deliver: (secret) => {
        delivered.push(secret);
      },
    }).catch((e) => e);
    expect(error).toBeInstanceOf(RotationError);
    expect(error.stage).toBe("verify");
    expect(error.cause).toBeInstanceOf(RedirectError);
    expect(error.rolledBack).toBe(true);
    expect(JSON.stringify(error)).not.toContain(created.privatePart);
    expect(other.requests).toHaveLength(0);
  });
});

describe("OAuth token requests go through the request loop", () => {
  test("a stalled token request is abandoned when its callers give up: the next call gets a fresh one", async () => {
    const api = await server((_req, res) => json(res, 200, { apiTokens: [] }));
    const sso = await server((_req, res, n) => {
      if (n === 1) return; // never answers
      json(res, 200, { access_token: `access-${n}`, token_type: "Bearer", expires_in: 300 });
    });
    const dt = createApiTokensClient({
      environmentUrl: `${api.url}${PLATFORM}`,
      oauth: {
        clientId: "dt0s02.AAAAAAAA",
        clientSecret: CLIENT_SECRET,
        accountUrn: "urn:dtaccount:x",
        tokenUrl: sso.url,
      },
      timeoutMs: 60_000,
      maxRetries: 0,
    });
    const stalled = await dt.list({}, { deadlineMs: 1000 }).catch((e) => e);
    expect(stalled).toBeInstanceOf(TimeoutError);
    const page = await dt.list({}, { deadlineMs: 30_000 });
    expect(page.apiTokens).toEqual([]);
    expect(sso.requests).toHaveLength(2);
    expect(api.requests.map((r) => r.headers.authorization)).toEqual(["Bearer access-2"]);
  });

  test.each([400, 401, 500])(
    "SSO answering %i with a huge error body: the error keeps a bounded part of each field, as for the API",
    async (status) => {
      const huge = "x".repeat(1_000_000);
      const sso = await server((_req, res) =>
        json(res, status, { error: `invalid_client${huge}`, error_description: huge, message: huge }),
      );
      const dt = createApiTokensClient({
        environmentUrl: `${sso.url}${PLATFORM}`,
        oauth: {
          clientId: "dt0s02.AAAAAAAA",
          clientSecret: CLIENT_SECRET,
          accountUrn: "urn:dtaccount:x",
          tokenUrl: `${sso.url}/sso/oauth2/token`,
        },
        maxRetries: 0,
      });
      const error = await dt.list().catch((e) => e);
      expect(error.status).toBe(status);
      expect(error.message.length).toBeLessThan(5000);
      expect(error.message).toContain("more characters");
      expect(JSON.stringify(error).length).toBeLessThan(10_000);
    },
  );

  test("SSO's Retry-After is honoured by the one loop, and a 500 is not retried (as for the API)", async () => {
    const api = await server((_req, res) => json(res, 200, { apiTokens: [] }));
    const sso = await server((_req, res, n) =>
      n === 1
        ? json(res, 503, { error: "temporarily_unavailable" }, { "retry-after": "1" })
        : json(res, 200, { access_token: "a", token_type: "Bearer" }),
    );
    const dt = createApiTokensClient({
      environmentUrl: `${api.url}${PLATFORM}`,
      oauth: {
        clientId: "dt0s02.AAAAAAAA",
        clientSecret: CLIENT_SECRET,
        accountUrn: "urn:dtaccount:x",
        tokenUrl: sso.url,
      },
      retryDelayMs: 1,
    });
    await dt.list();
    expect(sso.requests).toHaveLength(2);
    expect(sso.requests[1]!.at - sso.requests[0]!.at).toBeGreaterThanOrEqual(900);
  });

  test.each([
    [400, "invalid_client"],
    [401, "invalid_client"],
    [400, "invalid_scope"],
  ])("SSO answering %i %s is an OAuthError saying what to check", async (status, code) => {
    const api = await server((_req, res) => json(res, 200, { apiTokens: [] }));
    const sso = await server((_req, res) =>
      json(res, status, {
        error: code,
        error_description: "no",
        errorCode: status,
        message: "no",
        issueId: "i-1",
      }),
    );
    const error = await createApiTokensClient({
      environmentUrl: `${api.url}${PLATFORM}`,
      oauth: {
        clientId: "dt0s02.AAAAAAAA",
        clientSecret: CLIENT_SECRET,
        accountUrn: "urn:dtaccount:x",
        tokenUrl: sso.url,
      },
    })
      .list()
      .catch((e) => e);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ status, oauthError: code });
    expect(error.message).toMatch(
      code === "invalid_client" ? /check the client id and secret/ : /grant the client/,
    );
    expect(sso.requests).toHaveLength(1);
    expect(api.requests).toHaveLength(0);
  });

  test("a 401 storm: a fresh token refused too ends in an OAuthError, and later calls fetch no new token", async () => {
    const api = await server((_req, res) =>
      json(res, 401, { error: { code: 401, message: "Token Authentication failed." } }),
    );
    let issued = 0;
    const sso = await server((_req, res) =>
      json(res, 200, { access_token: `access-${++issued}`, token_type: "Bearer", expires_in: 300 }),
    );
    const dt = createApiTokensClient({
      environmentUrl: `${api.url}${PLATFORM}`,
      oauth: {
        clientId: "dt0s02.AAAAAAAA",
        clientSecret: CLIENT_SECRET,
        accountUrn: "urn:dtaccount:x",
        tokenUrl: sso.url,
      },
    });
    for (let call = 0; call < 5; call++) {
      const error = await dt.list().catch((e) => e);
      expect(error).toBeInstanceOf(OAuthError);
      expect(error.status).toBe(401);
      expect(error.message).toContain("refused a fresh access token of the OAuth client dt0s02.AAAAAAAA too");
    }
    expect(sso.requests).toHaveLength(2);
    expect(api.requests.map((r) => r.headers.authorization)).toEqual([
      "Bearer access-1",
      "Bearer access-2",
      "Bearer access-2",
      "Bearer access-2",
      "Bearer access-2",
      "Bearer access-2",
    ]);
  });
});

describe("expires_in", () => {
  let clock = 0;
  async function tokensFor(expiresIn: unknown) {
    const sso = await server((_req, res, n) =>
      json(res, 200, {
        access_token: `access-${n}`,
        token_type: "Bearer",
        ...(expiresIn === undefined ? {} : { expires_in: expiresIn }),
      }),
    );
    const tokens = new OAuthAccessTokens(
      {
        clientId: "dt0s02.AAAAAAAA",
        clientSecret: CLIENT_SECRET,
        accountUrn: "urn:dtaccount:x",
        scope: "s",
        tokenUrl: sso.url,
      },
      {
        fetch,
        timeoutMs: 10_000,
        deadlineMs: 20_000,
        maxRetries: 0,
        retryDelayMs: 1,
        maxRetryDelayMs: 1,
        now: () => clock,
      },
    );
    return { sso, tokens };
  }

  test.each([
    [0, 2],
    [-5, 2],
    ["soon", 2],
    [Number.NaN, 2],
    ["300", 1],
    [300, 1],
    [undefined, 1],
  ])("expires_in %j: %i token requests for two calls a second apart", async (expiresIn, requests) => {
    clock = 0;
    const { sso, tokens } = await tokensFor(expiresIn);
    await tokens.get();
    clock += 1000;
    await tokens.get();
    expect(sso.requests).toHaveLength(requests);
  });

  test("expires_in 1e308 caches the token for at most an hour, not for ever", async () => {
    clock = 0;
    const { sso, tokens } = await tokensFor(1e308);
    expect(await tokens.get()).toBe("access-1");
    clock += 3_000_000;
    expect(await tokens.get()).toBe("access-1");
    clock += 600_000;
    expect(await tokens.get()).toBe("access-2");
    expect(sso.requests).toHaveLength(2);
  });
});

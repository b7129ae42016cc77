// Platform authentication against the real sandbox (Bearer platform tokens, OAuth clients through
// its SSO endpoint) and against scripted servers for SSO's bad days.
import { type RequestLogEntry, type Sandbox, startSandbox } from "@dt-tokens/sandbox";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { classicApiBase } from "../src/auth-scheme.js";
import {
  AuthenticationError,
  createApiTokensClient,
  InvalidInputError,
  OAuthError,
  PermissionDeniedError,
  redact,
  ServerError,
  UnexpectedResponseError,
} from "../src/index.js";
import { json, startServer } from "./helpers.js";

const PLATFORM = "/platform/classic/environment-api/v2";
const READ = "environment-api:api-tokens:read";
const WRITE = "environment-api:api-tokens:write";

let clock = Date.now();
let sandbox: Sandbox;
const log: RequestLogEntry[] = [];
const ssoRequests = () => log.filter((e) => e.path === "/sso/oauth2/token").length;

function oauthClient(extra: { clientId?: string; clientSecret?: string; scope?: string } = {}) {
  return createApiTokensClient({
    environmentUrl: sandbox.platformBase,
    oauth: {
      clientId: extra.clientId ?? sandbox.oauthClientId!,
      clientSecret: extra.clientSecret ?? sandbox.oauthClientSecret!,
      accountUrn: sandbox.accountUrn,
      tokenUrl: sandbox.tokenUrl,
      ...(extra.scope ? { scope: extra.scope } : {}),
    },
    retryDelayMs: 1,
  });
}

beforeAll(async () => {
  sandbox = await startSandbox({ now: () => clock, log: (e) => log.push(e) });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  log.length = 0;
});

describe("choosing the scheme and the API prefix", () => {
  test("a platform token goes as Bearer to the platform prefix and works for all six operations", async () => {
    const dt = createApiTokensClient({ environmentUrl: sandbox.platformBase, token: sandbox.platformToken! });
    const created = await dt.create({ name: "platform-made", scopes: ["metrics.read"] });
    expect((await dt.get(created.id)).owner).toBe("admin@example.com");
    expect((await dt.lookup(created.token)).id).toBe(created.id);
    await dt.update(created.id, { name: "renamed" });
    expect((await dt.list({ fields: ["name"] })).apiTokens.map((t) => t.name)).toContain("renamed");
    await dt.delete(created.id);
  });

  test("an OAuth client secret given as token is refused before anything is sent, as a string or a function", async () => {
    const server = await startServer((_req, res) => json(res, 200, { totalCount: 0, apiTokens: [] }));
    const clientSecret = `dt0s02.AAAAAAAA.${"C".repeat(64)}`;
    try {
      const refusal =
        "token: an OAuth client secret (dt0s02.…) never goes to the environment: give it as oauth";
      expect(() =>
        createApiTokensClient({ environmentUrl: `${server.url}${PLATFORM}`, token: clientSecret }),
      ).toThrow(refusal);
      const fromFunction = createApiTokensClient({
        environmentUrl: `${server.url}${PLATFORM}`,
        token: () => clientSecret,
      });
      const error = await fromFunction.list().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).toBe(refusal);
      expect((error as Error).message).not.toContain("C".repeat(64));
      expect(server.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  test("*.apps.dynatrace.com maps to the platform prefix; *.live and Managed /e/<id> to /api/v2", () => {
    const platformToken = `dt0s16.${"A".repeat(8)}.${"B".repeat(64)}`;
    const classic = `dt0c01.${"A".repeat(24)}.${"B".repeat(64)}`;
    expect(
      createApiTokensClient({ environmentUrl: "https://abc12345.apps.dynatrace.com", token: platformToken })
        .baseUrl,
    ).toBe(`https://abc12345.apps.dynatrace.com${PLATFORM}`);
    expect(
      createApiTokensClient({ environmentUrl: "https://abc12345.live.dynatrace.com/", token: classic })
        .baseUrl,
    ).toBe("https://abc12345.live.dynatrace.com/api/v2");
    expect(
      createApiTokensClient({ environmentUrl: "https://host.example.com/e/env-1", token: classic }).baseUrl,
    ).toBe("https://host.example.com/e/env-1/api/v2");
  });

  test("a platform token on a classic URL is refused before anything is sent, naming the platform URL", () => {
    const platformToken = `dt0s16.${"A".repeat(8)}.${"B".repeat(64)}`;
    const attempt = () =>
      createApiTokensClient({ environmentUrl: "https://abc12345.live.dynatrace.com", token: platformToken });
    expect(attempt).toThrow(InvalidInputError);
    expect(attempt).toThrow(/https:\/\/abc12345\.apps\.dynatrace\.com/);
    expect(attempt).not.toThrow(/B{64}/);
  });

  test("a classic token on the platform prefix is refused, naming the classic URL", () => {
    const classic = `dt0c01.${"A".repeat(24)}.${"B".repeat(64)}`;
    const attempt = () =>
      createApiTokensClient({ environmentUrl: "https://abc12345.apps.dynatrace.com", token: classic });
    expect(attempt).toThrow(/https:\/\/abc12345\.live\.dynatrace\.com/);
  });

  test("an OAuth client on /api/v2 is refused", () => {
    expect(() =>
      createApiTokensClient({
        environmentUrl: "https://abc12345.live.dynatrace.com",
        oauth: {
          clientId: "dt0s02.AAAAAAAA",
          clientSecret: `dt0s02.AAAAAAAA.${"C".repeat(64)}`,
          accountUrn: "urn:dtaccount:x",
        },
      }),
    ).toThrow(/apps\.dynatrace\.com/);
  });

  test("a token function is checked per attempt: a platform token for /api/v2 fails without a request", async () => {
    const server = await startServer((_req, res) => json(res, 200, { totalCount: 0, apiTokens: [] }));
    try {
      const dt = createApiTokensClient({ environmentUrl: server.url, token: () => sandbox.platformToken! });
      await expect(dt.list()).rejects.toThrow(InvalidInputError);
      expect(server.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  test("authScheme overrides the prefix rule, and a bare root with a platform token uses the platform prefix", async () => {
    const dt = createApiTokensClient({
      environmentUrl: sandbox.url,
      token: sandbox.platformToken!,
      authScheme: "Bearer",
    });
    expect(dt.baseUrl).toBe(sandbox.platformBase);
    expect((await dt.list()).totalCount).toBeGreaterThan(0);
    expect(() =>
      createApiTokensClient({
        environmentUrl: sandbox.platformBase,
        token: sandbox.platformToken!,
        authScheme: "Api-Token",
      }),
    ).toThrow(InvalidInputError);
  });

  test("the sandbox's own refusal of a wrong scheme arrives as an AuthenticationError naming the scheme", async () => {
    const classic = createApiTokensClient({
      environmentUrl: `${sandbox.url}/api/v2`,
      token: sandbox.bootstrapToken!,
    });
    // a raw request with the wrong header, past the client's own check
    const res = await fetch(`${sandbox.platformBase}/apiTokens`, {
      headers: { authorization: `Api-Token ${sandbox.bootstrapToken}` },
    });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("Bearer");
    expect((await classic.list()).totalCount).toBeGreaterThan(0);
  });
});

describe("the classic API of a platform base (where a new classic token is verified)", () => {
  test("apps hosts go to their live host; other hosts keep origin and path; classic bases stay", () => {
    expect(classicApiBase(`https://abc12345.apps.dynatrace.com${PLATFORM}`)).toBe(
      "https://abc12345.live.dynatrace.com/api/v2",
    );
    expect(classicApiBase(`https://abc12345.apps.dynatracelabs.com${PLATFORM}`)).toBe(
      "https://abc12345.live.dynatracelabs.com/api/v2",
    );
    expect(classicApiBase(`http://127.0.0.1:8080/proxy${PLATFORM}`)).toBe(
      "http://127.0.0.1:8080/proxy/api/v2",
    );
    expect(classicApiBase("https://host/e/env1/api/v2")).toBe("https://host/e/env1/api/v2");
  });
});

describe("OAuth clients", () => {
  test("fetches one access token and reuses it until shortly before it expires", async () => {
    const dt = oauthClient();
    await dt.list();
    await dt.list();
    await dt.get((await dt.create({ name: "by oauth", scopes: ["metrics.read"] })).id);
    expect(ssoRequests()).toBe(1);
    const mine = await dt.list({ selector: { owner: "service-user@example.com" } });
    expect(mine.totalCount).toBeGreaterThan(0);
  });

  test("concurrent calls share one token request", async () => {
    const dt = oauthClient();
    const pages = await Promise.all(Array.from({ length: 25 }, () => dt.list()));
    expect(pages).toHaveLength(25);
    expect(ssoRequests()).toBe(1);
  });

  test("an access token the API calls expired is refreshed once and the call retried; concurrent callers share the refresh", async () => {
    const dt = oauthClient();
    await dt.list();
    clock += 301_000; // the sandbox now sees the access token as expired; the client does not know yet
    const pages = await Promise.all(Array.from({ length: 10 }, () => dt.list()));
    expect(pages).toHaveLength(10);
    expect(ssoRequests()).toBe(2);
    expect(log.filter((e) => e.status === 401)).toHaveLength(10);
  });

  test("refreshes before expiry without a 401 when expires_in is short", async () => {
    // 5 s: the first call must reach the sandbox within the token's lifetime even on a loaded machine.
    const short = await startSandbox({ accessTokenTtlSeconds: 5, log: (e) => log.push(e) });
    try {
      const dt = createApiTokensClient({
        environmentUrl: short.platformBase,
        oauth: {
          clientId: short.oauthClientId!,
          clientSecret: short.oauthClientSecret!,
          accountUrn: short.accountUrn,
          tokenUrl: short.tokenUrl,
        },
      });
      await dt.list();
      // The client refreshes a quarter of the lifetime before expiry (at 3.75 s): wait past that.
      await new Promise((r) => setTimeout(r, 4000));
      await dt.list();
      expect(ssoRequests()).toBe(2);
      expect(log.filter((e) => e.status === 401)).toHaveLength(0);
    } finally {
      await short.close();
    }
  });

  test("a revoked client ends the call with an OAuthError, after one refresh attempt", async () => {
    const client = sandbox.createOAuthClient({ owner: "robot@example.com", scopes: [READ] });
    const dt = oauthClient({ ...client, scope: READ });
    await dt.list();
    sandbox.setOAuthClientEnabled(client.clientId, false);
    const error = await dt.list().catch((e) => e);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.oauthError).toBe("invalid_client");
    expect(error.message).toContain(client.clientId);
    expect(JSON.stringify(error)).not.toContain(client.clientSecret);
    expect(ssoRequests()).toBe(2);
  });

  test.each([
    ["a wrong secret", { clientSecret: `dt0s02.AAAAAAAA.${"C".repeat(64)}` }, "invalid_client"],
    ["a scope the client lacks", { scope: `${READ} settings:objects:write` }, "invalid_scope"],
  ])(
    "SSO refusing %s is an OAuthError saying what to fix, without the secret",
    async (_what, extra, code) => {
      const error = await oauthClient(extra)
        .list()
        .catch((e) => e);
      expect(error).toBeInstanceOf(OAuthError);
      expect(error.oauthError).toBe(code);
      expect(error.message).toMatch(/check|grant/);
      expect(`${error.message}${JSON.stringify(error)}`).not.toContain("C".repeat(64));
    },
  );

  test("an access token without the write scope gets the platform's 403", async () => {
    const error = await oauthClient({ scope: READ })
      .create({ name: "x", scopes: ["metrics.read"] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error.missingScopes).toContain(WRITE);
  });

  test("no secret in log lines or errors", async () => {
    const lines: string[] = [];
    const logger = { debug: (m: string) => lines.push(m), warn: (m: string) => lines.push(m) };
    const dt = createApiTokensClient({
      environmentUrl: sandbox.platformBase,
      oauth: {
        clientId: sandbox.oauthClientId!,
        clientSecret: sandbox.oauthClientSecret!,
        accountUrn: sandbox.accountUrn,
        tokenUrl: sandbox.tokenUrl,
      },
      logger,
    });
    await dt.list();
    const error = await dt.get("dt0c01.AAAAAAAAAAAAAAAAAAAAAAAA").catch((e) => e);
    const text = `${lines.join("\n")}${error.message}${JSON.stringify(error)}`;
    expect(text).not.toContain(sandbox.oauthClientSecret!.slice(-64));
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  });
});

describe("SSO on a bad day (scripted token endpoint)", () => {
  const api = async () =>
    startServer((req, res) =>
      req.path.endsWith("/apiTokens") ? json(res, 200, { totalCount: 0, apiTokens: [] }) : json(res, 404, {}),
    );

  test("retries SSO 429 and 5xx, then succeeds", async () => {
    const target = await api();
    const sso = await startServer((_req, res, n) =>
      n === 1
        ? json(res, 429, { error: "slow_down" }, { "retry-after": "0" })
        : n === 2
          ? json(res, 503, {})
          : json(res, 200, { access_token: "opaque-access", token_type: "Bearer", expires_in: 300 }),
    );
    try {
      const dt = createApiTokensClient({
        environmentUrl: `${target.url}${PLATFORM}`,
        oauth: {
          clientId: "dt0s02.AAAAAAAA",
          clientSecret: `dt0s02.AAAAAAAA.${"C".repeat(64)}`,
          accountUrn: "urn:dtaccount:abc",
          tokenUrl: sso.url,
        },
        retryDelayMs: 1,
      });
      await dt.list();
      expect(sso.requests).toHaveLength(3);
      expect(sso.requests[2]!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
      expect(Object.fromEntries(new URLSearchParams(sso.requests[2]!.body))).toEqual({
        grant_type: "client_credentials",
        client_id: "dt0s02.AAAAAAAA",
        client_secret: `dt0s02.AAAAAAAA.${"C".repeat(64)}`,
        scope: `${READ} ${WRITE}`,
        resource: "urn:dtaccount:abc",
      });
      expect(target.requests[0]!.headers.authorization).toBe("Bearer opaque-access");
    } finally {
      await Promise.all([target.close(), sso.close()]);
    }
  });

  test("gives up after the retries with a ServerError; a 200 without a token is an UnexpectedResponseError", async () => {
    const target = await api();
    const down = await startServer((_req, res) => json(res, 502, {}));
    const odd = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>login</html>");
    });
    const mac = await startServer((_req, res) =>
      json(res, 200, { access_token: "opaque-access", token_type: "mac", expires_in: 300 }),
    );
    try {
      const client = (tokenUrl: string) =>
        createApiTokensClient({
          environmentUrl: `${target.url}${PLATFORM}`,
          oauth: {
            clientId: "dt0s02.AAAAAAAA",
            clientSecret: `dt0s02.AAAAAAAA.${"C".repeat(64)}`,
            accountUrn: "urn:dtaccount:abc",
            tokenUrl,
          },
          retryDelayMs: 1,
          maxRetries: 2,
        });
      await expect(client(down.url).list()).rejects.toBeInstanceOf(ServerError);
      expect(down.requests).toHaveLength(3);
      const html = await client(odd.url)
        .list()
        .catch((error: unknown) => error);
      expect(html).toBeInstanceOf(UnexpectedResponseError);
      // The whole sentence, readable: redaction must not take its words for a secret.
      expect((html as Error).message).toBe(
        `POST ${odd.url}/ answered 200 with text/html, no access token of type "Bearer"; is tokenUrl the SSO token endpoint?`,
      );
      const notBearer = await client(mac.url)
        .list()
        .catch((error: unknown) => error);
      expect(notBearer).toBeInstanceOf(UnexpectedResponseError);
      expect((notBearer as Error).message).toBe(
        `POST ${mac.url}/ answered 200 with application/json; charset=utf-8, no access token of type "Bearer"; is tokenUrl the SSO token endpoint?`,
      );
      expect(target.requests).toHaveLength(0);
    } finally {
      await Promise.all([target.close(), down.close(), odd.close(), mac.close()]);
    }
  });

  test("refreshes and retries a 401 only once", async () => {
    const target = await startServer((_req, res) =>
      json(res, 401, { error: { code: 401, message: "Token is expired." } }),
    );
    let issued = 0;
    const sso = await startServer((_req, res) =>
      json(res, 200, { access_token: `access-${++issued}`, token_type: "Bearer", expires_in: 300 }),
    );
    try {
      const dt = createApiTokensClient({
        environmentUrl: `${target.url}${PLATFORM}`,
        oauth: {
          clientId: "dt0s02.AAAAAAAA",
          clientSecret: `dt0s02.AAAAAAAA.${"C".repeat(64)}`,
          accountUrn: "urn:dtaccount:abc",
          tokenUrl: sso.url,
        },
      });
      await expect(dt.list()).rejects.toBeInstanceOf(AuthenticationError);
      expect(target.requests.map((r) => r.headers.authorization)).toEqual([
        "Bearer access-1",
        "Bearer access-2",
      ]);
      expect(sso.requests).toHaveLength(2);
    } finally {
      await Promise.all([target.close(), sso.close()]);
    }
  });
});

describe("redact", () => {
  test("masks platform tokens, OAuth secrets, access tokens and form secrets", () => {
    const platformToken = `dt0s16.ABCDEFGH.${"B".repeat(64)}`;
    const secret = `dt0s02.ABCDEFGH.${"C".repeat(64)}`;
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    const text = redact(
      `Authorization: Bearer ${jwt} ${platformToken} client_secret=${secret}&x=1 {"access_token":"opaque-1"} Bearer opaque-2`,
    );
    for (const s of [platformToken, secret, jwt, "B".repeat(64), "C".repeat(64), "opaque-1", "opaque-2"])
      expect(text).not.toContain(s);
    expect(text).toContain("dt0s16.ABCDEFGH.");
    expect(text).toContain("client_secret=[REDACTED]&x=1");
  });
});

// Where a secret may be written: one URL check for every URL the client accepts, and one redaction
// of every field an error shows, against real servers on 127.0.0.1 that echo secrets in every form.
import { inspect } from "node:util";
import { afterEach, describe, expect, test } from "vitest";
import {
  ApiTokensError,
  BadRequestError,
  checkUrl,
  createApiTokensClient,
  InvalidInputError,
  OAuthError,
  redact,
} from "../src/index.js";
import { json, makeSecret, startServer, type TestServer } from "./helpers.js";

const PLATFORM = "/platform/classic/environment-api/v2";
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function server(handler: Parameters<typeof startServer>[0]) {
  const started = await startServer(handler);
  servers.push(started);
  return started;
}

const b64 = (text: string) => Buffer.from(text).toString("base64");
const b64url = (text: string) => Buffer.from(text).toString("base64url");

/** Every encoded form of a secret this client promises never to show. */
function forms(secret: string): string[] {
  return [
    secret,
    secret.replaceAll(".", "%2E"),
    secret.replaceAll(".", "%2e"),
    secret.replaceAll(".", "\\u002e"),
    b64(secret),
    b64url(secret),
    b64(`client:${secret}`),
  ];
}

/** Everything an error shows: message, string, JSON, inspect (deep), every own field. */
function shown(error: unknown): string {
  const e = error as Error;
  return [
    String(e),
    e.message,
    JSON.stringify(e),
    inspect(e, { depth: 20, showHidden: true }),
    ...Object.values(e).map((v) => inspect(v, { depth: 20 })),
  ].join("\n");
}

function expectNoSecret(text: string, secret: string, privatePart: string) {
  expect(text).not.toContain(privatePart);
  for (const form of forms(secret)) expect(text).not.toContain(form);
}

describe("checkUrl: one check for every URL the client accepts", () => {
  test.each([
    ["environmentUrl", "https://abc.live.dynatrace.com", "https://abc.live.dynatrace.com/api/v2"],
    ["environmentUrl", "http://127.1:8080/e/x", "http://127.0.0.1:8080/e/x/api/v2"],
    [
      "oauth.tokenUrl",
      "https://sso.dynatrace.com/sso/oauth2/token",
      "https://sso.dynatrace.com/sso/oauth2/token",
    ],
    ["oauth.tokenUrl", "http://localhost:5960/sso/oauth2/token", "http://localhost:5960/sso/oauth2/token"],
    ["oauth.tokenUrl", " HTTPS://SSO.Example.com ", "https://sso.example.com/"],
  ] as const)("%s %j is accepted as %s", (param, input, url) => {
    expect(checkUrl(param, input)).toEqual({ ok: true, param, url });
  });

  test.each([
    ["sso.dynatrace.com/sso/oauth2/token", "is not an http(s) URL"],
    ["ftp://sso.dynatrace.com/token", "is not an http(s) URL"],
    // No host after `//` (URL parsers skip the extra slashes); checking an environment URL threw a TypeError.
    ["https:///sso.dynatrace.com/token", "has a slash where its host belongs"],
    ["http:////127.0.0.1:5960/token", "has a slash where its host belongs"],
    ["http://127.0.0.1:5960\\@sso.dynatrace.com/sso/oauth2/token", "holds a backslash"],
    ["https://evil.example\\.sso.dynatrace.com/token", "holds a backslash"],
    ["https://sso.dynatrace.com/sso/oauth2/ token", "holds whitespace"],
    ["https://user:hunter2@sso.dynatrace.com/sso/oauth2/token", "holds user info"],
    ["https://user@sso.dynatrace.com/sso/oauth2/token", "holds user info"],
    ["https://sso.dynatrace.com/token?x=1", "has a query or fragment"],
    ["https://sso.dynatrace.com/token#x", "has a query or fragment"],
    ["https://ex%ample.com/token", "has a host no URL can have"],
    ["https://sso.dynatrace.com:99999/token", "has a host no URL can have"],
    ["http://sso.example.com/token", "http:// would send the client secret in cleartext to sso.example.com"],
  ])("the token URL %j is refused: %s", (input, reason) => {
    const answer = checkUrl("oauth.tokenUrl", input);
    expect(answer).toMatchObject({ ok: false, param: "oauth.tokenUrl" });
    if (answer.ok) return;
    expect(answer.reason).toContain(reason);
    expect(answer.suggestion).toMatch(/^(use|remove) /);
    expect(`${answer.reason}${answer.suggestion}`).not.toContain("hunter2");
    // The environment URL gets the same answer for the same defect (its path rule aside).
    const asEnvironment = checkUrl("environmentUrl", input);
    expect(asEnvironment.ok).toBe(false);
  });

  test("http to another host passes only with allowInsecureHttp; loopback always", () => {
    expect(checkUrl("environmentUrl", "http://abc.example.com").ok).toBe(false);
    expect(checkUrl("environmentUrl", "http://abc.example.com", { allowInsecureHttp: true }).ok).toBe(true);
    expect(checkUrl("environmentUrl", "http://[::1]:1").ok).toBe(true);
    expect(checkUrl("environmentUrl", "http://app.localhost").ok).toBe(false);
  });

  test("a token URL with a backslash or user info is refused at creation: nothing reaches either host", async () => {
    const sso = await server((_r, res) => json(res, 200, { access_token: "a", token_type: "Bearer" }));
    const api = await server((_r, res) => json(res, 200, { apiTokens: [] }));
    const port = new URL(sso.url).port;
    const secret = `dt0s02.AAAAAAAA.${"C".repeat(64)}`;
    for (const tokenUrl of [
      `http://127.0.0.1:${port}\\@sso.dynatrace.com/sso/oauth2/token`,
      `http://admin:hunter2@127.0.0.1:${port}/sso/oauth2/token`,
    ]) {
      let error: unknown;
      try {
        createApiTokensClient({
          environmentUrl: `${api.url}${PLATFORM}`,
          oauth: {
            clientId: "dt0s02.AAAAAAAA",
            clientSecret: secret,
            accountUrn: "urn:dtaccount:x",
            tokenUrl,
          },
        });
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).toMatch(/^oauth\.tokenUrl: .* holds (a backslash|user info)/);
      expect(shown(error)).not.toContain("hunter2");
      expect(shown(error)).not.toContain("C".repeat(64));
    }
    expect(sso.requests).toHaveLength(0);
    expect(api.requests).toHaveLength(0);
  });
});

describe("redact: the encoded forms of a secret", () => {
  test.each([
    ["percent-encoded dots (upper case)", (s: string) => s.replaceAll(".", "%2E")],
    ["percent-encoded dots (lower case)", (s: string) => s.replaceAll(".", "%2e")],
    ["JSON-escaped dots", (s: string) => s.replaceAll(".", "\\u002e")],
    ["base64", b64],
    ["base64url", b64url],
    ["HTTP Basic credentials", (s: string) => `Authorization: Basic ${b64(`dt0s02.AAAAAAAA:${s}`)}`],
    ["HTTP Basic credentials with an opaque secret", () => `Basic ${b64("my-client:opaque-secret")}`],
    // A run of base64 characters that starts before the encoding (`/` and `-` are base64 too).
    ["base64 at the end of a URL path", (s: string) => `/api/v2/apiTokens/${b64(s)}`],
    ["base64url at the end of a URL path", (s: string) => `/api/v2/apiTokens/${b64url(s)}`],
    ["base64url after a dash", (s: string) => `id-${b64url(s)}`],
    ["base64 after three letters", (s: string) => `abc${b64(s)}`],
  ])("%s", (_what, encode) => {
    const { secret, privatePart } = makeSecret();
    const text = `before ${encode(secret)} after`;
    const out = redact(text);
    expect(out).not.toBe(text);
    expect(out).toMatch(/^before .*\[REDACTED\].* after$/);
    expectNoSecret(out, secret, privatePart);
    expect(out).not.toContain(b64("my-client:opaque-secret"));
  });

  test("a JWT and a secret whose dots are encoded: redacted by the formats of @dt-tokens/types", () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    const { secret, id, privatePart } = makeSecret();
    for (const dot of ["%2E", "%2e", "%252E", "\\u002e"]) {
      const out = redact(`a ${jwt.replaceAll(".", dot)} b ${secret.replaceAll(".", dot)} c`);
      expect(out).toBe(`a [REDACTED] b ${id.replace(".", dot)}${dot}[REDACTED] c`);
      expect(out).not.toContain(privatePart);
    }
  });

  test("prose and URLs stay readable", () => {
    for (const text of [
      "Basic authentication failed: send the client id and secret",
      "GET https://abc.live.dynatrace.com/platform/classic/environment-api/v2/apiTokens failed",
      "environment-api:api-tokens:read environment-api:api-tokens:write",
    ])
      expect(redact(text)).toBe(text);
  });
});

describe("one redaction at the error boundary: every field an error shows", () => {
  test("an SSO that echoes the client secret in error, error_description, message and the status text", async () => {
    const { secret, privatePart } = makeSecret();
    const clientSecret = `dt0s02.AAAAAAAA.${privatePart}`;
    const sso = await server((_req, res) => {
      res.writeHead(401, `bad ${clientSecret.replaceAll(".", "%2E")}`, {
        "content-type": "application/json",
        "x-request-id": b64(clientSecret),
      });
      res.end(
        JSON.stringify({
          error: clientSecret,
          error_description: `Basic ${b64(`dt0s02.AAAAAAAA:${clientSecret}`)} and ${secret.replaceAll(".", "\\u002e")}`,
        }),
      );
    });
    const api = await server((_r, res) => json(res, 200, { apiTokens: [] }));
    const dt = createApiTokensClient({
      environmentUrl: `${api.url}${PLATFORM}`,
      oauth: { clientId: "dt0s02.AAAAAAAA", clientSecret, accountUrn: "urn:dtaccount:x", tokenUrl: sso.url },
    });
    const error = await dt.list().catch((e) => e);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error.oauthError).toBe("dt0s02.AAAAAAAA.[REDACTED]");
    expectNoSecret(shown(error), clientSecret, privatePart);
    expectNoSecret(shown(error), secret, privatePart);
    expect(api.requests).toHaveLength(0);
  });

  test("an API that echoes the token in its message, status text and headers, base64 or with encoded dots", async () => {
    const { secret, privatePart } = makeSecret();
    const api = await server((_req, res) => {
      res.writeHead(400, `no ${secret.replaceAll(".", "%2e")}`, {
        "content-type": "application/json",
        "x-request-id": b64url(secret),
        traceparent: `Basic ${b64(`u:${secret}`)}`,
      });
      res.end(
        JSON.stringify({
          error: {
            code: 400,
            message: `bad ${b64(secret)} or ${secret.replaceAll(".", "\\u002e")}`,
            constraintViolations: [{ path: b64url(secret), message: secret.replaceAll(".", "%2E") }],
          },
        }),
      );
    });
    const dt = createApiTokensClient({ environmentUrl: api.url, token: secret, maxRetries: 0 });
    const error = await dt.get("dt0c01.X").catch((e) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expectNoSecret(shown(error), secret, privatePart);
    // The status text is used when the body has no message.
    const bare = await server((_req, res) => {
      res.writeHead(400, `no ${b64(secret)}`, { "content-type": "text/plain" });
      res.end("nope");
    });
    const fromStatus = await createApiTokensClient({ environmentUrl: bare.url, token: secret, maxRetries: 0 })
      .get("dt0c01.X")
      .catch((e) => e);
    expect(fromStatus).toBeInstanceOf(ApiTokensError);
    // The base64 of the public part (`dt0c01.<id>.`) stays; from the secret on it is redacted.
    expect(fromStatus.message).toMatch(/failed with 400: no [\w+/]*\[REDACTED\]/);
    expectNoSecret(shown(fromStatus), secret, privatePart);
  });
});

test("a secret in base64 in a raw request's path is redacted in request.url and the message", async () => {
  const { secret, privatePart } = makeSecret();
  // A redirect: raw throws (a RedirectError) instead of answering the error body.
  const api = await server((req, res) => {
    res.writeHead(302, { location: req.url });
    res.end();
  });
  const dt = createApiTokensClient({ environmentUrl: api.url, token: secret, maxRetries: 0 });
  for (const encoded of [b64(secret), b64url(secret)]) {
    const error = await dt.raw
      .GET("/apiTokens/{id}", { params: { path: { id: encoded } } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiTokensError);
    expect((error as ApiTokensError).request?.url).toMatch(
      new RegExp(`^${api.url}/api/v2/apiTokens/\\w*\\[REDACTED\\]$`),
    );
    expectNoSecret(shown(error), secret, privatePart);
    expect(shown(error)).not.toContain(encoded.slice(-40));
  }
  expect(api.requests).toHaveLength(2);
});

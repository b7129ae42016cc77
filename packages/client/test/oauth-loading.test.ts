// The OAuth code is loaded on first use (a dynamic import, its own chunk in dist/): what happens when
// that load is slow, fails or is shared by concurrent first calls. SSO is a real node:http server.
import { afterEach, expect, test } from "vitest";
import { type LoadOAuth, oauthCredentials } from "../src/credentials.js";
import { ConnectionError } from "../src/index.js";
import { checkOAuthOptions } from "../src/oauth-options.js";
import { json, startServer, type TestServer } from "./helpers.js";

let sso: TestServer | undefined;
afterEach(() => sso?.close());

async function setup(load: LoadOAuth) {
  sso = await startServer((_req, res) =>
    json(res, 200, { access_token: "opaque-access", token_type: "Bearer", expires_in: 300 }),
  );
  const client = checkOAuthOptions({
    clientId: "dt0s02.AAAAAAAA",
    clientSecret: `dt0s02.AAAAAAAA.${"C".repeat(64)}`,
    accountUrn: "urn:dtaccount:abc",
    tokenUrl: sso.url,
  });
  const settings = {
    fetch,
    timeoutMs: 5000,
    deadlineMs: 10_000,
    maxRetries: 0,
    retryDelayMs: 1,
    maxRetryDelayMs: 1000,
  };
  return oauthCredentials(client, settings, load);
}

const context = () => ({ attempt: 1, signal: new AbortController().signal });
const realLoad: LoadOAuth = () => import("../src/oauth.js");

test("a load that fails is a ConnectionError naming it, with the cause kept; the next call loads again", async () => {
  let loads = 0;
  const credentials = await setup(() => {
    loads++;
    return loads === 1
      ? Promise.reject(new TypeError("Failed to fetch dynamically imported module"))
      : realLoad();
  });
  const failed = await Promise.resolve(credentials.authorizationFor(context())).catch((e: unknown) => e);
  expect(failed).toBeInstanceOf(ConnectionError);
  expect((failed as Error).message).toMatch(
    /loading the OAuth code of @dt-tokens\/client failed: Failed to fetch/,
  );
  expect((failed as Error).cause).toBeInstanceOf(TypeError);
  expect(sso!.requests).toHaveLength(0);
  expect(await credentials.authorizationFor(context())).toBe("Bearer opaque-access");
  expect(loads).toBe(2);
});

test("concurrent first calls share one load and one request to SSO", async () => {
  let loads = 0;
  const credentials = await setup(async () => {
    loads++;
    await new Promise((resolve) => setTimeout(resolve, 20));
    return realLoad();
  });
  const values = await Promise.all(Array.from({ length: 10 }, () => credentials.authorizationFor(context())));
  expect(new Set(values)).toEqual(new Set(["Bearer opaque-access"]));
  expect(loads).toBe(1);
  expect(sso!.requests).toHaveLength(1);
});

test("a 401 before the code has loaded asks for nothing; after it, the token is dropped and fetched again", async () => {
  const credentials = await setup(realLoad);
  expect(credentials.rejected?.("Bearer opaque-access", false)).toBe("retry");
  expect(await credentials.authorizationFor(context())).toBe("Bearer opaque-access");
  expect(credentials.rejected?.("Bearer opaque-access", false)).toBe("retry");
  expect(await credentials.authorizationFor(context())).toBe("Bearer opaque-access");
  expect(sso!.requests).toHaveLength(2);
  // The fresh token of a retry refused too: the credentials are refused, and stay so.
  expect(credentials.rejected?.("Bearer opaque-access", true)).toMatchObject({ refused: expect.any(String) });
  expect(credentials.rejected?.("Bearer opaque-access", false)).toMatchObject({
    refused: expect.any(String),
  });
  expect(await credentials.authorizationFor(context())).toBe("Bearer opaque-access");
  expect(sso!.requests).toHaveLength(2);
});

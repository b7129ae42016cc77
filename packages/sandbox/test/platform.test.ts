/**
 * Platform authentication in the sandbox: Bearer platform tokens and OAuth access tokens on the
 * platform prefix only, Api-Token on /api/v2 only, the SSO token endpoint, expiry, revocation.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequestLogEntry } from "../src/index.js";
import { api, start } from "./helpers.js";

const PLATFORM = "/platform/classic/environment-api/v2";
const READ = "environment-api:api-tokens:read";
const WRITE = "environment-api:api-tokens:write";

let clock = Date.parse("2025-06-01T12:00:00.000Z");
let sandbox: Awaited<ReturnType<typeof start>>;
let dir: string;
const log: RequestLogEntry[] = [];

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function grant(fields: Record<string, string>, contentType = "application/x-www-form-urlencoded") {
  const response = await fetch(sandbox.tokenUrl, {
    method: "POST",
    headers: { "content-type": contentType },
    body: new URLSearchParams(fields).toString(),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) };
}

function clientGrant(overrides: Record<string, string> = {}) {
  return grant({
    grant_type: "client_credentials",
    client_id: sandbox.oauthClientId!,
    client_secret: sandbox.oauthClientSecret!,
    scope: `${READ} ${WRITE}`,
    resource: sandbox.accountUrn,
    ...overrides,
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dt-platform-"));
  sandbox = await start({
    now: () => clock,
    database: join(dir, "tokens.db"),
    accessTokenTtlSeconds: 60,
    log: (entry) => log.push(entry),
  });
});
afterAll(async () => {
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

describe("platform credentials of a new sandbox", () => {
  it("generates a platform token and an OAuth client, with the URLs to use them", () => {
    expect(sandbox.platformToken).toMatch(/^dt0s16\.[A-Z2-7]{8}\.[A-Z2-7]{64}$/);
    expect(sandbox.oauthClientId).toMatch(/^dt0s02\.[A-Z2-7]{8}$/);
    expect(sandbox.oauthClientSecret).toMatch(/^dt0s02\.[A-Z2-7]{8}\.[A-Z2-7]{64}$/);
    expect(sandbox.oauthClientSecret!.startsWith(`${sandbox.oauthClientId}.`)).toBe(true);
    expect(sandbox.platformCredentialsGenerated).toBe(true);
    expect(sandbox.platformBase).toBe(`${sandbox.url}${PLATFORM}`);
    expect(sandbox.tokenUrl).toBe(`${sandbox.url}/sso/oauth2/token`);
    expect(sandbox.accountUrn).toMatch(
      /^urn:dtaccount:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe("schemes by prefix", () => {
  it("takes Bearer platform tokens on the platform prefix; tokens created so are owned by the token's user", async () => {
    const list = await api(sandbox, "GET", "/apiTokens", {
      prefix: PLATFORM,
      headers: bearer(sandbox.platformToken!),
    });
    expect(list.status).toBe(200);
    const created = await api(sandbox, "POST", "/apiTokens", {
      prefix: PLATFORM,
      headers: bearer(sandbox.platformToken!),
      body: { name: "via platform", scopes: ["metrics.read"] },
    });
    expect(created.status).toBe(201);
    const got = await api(sandbox, "GET", `/apiTokens/${created.body.id}`, {
      prefix: PLATFORM,
      headers: bearer(sandbox.platformToken!),
    });
    expect(got.body.owner).toBe("admin@example.com");
    const lookup = await api(sandbox, "POST", "/apiTokens/lookup", {
      prefix: PLATFORM,
      headers: bearer(sandbox.platformToken!),
      body: { token: created.body.token },
    });
    expect(lookup.body.id).toBe(created.body.id);
    const update = await api(sandbox, "PUT", `/apiTokens/${created.body.id}`, {
      prefix: PLATFORM,
      headers: bearer(sandbox.platformToken!),
      body: { enabled: false },
    });
    expect(update.status).toBe(204);
    const remove = await api(sandbox, "DELETE", `/apiTokens/${created.body.id}`, {
      prefix: PLATFORM,
      headers: bearer(sandbox.platformToken!),
    });
    expect(remove.status).toBe(204);
  });

  it.each([
    ["an API token on the platform prefix", PLATFORM, () => `Api-Token ${sandbox.token}`, "Bearer"],
    ["a platform token on /api/v2", "/api/v2", () => `Bearer ${sandbox.platformToken}`, "Api-Token"],
    [
      "a platform token on Managed /e/<id>/api/v2",
      "/e/<environmentId>/api/v2",
      () => `Bearer ${sandbox.platformToken}`,
      "Api-Token",
    ],
  ])("refuses %s with a 401 naming the expected scheme", async (_what, template, header, expectedScheme) => {
    const prefix = template.replace("<environmentId>", sandbox.environmentId);
    const r = await api(sandbox, "GET", "/apiTokens", { prefix, headers: { authorization: header() } });
    expect(r.status).toBe(401);
    expect(r.body.error.message).toContain(`Authorization: ${expectedScheme}`);
    expect(r.text).not.toContain(sandbox.token);
    expect(r.text).not.toContain(sandbox.platformToken);
  });

  it("refuses the api-token query parameter on the platform prefix", async () => {
    const r = await api(sandbox, "GET", `/apiTokens?api-token=${sandbox.token}`, { prefix: PLATFORM });
    expect(r.status).toBe(401);
    expect(r.body.error.message).toContain("Bearer");
  });

  it("refuses a missing credential on the platform prefix, naming Bearer", async () => {
    const r = await api(sandbox, "GET", "/apiTokens", { prefix: PLATFORM });
    expect(r.status).toBe(401);
    expect(r.body.error.message).toContain("Bearer");
  });
});

describe("platform tokens", () => {
  it("answers unknown, disabled and expired platform tokens as Dynatrace does", async () => {
    const unknown = `dt0s16.${"A".repeat(8)}.${"B".repeat(64)}`;
    const u = await api(sandbox, "GET", "/apiTokens", { prefix: PLATFORM, headers: bearer(unknown) });
    expect([u.status, u.body.error.message]).toEqual([401, "Token Authentication failed."]);

    const disabled = sandbox.createPlatformToken({ owner: "d@example.com", scopes: [READ], enabled: false });
    const d = await api(sandbox, "GET", "/apiTokens", { prefix: PLATFORM, headers: bearer(disabled.token) });
    expect([d.status, d.body.error.message]).toEqual([401, "Token is disabled."]);

    const expiring = sandbox.createPlatformToken({
      owner: "e@example.com",
      scopes: [READ],
      expiresAt: clock + 1000,
    });
    const before = await api(sandbox, "GET", "/apiTokens", {
      prefix: PLATFORM,
      headers: bearer(expiring.token),
    });
    expect(before.status).toBe(200);
    clock += 1000;
    const after = await api(sandbox, "GET", "/apiTokens", {
      prefix: PLATFORM,
      headers: bearer(expiring.token),
    });
    expect([after.status, after.body.error.message]).toEqual([401, "Token is expired."]);
  });

  it("checks platform scopes and names the missing one", async () => {
    const reader = sandbox.createPlatformToken({ owner: "r@example.com", scopes: [READ] });
    expect(
      (await api(sandbox, "GET", "/apiTokens", { prefix: PLATFORM, headers: bearer(reader.token) })).status,
    ).toBe(200);
    const create = await api(sandbox, "POST", "/apiTokens", {
      prefix: PLATFORM,
      headers: bearer(reader.token),
      body: { name: "x", scopes: ["metrics.read"] },
    });
    expect(create.status).toBe(403);
    expect(create.body.error.message).toContain(WRITE);
    const none = sandbox.createPlatformToken({ owner: "n@example.com", scopes: ["storage:logs:read"] });
    const list = await api(sandbox, "GET", "/apiTokens", { prefix: PLATFORM, headers: bearer(none.token) });
    expect(list.status).toBe(403);
    expect(list.body.error.message).toContain(READ);
  });
});

describe("the SSO token endpoint", () => {
  it("issues a Bearer access token that works on the platform prefix, owned by the client's service user", async () => {
    const r = await clientGrant();
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control")).toBe("no-store");
    expect(r.body).toEqual({
      access_token: expect.stringMatching(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/),
      token_type: "Bearer",
      expires_in: 60,
      scope: `${READ} ${WRITE}`,
      resource: sandbox.accountUrn,
    });
    const created = await api(sandbox, "POST", "/apiTokens", {
      prefix: PLATFORM,
      headers: bearer(r.body.access_token),
      body: { name: "via oauth", scopes: ["metrics.read"] },
    });
    expect(created.status).toBe(201);
    const got = await api(sandbox, "GET", `/apiTokens/${created.body.id}`, {
      prefix: PLATFORM,
      headers: bearer(r.body.access_token),
    });
    expect(got.body.owner).toBe("service-user@example.com");
    // an access token is a Bearer credential: /api/v2 refuses it
    const classic = await api(sandbox, "GET", "/apiTokens", { headers: bearer(r.body.access_token) });
    expect(classic.status).toBe(401);
  });

  it("grants only the scopes asked for", async () => {
    const r = await clientGrant({ scope: READ });
    expect(r.body.scope).toBe(READ);
    const create = await api(sandbox, "POST", "/apiTokens", {
      prefix: PLATFORM,
      headers: bearer(r.body.access_token),
      body: { name: "x", scopes: ["metrics.read"] },
    });
    expect(create.status).toBe(403);
  });

  it.each([
    ["a wrong secret", { client_secret: `${"dt0s02.AAAAAAAA"}.${"C".repeat(64)}` }, 400, "invalid_client"],
    [
      "an unknown client",
      { client_id: "dt0s02.ZZZZZZZZ", client_secret: `dt0s02.ZZZZZZZZ.${"C".repeat(64)}` },
      400,
      "invalid_client",
    ],
    ["a scope the client lacks", { scope: `${READ} settings:objects:write` }, 400, "invalid_scope"],
    [
      "another account",
      { resource: "urn:dtaccount:00000000-0000-4000-8000-000000000000" },
      400,
      "invalid_target",
    ],
    ["another grant type", { grant_type: "password" }, 400, "unsupported_grant_type"],
    ["no client secret", { client_secret: "" }, 400, "invalid_request"],
  ])("refuses %s with an OAuth error that repeats no secret", async (_what, overrides, status, error) => {
    const r = await clientGrant(overrides);
    expect(r.status).toBe(status);
    expect(r.body.error).toBe(error);
    expect(typeof r.body.error_description).toBe("string");
    expect(r.text).not.toContain(sandbox.oauthClientSecret);
    expect(r.text).not.toContain("C".repeat(64));
  });

  it("refuses a grant that is not form-encoded", async () => {
    const r = await grant({ grant_type: "client_credentials" }, "application/json");
    expect(r.status).toBe(415);
    expect(r.body.error).toBe("invalid_request");
  });

  it("expires access tokens after expires_in, with an invalid_token challenge", async () => {
    const r = await clientGrant();
    const ok = await api(sandbox, "GET", "/apiTokens", {
      prefix: PLATFORM,
      headers: bearer(r.body.access_token),
    });
    expect(ok.status).toBe(200);
    clock += 60_000;
    const expired = await api(sandbox, "GET", "/apiTokens", {
      prefix: PLATFORM,
      headers: bearer(r.body.access_token),
    });
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toContain("expired");
    expect(expired.headers.get("www-authenticate")).toMatch(/^Bearer error="invalid_token"/);
  });

  it("refuses a tampered access token", async () => {
    const r = await clientGrant();
    const [header, payload] = r.body.access_token.split(".");
    const forged = `${header}.${payload}.${"A".repeat(43)}`;
    const res = await api(sandbox, "GET", "/apiTokens", { prefix: PLATFORM, headers: bearer(forged) });
    expect(res.status).toBe(401);
  });

  it("revoking an OAuth client revokes its access tokens and refuses new grants", async () => {
    const client = sandbox.createOAuthClient({ owner: "robot@example.com", scopes: [READ] });
    const r = await grant({
      grant_type: "client_credentials",
      client_id: client.clientId,
      client_secret: client.clientSecret,
      scope: READ,
      resource: sandbox.accountUrn,
    });
    expect(r.status).toBe(200);
    expect(sandbox.setOAuthClientEnabled(client.clientId, false)).toBe(true);
    const refused = await api(sandbox, "GET", "/apiTokens", {
      prefix: PLATFORM,
      headers: bearer(r.body.access_token),
    });
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toContain("revoked");
    const again = await grant({
      grant_type: "client_credentials",
      client_id: client.clientId,
      client_secret: client.clientSecret,
      scope: READ,
    });
    expect([again.status, again.body.error]).toEqual([400, "invalid_client"]);
  });
});

describe("secrets", () => {
  it("keeps no platform secret in the database or the request log", async () => {
    const access = (await clientGrant()).body.access_token as string;
    await api(sandbox, "GET", "/apiTokens", { prefix: PLATFORM, headers: bearer(access) });
    const files = ["tokens.db", "tokens.db-wal"].map((f) => {
      try {
        return readFileSync(join(dir, f)).toString("latin1");
      } catch {
        return "";
      }
    });
    const bytes = files.join("");
    for (const secret of [sandbox.platformToken!, sandbox.oauthClientSecret!, access]) {
      expect(bytes).not.toContain(secret);
      expect(bytes).not.toContain(secret.slice(-64));
      expect(JSON.stringify(log)).not.toContain(secret);
    }
    const platformEntry = log.find((e) => e.path.startsWith(PLATFORM) && e.status === 200);
    expect(platformEntry?.tokenId).toMatch(/^dt0s(16|02)\.[A-Z2-7]{8}$/);
    expect(log.some((e) => e.path === "/sso/oauth2/token")).toBe(true);
  });
});

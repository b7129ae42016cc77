/**
 * Dynatrace's own SDK (@dynatrace-sdk/client-classic-environment-v2 5.2.3 with PlatformHttpClient,
 * which uses the /platform/classic/environment-api/v2 prefix) against the sandbox: all six
 * operations and the errors it throws, with a Bearer platform token and with an OAuth access token
 * from the sandbox's SSO endpoint; an Api-Token there is refused as on Dynatrace's platform.
 */
import {
  AccessTokensApiTokensClient,
  ErrorEnvelopeError,
  isErrorEnvelopeError,
} from "@dynatrace-sdk/client-classic-environment-v2";
import { PlatformHttpClient } from "@dynatrace-sdk/http-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { start } from "./helpers.js";

let sandbox: Awaited<ReturnType<typeof start>>;

function sdk(authorization?: string): AccessTokensApiTokensClient {
  const defaultHeaders: Record<string, string> = authorization ? { Authorization: authorization } : {};
  return new AccessTokensApiTokensClient(new PlatformHttpClient({ baseUrl: sandbox.url, defaultHeaders }));
}

async function failure(
  promise: Promise<unknown>,
): Promise<Error & { response?: { status: number }; body?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { response?: { status: number } };
  }
  throw new Error("expected the call to fail");
}

/** An access token from the sandbox's SSO endpoint (client-credentials grant). */
async function accessToken(clientId: string, clientSecret: string, scope: string): Promise<string> {
  const response = await fetch(sandbox.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: clientSecret,
      scope,
      resource: sandbox.accountUrn,
    }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

const READ = "environment-api:api-tokens:read";
const WRITE = "environment-api:api-tokens:write";

beforeAll(async () => {
  sandbox = await start();
});
afterAll(() => sandbox.close());

describe.each([
  {
    credential: "a Bearer platform token",
    owner: "admin@example.com",
    bearer: async () => sandbox.platformToken!,
    readOnly: async () => sandbox.createPlatformToken({ owner: "reader@example.com", scopes: [READ] }).token,
    writeOnly: async () =>
      sandbox.createPlatformToken({ owner: "writer@example.com", scopes: [WRITE] }).token,
  },
  {
    credential: "a Bearer OAuth access token",
    owner: "service-user@example.com",
    bearer: () => accessToken(sandbox.oauthClientId!, sandbox.oauthClientSecret!, `${READ} ${WRITE}`),
    readOnly: async () => {
      const client = sandbox.createOAuthClient({ owner: "robot@example.com", scopes: [READ] });
      return accessToken(client.clientId, client.clientSecret, READ);
    },
    writeOnly: async () => {
      const client = sandbox.createOAuthClient({ owner: "writer-robot@example.com", scopes: [WRITE] });
      return accessToken(client.clientId, client.clientSecret, WRITE);
    },
  },
])("Dynatrace's SDK with $credential", ({ owner, bearer, readOnly, writeOnly }) => {
  let client: AccessTokensApiTokensClient;
  beforeAll(async () => {
    client = sdk(`Bearer ${await bearer()}`);
    sandbox.reset();
  });

  it("runs all six operations and gets the expected results", async () => {
    const created = await client.createApiToken({
      body: { name: "from-sdk", scopes: ["metrics.read", "logs.ingest"], expirationDate: "now+14d" },
    });
    const id = created.id!;
    const secret = created.token!;
    expect(id).toMatch(/^dt0c01\.[A-Z2-7]{24}$/);
    expect(secret).toMatch(/^dt0c01\.[A-Z2-7]{24}\.[A-Z2-7]{64}$/);
    expect(created.expirationDate).toBeDefined();

    const list = await client.listApiTokens({
      pageSize: 100,
      fields: "+scopes,+expirationDate",
      sort: "name",
    });
    expect(list.totalCount).toBe(2);
    expect(list.nextPageKey ?? null).toBeNull();
    expect(list.apiTokens?.map((t) => t.name)).toEqual(["from-sdk", "sandbox-bootstrap"]);
    expect(list.apiTokens?.[0]?.scopes).toEqual(["metrics.read", "logs.ingest"]);

    const got = await client.getApiToken({ id: id });
    // a token created through platform auth belongs to the calling user or service user
    expect(got).toMatchObject({ id: id, name: "from-sdk", owner, enabled: true });

    const looked = await client.lookupApiToken({ body: { token: secret } });
    expect(looked.id).toBe(id);

    await expect(
      client.updateApiToken({ id: id, body: { name: "renamed", scopes: ["events.read"] } }),
    ).resolves.toBeUndefined();
    const updated = await client.getApiToken({ id: id });
    expect(updated).toMatchObject({ name: "renamed", scopes: ["events.read"] });
    expect(updated.modifiedDate).toBeDefined();

    await expect(client.deleteApiToken({ id: id })).resolves.toBeUndefined();
    const gone = await failure(client.getApiToken({ id: id }));
    expect(gone.response?.status).toBe(404);
  });

  it("pages with nextPageKey", async () => {
    sandbox.seed(Array.from({ length: 150 }, (_, i) => ({ name: `bulk-${i}` })));
    const first = await client.listApiTokens({ pageSize: 100 });
    expect(first.apiTokens).toHaveLength(100);
    expect(first.nextPageKey).toBeTruthy();
    const second = await client.listApiTokens({ nextPageKey: first.nextPageKey! });
    expect(second.apiTokens).toHaveLength(51);
    expect(second.nextPageKey ?? null).toBeNull();
    sandbox.reset();
  });

  it("gets an ErrorEnvelopeError with constraint violations for a 400", async () => {
    const error = await failure(client.createApiToken({ body: { name: "", scopes: [] } }));
    expect(error).toBeInstanceOf(ErrorEnvelopeError);
    expect(isErrorEnvelopeError(error)).toBe(true);
    const e = error as ErrorEnvelopeError;
    expect(e.response.status).toBe(400);
    expect(e.body.error?.constraintViolations?.map((v) => v.path).sort()).toEqual(["name", "scopes"]);
    const page = await failure(client.listApiTokens({ pageSize: 5 }));
    expect(page).toBeInstanceOf(ErrorEnvelopeError);
  });

  it("gets an ErrorEnvelopeError for a 403 naming the platform scope", async () => {
    const error = await failure(
      sdk(`Bearer ${await readOnly()}`).createApiToken({ body: { name: "x", scopes: ["metrics.read"] } }),
    );
    expect(error).toBeInstanceOf(ErrorEnvelopeError);
    expect((error as ErrorEnvelopeError).response.status).toBe(403);
    expect(error.message).toBe(`Token is missing required scope. Use one of: ${WRITE}`);
  });

  it("gets a 403 ErrorEnvelopeError from every operation whose scope the credential lacks", async () => {
    const id = `dt0c01.${"Q".repeat(24)}`;
    const secret = `${id}.${"A".repeat(64)}`;
    const reader = sdk(`Bearer ${await readOnly()}`);
    const writer = sdk(`Bearer ${await writeOnly()}`);
    for (const [call, scope] of [
      [() => reader.updateApiToken({ id, body: { name: "x" } }), WRITE],
      [() => reader.deleteApiToken({ id }), WRITE],
      [() => writer.listApiTokens(), READ],
      [() => writer.getApiToken({ id }), READ],
      // on the platform, lookup needs the read scope, as the SDK documents
      [() => writer.lookupApiToken({ body: { token: secret } }), READ],
    ] as const) {
      const error = await failure(call());
      expect(error).toBeInstanceOf(ErrorEnvelopeError);
      expect((error as ErrorEnvelopeError).response.status).toBe(403);
      expect(error.message).toBe(`Token is missing required scope. Use one of: ${scope}`);
    }
    const lookedUp = await failure(reader.lookupApiToken({ body: { token: secret } }));
    expect(lookedUp.response?.status).toBe(404);
  });

  it("gets a 404 error carrying the sandbox's ErrorEnvelope for unknown tokens", async () => {
    const unknown = `dt0c01.${"Q".repeat(24)}`;
    for (const call of [
      () => client.getApiToken({ id: unknown }),
      () => client.deleteApiToken({ id: unknown }),
      () => client.updateApiToken({ id: unknown, body: { name: "x" } }),
      () => client.lookupApiToken({ body: { token: `${unknown}.${"A".repeat(64)}` } }),
    ]) {
      const error = await failure(call());
      expect(error.response?.status).toBe(404);
      expect(error.body).toMatchObject({ error: { code: 404 } });
    }
  });
});

describe("Dynatrace's SDK with a wrong or missing credential", () => {
  it("gets an ErrorEnvelopeError for a 401: none, an unknown platform token, an API token (Api-Token)", async () => {
    for (const [c, message] of [
      [sdk(), /Missing authorization header.*Bearer/],
      [sdk(`Bearer dt0s16.${"A".repeat(8)}.${"B".repeat(64)}`), /^Token Authentication failed\.$/],
      [sdk(`Api-Token ${sandbox.token}`), /accepts only Bearer/],
    ] as const) {
      const error = await failure(c.listApiTokens());
      expect(error).toBeInstanceOf(ErrorEnvelopeError);
      expect((error as ErrorEnvelopeError).response.status).toBe(401);
      expect(error.message).toMatch(message);
    }
  });

  it("gets a 401 for an access token of a revoked OAuth client", async () => {
    const robot = sandbox.createOAuthClient({ owner: "robot@example.com", scopes: [READ] });
    const client = sdk(`Bearer ${await accessToken(robot.clientId, robot.clientSecret, READ)}`);
    await expect(client.listApiTokens()).resolves.toBeDefined();
    sandbox.setOAuthClientEnabled(robot.clientId, false);
    const error = await failure(client.listApiTokens());
    expect((error as ErrorEnvelopeError).response.status).toBe(401);
  });
});

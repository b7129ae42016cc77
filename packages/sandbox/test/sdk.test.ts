/**
 * Dynatrace's own SDK (@dynatrace-sdk/client-classic-environment-v2, which uses the
 * /platform/classic/environment-api/v2 prefix) against the sandbox: all six operations, and the
 * error classes it throws for the sandbox's errors.
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
let client: AccessTokensApiTokensClient;

function sdk(token?: string): AccessTokensApiTokensClient {
  const defaultHeaders: Record<string, string> = token ? { Authorization: `Api-Token ${token}` } : {};
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

beforeAll(async () => {
  sandbox = await start();
  client = sdk(sandbox.token);
});
afterAll(() => sandbox.close());

describe("Dynatrace's SDK", () => {
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
    expect(got).toMatchObject({ id: id, name: "from-sdk", owner: "admin", enabled: true });

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

  it("gets an ErrorEnvelopeError for a 401 (no token, unknown token)", async () => {
    for (const c of [sdk(), sdk(`dt0c01.${"A".repeat(24)}.${"B".repeat(64)}`)]) {
      const error = await failure(c.listApiTokens());
      expect(error).toBeInstanceOf(ErrorEnvelopeError);
      expect((error as ErrorEnvelopeError).response.status).toBe(401);
    }
  });

  it("gets an ErrorEnvelopeError for a 403 with Dynatrace's message", async () => {
    const [reader] = sandbox.seed([{ name: "reader", scopes: ["apiTokens.read"] }]);
    const error = await failure(
      sdk(reader!.token).createApiToken({ body: { name: "x", scopes: ["metrics.read"] } }),
    );
    expect(error).toBeInstanceOf(ErrorEnvelopeError);
    expect((error as ErrorEnvelopeError).response.status).toBe(403);
    expect(error.message).toBe(
      "Token is missing required scope. Use one of: apiTokens.write (Write API tokens)",
    );
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

  it("gets a 400 for deleting its own token", async () => {
    const error = await failure(client.deleteApiToken({ id: sandbox.token.slice(0, 31) }));
    expect(error).toBeInstanceOf(ErrorEnvelopeError);
    expect((error as ErrorEnvelopeError).response.status).toBe(400);
  });
});

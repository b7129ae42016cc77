import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, PREFIXES, start } from "./helpers.js";

describe("a sandbox on port 0", () => {
  let sandbox: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    sandbox = await start();
  });
  afterAll(() => sandbox.close());

  it("listens on 127.0.0.1 and reports its bases", () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.port).toBeGreaterThan(0);
    expect(sandbox.apiBase).toBe(`${sandbox.url}/api/v2`);
    expect(sandbox.platformApiBase).toBe(`${sandbox.url}/platform/classic/environment-api/v2`);
    expect(sandbox.bootstrapToken).toMatch(/^dt0c01\.[A-Z2-7]{24}\.[A-Z2-7]{64}$/);
    expect(sandbox.bootstrapTokenGenerated).toBe(true);
  });

  it.each([...PREFIXES, "/e/abc12345/api/v2"])("serves the API under %s", async (prefix) => {
    const r = await api(sandbox, "GET", "/apiTokens?fields=%2Bscopes,%2BpersonalAccessToken", {
      token: sandbox.token,
      prefix,
    });
    expect(r.status).toBe(200);
    expect(r.body.totalCount).toBe(1);
    expect(r.body.apiTokens[0]).toMatchObject({
      name: "sandbox-bootstrap",
      owner: "admin",
      enabled: true,
      personalAccessToken: false,
      scopes: ["apiTokens.read", "apiTokens.write"],
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, PREFIXES, start, validateResponse } from "./helpers.js";

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

  it.each([...PREFIXES, "/e/<environmentId>/api/v2"])("serves the API under %s", async (template) => {
    const prefix = template.replace("<environmentId>", sandbox.environmentId);
    // the platform prefix takes Bearer platform tokens, the others Api-Token
    const platform = prefix.startsWith("/platform/");
    const r = await api(sandbox, "GET", "/apiTokens?fields=%2Bscopes,%2BpersonalAccessToken", {
      ...(platform
        ? { headers: { authorization: `Bearer ${sandbox.platformToken}` } }
        : { token: sandbox.token }),
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

describe("the response validator used by every test", () => {
  const h = (type = "application/json; charset=utf-8") => new Headers({ "content-type": type });
  const token = {
    id: "dt0c01.ST2EY72KQINMH574WMNVI7YN",
    name: "n",
    creationDate: "2020-11-05T08:15:30.144Z",
  };

  it("accepts a valid list and rejects what the spec does not allow", () => {
    const valid = JSON.stringify({ totalCount: 1, pageSize: 200, nextPageKey: null, apiTokens: [token] });
    expect(() => validateResponse("GET", "/apiTokens", 200, h(), valid)).not.toThrow();
    const bad = [
      JSON.stringify({ pageSize: 200, apiTokens: [] }), // totalCount missing
      JSON.stringify({ totalCount: "1", apiTokens: [] }), // wrong type
      JSON.stringify({ totalCount: 1, apiTokens: [{ ...token, secret: "x" }] }), // undeclared field
      JSON.stringify({ totalCount: 1, apiTokens: [{ ...token, creationDate: "2020-11-05T08:15:30Z" }] }), // no millis
    ];
    for (const body of bad) expect(() => validateResponse("GET", "/apiTokens", 200, h(), body)).toThrow();
    expect(() => validateResponse("GET", "/apiTokens", 200, h("application/json"), valid)).toThrow();
    expect(() => validateResponse("GET", "/apiTokens", 201, h(), valid)).toThrow(); // undeclared status
    expect(() => validateResponse("PUT", "/apiTokens/x", 204, h(), "{}")).toThrow(); // 204 with a body
    expect(() => validateResponse("GET", "/apiTokens", 500, h(), '{"error":{"code":500}}')).toThrow();
    expect(() => validateResponse("GET", "/apiTokens", 400, h(), '{"error":{"code":404}}')).toThrow(); // code != status
    expect(() =>
      validateResponse("GET", "/nowhere", 404, h(), '{"error":{"code":404,"message":"m"}}'),
    ).not.toThrow();
  });
});

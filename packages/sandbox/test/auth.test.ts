import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { api, createToken, start } from "./helpers.js";

const DAY = 86_400_000;
let clock = Date.parse("2025-06-01T12:00:00.000Z");
let sandbox: Awaited<ReturnType<typeof start>>;

beforeAll(async () => {
  sandbox = await start({ now: () => clock });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.reset();
});

describe("authentication", () => {
  it("accepts the Api-Token header, case-insensitively on the scheme", async () => {
    for (const scheme of ["Api-Token", "api-token", "API-TOKEN"]) {
      const r = await api(sandbox, "GET", "/apiTokens", {
        headers: { authorization: `${scheme} ${sandbox.token}` },
      });
      expect(r.status).toBe(200);
    }
  });

  it("accepts the api-token query parameter", async () => {
    const r = await api(sandbox, "GET", `/apiTokens?api-token=${sandbox.token}`);
    expect(r.status).toBe(200);
  });

  it("lets the header win over the query parameter", async () => {
    const [reader] = sandbox.seed([{ name: "reader", scopes: ["apiTokens.read"] }]);
    const [noScopes] = sandbox.seed([{ name: "no scopes", scopes: [] }]);
    // header without the scope, query with it: the header decides (403)
    const a = await api(sandbox, "GET", `/apiTokens?api-token=${reader!.token}`, { token: noScopes!.token });
    expect(a.status).toBe(403);
    // header with the scope, query with an unknown token: 200
    const b = await api(sandbox, "GET", `/apiTokens?api-token=dt0c01.${"A".repeat(24)}.${"B".repeat(64)}`, {
      token: reader!.token,
    });
    expect(b.status).toBe(200);
    // a malformed header is not rescued by a good query parameter
    const c = await api(sandbox, "GET", `/apiTokens?api-token=${reader!.token}`, {
      headers: { authorization: "Bearer whatever" },
    });
    expect(c.status).toBe(401);
  });

  it.each([
    ["no credential", {}],
    ["an empty header", { authorization: "" }],
    ["another scheme", { authorization: `Bearer ${"x".repeat(10)}` }],
    ["a malformed token", { authorization: "Api-Token not-a-token" }],
    ["an unknown token", { authorization: `Api-Token dt0c01.${"A".repeat(24)}.${"B".repeat(64)}` }],
    ["a legacy-looking token", { authorization: "Api-Token abcdefghij1234567890" }],
  ])("rejects %s with 401", async (_label, headers) => {
    const r = await api(sandbox, "GET", "/apiTokens", { headers });
    expect(r.status).toBe(401);
    expect(r.body.error.message).toEqual(expect.any(String));
  });

  it("says what is missing when nothing is sent", async () => {
    const r = await api(sandbox, "GET", "/apiTokens");
    expect(r.body.error.message).toBe("Missing authorization parameter.");
  });

  it("rejects the right id with a wrong secret part", async () => {
    const id = sandbox.token.slice(0, 31);
    const wrong = `${id}.${"C".repeat(64)}`;
    const r = await api(sandbox, "GET", "/apiTokens", { token: wrong });
    expect(r.status).toBe(401);
  });

  it("rejects disabled and expired tokens with 401 on every operation", async () => {
    const [disabled, expired] = sandbox.seed([
      { name: "off", scopes: ["apiTokens.read", "apiTokens.write"], enabled: false },
      { name: "old", scopes: ["apiTokens.read", "apiTokens.write"], expirationDate: clock - DAY },
    ]);
    for (const t of [disabled!, expired!]) {
      const calls = [
        api(sandbox, "GET", "/apiTokens", { token: t.token }),
        api(sandbox, "POST", "/apiTokens", { token: t.token, body: { name: "n", scopes: ["metrics.read"] } }),
        api(sandbox, "POST", "/apiTokens/lookup", { token: t.token, body: { token: t.token } }),
        api(sandbox, "GET", `/apiTokens/${t.id}`, { token: t.token }),
        api(sandbox, "PUT", `/apiTokens/${t.id}`, { token: t.token, body: { name: "x" } }),
        api(sandbox, "DELETE", `/apiTokens/${t.id}`, { token: t.token }),
      ];
      for (const r of await Promise.all(calls)) expect(r.status, r.text).toBe(401);
    }
    const d = await api(sandbox, "GET", "/apiTokens", { token: disabled!.token });
    expect(d.body.error.message).toMatch(/disabled/);
    const e = await api(sandbox, "GET", "/apiTokens", { token: expired!.token });
    expect(e.body.error.message).toMatch(/expired/);
  });

  it("expires a token once the clock passes its expiration date", async () => {
    const [t] = sandbox.seed([{ name: "soon", scopes: ["apiTokens.read"], expirationDate: clock + 60_000 }]);
    expect((await api(sandbox, "GET", "/apiTokens", { token: t!.token })).status).toBe(200);
    clock += 61_000;
    expect((await api(sandbox, "GET", "/apiTokens", { token: t!.token })).status).toBe(401);
  });

  it("records lastUsedDate and lastUsedIpAddress of the calling token", async () => {
    const [t] = sandbox.seed([{ name: "user", scopes: ["apiTokens.read"] }]);
    expect(t!.lastUsedDate).toBeUndefined();
    clock += 1000;
    const usedAt = clock;
    await api(sandbox, "GET", "/apiTokens", { token: t!.token });
    const r = await api(sandbox, "GET", `/apiTokens/${t!.id}`, { token: sandbox.token });
    expect(r.body.lastUsedDate).toBe(new Date(usedAt).toISOString());
    expect(r.body.lastUsedIpAddress).toBe("127.0.0.1");
    // a request refused for its scope (403) is not a use: a refused request writes nothing
    clock += 1000;
    const refused = await api(sandbox, "POST", "/apiTokens", {
      token: t!.token,
      body: { name: "n", scopes: ["metrics.read"] },
    });
    expect(refused.status).toBe(403);
    const r2 = await api(sandbox, "GET", `/apiTokens/${t!.id}`, { token: sandbox.token });
    expect(r2.body.lastUsedDate).toBe(new Date(usedAt).toISOString());
  });

  it("does not mark a token as used when it is only looked up or read", async () => {
    const created = await createToken(sandbox, sandbox.token);
    await api(sandbox, "POST", "/apiTokens/lookup", { token: sandbox.token, body: { token: created.token } });
    const r = await api(sandbox, "GET", `/apiTokens/${created.id}`, { token: sandbox.token });
    expect(r.body.lastUsedDate).toBeUndefined();
  });
});

describe("scopes", () => {
  const READ = "Token is missing required scope. Use one of: apiTokens.read (Read API tokens)";
  const WRITE = "Token is missing required scope. Use one of: apiTokens.write (Write API tokens)";

  it("needs apiTokens.read to list and get, with Dynatrace's 403 message", async () => {
    const [writer] = sandbox.seed([{ name: "writer", scopes: ["apiTokens.write", "metrics.read"] }]);
    const list = await api(sandbox, "GET", "/apiTokens", { token: writer!.token });
    expect(list.status).toBe(403);
    expect(list.body.error.message).toBe(READ);
    const get = await api(sandbox, "GET", `/apiTokens/${writer!.id}`, { token: writer!.token });
    expect(get.status).toBe(403);
    expect(get.body.error.message).toBe(READ);
  });

  it("needs apiTokens.write to create, update and delete", async () => {
    const [reader, other] = sandbox.seed([
      { name: "reader", scopes: ["apiTokens.read"] },
      { name: "other", scopes: ["metrics.read"] },
    ]);
    const calls = await Promise.all([
      api(sandbox, "POST", "/apiTokens", {
        token: reader!.token,
        body: { name: "n", scopes: ["metrics.read"] },
      }),
      api(sandbox, "PUT", `/apiTokens/${other!.id}`, { token: reader!.token, body: { name: "x" } }),
      api(sandbox, "DELETE", `/apiTokens/${other!.id}`, { token: reader!.token }),
    ]);
    for (const r of calls) {
      expect(r.status).toBe(403);
      expect(r.body.error.message).toBe(WRITE);
    }
    const still = await api(sandbox, "GET", `/apiTokens/${other!.id}`, { token: sandbox.token });
    expect(still.body.name).toBe("other");
  });

  it("lets any valid token look up, even one without scopes", async () => {
    const [bare] = sandbox.seed([{ name: "bare", scopes: [] }]);
    const r = await api(sandbox, "POST", "/apiTokens/lookup", {
      token: bare!.token,
      body: { token: bare!.token },
    });
    expect(r.status).toBe(200);
    expect(r.body.id).toBe(bare!.id);
  });
});

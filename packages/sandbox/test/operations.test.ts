import { TOKEN_SCOPES } from "@dt-tokens/types";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { api, createToken, start } from "./helpers.js";

const DAY = 86_400_000;
const clock = Date.parse("2025-06-01T12:00:00.000Z");
let now = clock;
let sandbox: Awaited<ReturnType<typeof start>>;

beforeAll(async () => {
  sandbox = await start({ now: () => now });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.reset();
  now = clock;
});

describe("createApiToken", () => {
  it("answers 201 with id, secret and no expiration by default; the token is enabled, owned by the caller", async () => {
    const r = await api(sandbox, "POST", "/apiTokens", {
      token: sandbox.token,
      body: { name: "ci", scopes: ["metrics.read", "metrics.read", "logs.ingest"] },
    });
    expect(r.status).toBe(201);
    expect(r.body.token).toMatch(/^dt0c01\.[A-Z2-7]{24}\.[A-Z2-7]{64}$/);
    expect(r.body.token.startsWith(`${r.body.id}.`)).toBe(true);
    expect(r.body.expirationDate).toBeUndefined();
    const got = await api(sandbox, "GET", `/apiTokens/${r.body.id}`, { token: sandbox.token });
    expect(got.body).toEqual({
      id: r.body.id,
      name: "ci",
      enabled: true,
      personalAccessToken: false,
      owner: "admin",
      creationDate: new Date(now).toISOString(),
      scopes: ["metrics.read", "logs.ingest"],
    });
    // the new secret works
    const lookup = await api(sandbox, "POST", "/apiTokens/lookup", {
      token: r.body.token,
      body: { token: r.body.token },
    });
    expect(lookup.status).toBe(200);
  });

  it("gives the new token the owner of the calling token", async () => {
    const [pat] = sandbox.seed([
      { name: "p", owner: "alice", personalAccessToken: true, scopes: ["apiTokens.write", "apiTokens.read"] },
    ]);
    const created = await createToken(sandbox, pat!.token, {
      name: "mine",
      scopes: ["metrics.read"],
      personalAccessToken: true,
    });
    const got = await api(sandbox, "GET", `/apiTokens/${created.id}`, { token: sandbox.token });
    expect(got.body.owner).toBe("alice");
    expect(got.body.personalAccessToken).toBe(true);
  });

  it.each([
    ["now+14d", clock + 14 * DAY],
    ["now+1M", Date.parse("2025-07-01T12:00:00.000Z")],
    ["now+1y/d", Date.parse("2026-06-01T00:00:00.000Z")],
    [String(clock + DAY), clock + DAY],
    ["2025-06-02T10:00:00+02:00", Date.parse("2025-06-02T08:00:00.000Z")],
    ["2025-06-02 08:00", Date.parse("2025-06-02T08:00:00.000Z")],
    ["2025-06-02T08:00:00.5", Date.parse("2025-06-02T08:00:00.500Z")],
  ])("accepts expirationDate %s", async (value, expected) => {
    const r = await api(sandbox, "POST", "/apiTokens", {
      token: sandbox.token,
      body: { name: "exp", scopes: ["metrics.read"], expirationDate: value },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.expirationDate).toBe(new Date(expected).toISOString());
  });

  it.each(["now-1d", "2020-01-01T00:00:00Z", "now", "tomorrow", "2025-13-01", 12345])(
    "rejects expirationDate %s with a violation on expirationDate",
    async (value) => {
      const r = await api(sandbox, "POST", "/apiTokens", {
        token: sandbox.token,
        body: { name: "exp", scopes: ["metrics.read"], expirationDate: value },
      });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toBe("Constraints violated.");
      expect(r.body.error.constraintViolations).toEqual([
        expect.objectContaining({ path: "expirationDate", parameterLocation: "PAYLOAD_BODY" }),
      ]);
    },
  );

  it("tolerates unknown body fields (Terraform sends enabled) and still creates an enabled token", async () => {
    const r = await api(sandbox, "POST", "/apiTokens", {
      token: sandbox.token,
      body: { name: "tf", scopes: ["metrics.read"], enabled: false, somethingNew: 1 },
    });
    expect(r.status).toBe(201);
    const got = await api(sandbox, "GET", `/apiTokens/${r.body.id}`, { token: sandbox.token });
    expect(got.body.enabled).toBe(true);
  });

  it("reports one violation per bad field", async () => {
    const r = await api(sandbox, "POST", "/apiTokens", {
      token: sandbox.token,
      body: { scopes: ["metrics.read", "notAScope", 3], personalAccessToken: "yes" },
    });
    expect(r.status).toBe(400);
    const paths = r.body.error.constraintViolations.map((v: { path: string }) => v.path).sort();
    expect(paths).toEqual(["name", "personalAccessToken", "scopes[1]", "scopes[2]"]);
    for (const v of r.body.error.constraintViolations) {
      expect(v.parameterLocation).toBe("PAYLOAD_BODY");
      expect(v.message.length).toBeGreaterThan(0);
    }
  });

  it.each([
    [{ name: "", scopes: ["metrics.read"] }, "name"],
    [{ name: "   ", scopes: ["metrics.read"] }, "name"],
    [{ name: "x".repeat(1001), scopes: ["metrics.read"] }, "name"],
    [{ name: "n", scopes: [] }, "scopes"],
    [{ name: "n", scopes: "metrics.read" }, "scopes"],
    [{ name: "n" }, "scopes"],
    [{ name: "n", scopes: ["ViewDashboard"] }, "scopes[0]"],
  ])("rejects %j (violation on %s)", async (body, path) => {
    const r = await api(sandbox, "POST", "/apiTokens", { token: sandbox.token, body });
    expect(r.status).toBe(400);
    expect(r.body.error.constraintViolations.map((v: { path: string }) => v.path)).toContain(path);
  });

  it("accepts every assignable scope", async () => {
    const r = await api(sandbox, "POST", "/apiTokens", {
      token: sandbox.token,
      body: { name: "all", scopes: TOKEN_SCOPES },
    });
    expect(r.status).toBe(201);
    const got = await api(sandbox, "GET", `/apiTokens/${r.body.id}`, { token: sandbox.token });
    expect(got.body.scopes).toEqual([...TOKEN_SCOPES]);
  });
});

describe("getApiToken", () => {
  it("returns all metadata and never the secret", async () => {
    const [t] = sandbox.seed([
      {
        name: "full",
        owner: "bob",
        scopes: ["metrics.read", "ViewDashboard"],
        personalAccessToken: true,
        creationDate: "2024-01-01T00:00:00Z",
        lastUsedDate: "2024-02-01T00:00:00Z",
        lastUsedIpAddress: "198.51.100.7",
        expirationDate: "2030-01-01T00:00:00Z",
        modifiedDate: "2024-01-15T00:00:00Z",
        additionalMetadata: { dashboardId: "d-1" },
      },
    ]);
    const r = await api(sandbox, "GET", `/apiTokens/${t!.id}`, { token: sandbox.token });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      id: t!.id,
      name: "full",
      enabled: true,
      personalAccessToken: true,
      owner: "bob",
      creationDate: "2024-01-01T00:00:00.000Z",
      expirationDate: "2030-01-01T00:00:00.000Z",
      lastUsedDate: "2024-02-01T00:00:00.000Z",
      lastUsedIpAddress: "198.51.100.7",
      modifiedDate: "2024-01-15T00:00:00.000Z",
      scopes: ["metrics.read", "ViewDashboard"],
      additionalMetadata: { dashboardId: "d-1" },
    });
    expect(r.text).not.toContain(t!.token.slice(32));
  });

  it("answers 404 with an ErrorEnvelope for an unknown id and 400 for something that is not an id", async () => {
    const missing = await api(sandbox, "GET", `/apiTokens/dt0c01.${"Q".repeat(24)}`, {
      token: sandbox.token,
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain(`dt0c01.${"Q".repeat(24)}`);
    const bad = await api(sandbox, "GET", "/apiTokens/nope", { token: sandbox.token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.constraintViolations).toEqual([
      expect.objectContaining({ path: "id", parameterLocation: "PATH" }),
    ]);
    const secret = await api(sandbox, "GET", `/apiTokens/${sandbox.token}`, { token: sandbox.token });
    expect(secret.status).toBe(400);
    expect(secret.text).not.toContain(sandbox.token.slice(32));
  });
});

describe("updateApiToken", () => {
  it("replaces scopes, renames, and sets modifiedDate only for name or scope changes", async () => {
    const t = await createToken(sandbox, sandbox.token, { name: "a", scopes: ["metrics.read", "logs.read"] });
    now += 1000;
    let r = await api(sandbox, "PUT", `/apiTokens/${t.id}`, {
      token: sandbox.token,
      body: { enabled: false },
    });
    expect(r.status).toBe(204);
    expect(r.text).toBe("");
    let got = await api(sandbox, "GET", `/apiTokens/${t.id}`, { token: sandbox.token });
    expect(got.body.enabled).toBe(false);
    expect(got.body.modifiedDate).toBeUndefined();

    now += 1000;
    r = await api(sandbox, "PUT", `/apiTokens/${t.id}`, {
      token: sandbox.token,
      body: { scopes: ["events.read"] },
    });
    expect(r.status).toBe(204);
    got = await api(sandbox, "GET", `/apiTokens/${t.id}`, { token: sandbox.token });
    expect(got.body.scopes).toEqual(["events.read"]);
    expect(got.body.modifiedDate).toBe(new Date(now).toISOString());

    const modifiedAt = now;
    now += 1000;
    await api(sandbox, "PUT", `/apiTokens/${t.id}`, {
      token: sandbox.token,
      body: { enabled: true, name: "a" },
    });
    got = await api(sandbox, "GET", `/apiTokens/${t.id}`, { token: sandbox.token });
    expect(got.body.enabled).toBe(true);
    expect(got.body.modifiedDate).toBe(new Date(modifiedAt).toISOString());

    now += 1000;
    await api(sandbox, "PUT", `/apiTokens/${t.id}`, { token: sandbox.token, body: { name: "b" } });
    got = await api(sandbox, "GET", `/apiTokens/${t.id}`, { token: sandbox.token });
    expect(got.body.name).toBe("b");
    expect(got.body.modifiedDate).toBe(new Date(now).toISOString());
  });

  it("accepts an empty update", async () => {
    const t = await createToken(sandbox, sandbox.token);
    const r = await api(sandbox, "PUT", `/apiTokens/${t.id}`, { token: sandbox.token, body: {} });
    expect(r.status).toBe(204);
  });

  it("refuses to disable the calling token (400) but lets it rename itself", async () => {
    const [self] = sandbox.seed([{ name: "self", scopes: ["apiTokens.read", "apiTokens.write"] }]);
    const r = await api(sandbox, "PUT", `/apiTokens/${self!.id}`, {
      token: self!.token,
      body: { enabled: false },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.constraintViolations[0]).toMatchObject({
      path: "enabled",
      parameterLocation: "PAYLOAD_BODY",
    });
    const ok = await api(sandbox, "PUT", `/apiTokens/${self!.id}`, {
      token: self!.token,
      body: { name: "renamed" },
    });
    expect(ok.status).toBe(204);
    const got = await api(sandbox, "GET", `/apiTokens/${self!.id}`, { token: self!.token });
    expect(got.body).toMatchObject({ enabled: true, name: "renamed" });
  });

  it("validates the body and the id", async () => {
    const t = await createToken(sandbox, sandbox.token);
    const bad = await api(sandbox, "PUT", `/apiTokens/${t.id}`, {
      token: sandbox.token,
      body: { name: 5, enabled: "no", scopes: [] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.constraintViolations.map((v: { path: string }) => v.path).sort()).toEqual([
      "enabled",
      "name",
      "scopes",
    ]);
    const missing = await api(sandbox, "PUT", `/apiTokens/dt0c01.${"Z".repeat(24)}`, {
      token: sandbox.token,
      body: { name: "x" },
    });
    expect(missing.status).toBe(404);
    const notId = await api(sandbox, "PUT", "/apiTokens/xyz", { token: sandbox.token, body: { name: "x" } });
    expect(notId.status).toBe(400);
  });

  it("lets a personal access token update only tokens of its own owner", async () => {
    const [pat, mine, theirs] = sandbox.seed([
      {
        name: "pat",
        owner: "alice",
        personalAccessToken: true,
        scopes: ["apiTokens.read", "apiTokens.write"],
      },
      { name: "mine", owner: "alice" },
      { name: "theirs", owner: "bob" },
    ]);
    expect(
      (await api(sandbox, "PUT", `/apiTokens/${mine!.id}`, { token: pat!.token, body: { name: "m2" } }))
        .status,
    ).toBe(204);
    const r = await api(sandbox, "PUT", `/apiTokens/${theirs!.id}`, {
      token: pat!.token,
      body: { name: "t2" },
    });
    expect(r.status).toBe(403);
    const got = await api(sandbox, "GET", `/apiTokens/${theirs!.id}`, { token: sandbox.token });
    expect(got.body.name).toBe("theirs");
  });
});

describe("deleteApiToken", () => {
  it("deletes by id (204, then 404)", async () => {
    const t = await createToken(sandbox, sandbox.token);
    const r = await api(sandbox, "DELETE", `/apiTokens/${t.id}`, { token: sandbox.token });
    expect(r.status).toBe(204);
    expect(r.text).toBe("");
    expect((await api(sandbox, "GET", `/apiTokens/${t.id}`, { token: sandbox.token })).status).toBe(404);
    expect((await api(sandbox, "DELETE", `/apiTokens/${t.id}`, { token: sandbox.token })).status).toBe(404);
    // the deleted secret no longer authenticates
    expect((await api(sandbox, "GET", "/apiTokens", { token: t.token })).status).toBe(401);
  });

  it("deletes by secret, and a wrong secret part is a 404", async () => {
    const t = await createToken(sandbox, sandbox.token);
    const wrong = `${t.id}.${"A".repeat(64)}`;
    const miss = await api(sandbox, "DELETE", `/apiTokens/${wrong}`, { token: sandbox.token });
    expect(miss.status).toBe(404);
    expect(miss.text).not.toContain("A".repeat(64));
    const r = await api(sandbox, "DELETE", `/apiTokens/${t.token}`, { token: sandbox.token });
    expect(r.status).toBe(204);
    expect((await api(sandbox, "GET", `/apiTokens/${t.id}`, { token: sandbox.token })).status).toBe(404);
  });

  it("refuses to delete the calling token, by id or by secret (400)", async () => {
    for (const target of [sandbox.token.slice(0, 31), sandbox.token]) {
      const r = await api(sandbox, "DELETE", `/apiTokens/${target}`, { token: sandbox.token });
      expect(r.status).toBe(400);
      expect(r.body.error.constraintViolations[0]).toMatchObject({ path: "id", parameterLocation: "PATH" });
      expect(r.text).not.toContain(sandbox.token.slice(32));
    }
    expect((await api(sandbox, "GET", "/apiTokens", { token: sandbox.token })).status).toBe(200);
  });

  it("lets a personal access token delete only its owner's tokens; an API token deletes any", async () => {
    const [pat, mine, theirs, apiToken] = sandbox.seed([
      { name: "pat", owner: "alice", personalAccessToken: true, scopes: ["apiTokens.write"] },
      { name: "mine", owner: "alice" },
      { name: "theirs", owner: "bob" },
      { name: "api", owner: "carol", scopes: ["apiTokens.write"] },
    ]);
    expect((await api(sandbox, "DELETE", `/apiTokens/${theirs!.id}`, { token: pat!.token })).status).toBe(
      403,
    );
    expect((await api(sandbox, "DELETE", `/apiTokens/${mine!.id}`, { token: pat!.token })).status).toBe(204);
    expect(
      (await api(sandbox, "DELETE", `/apiTokens/${theirs!.id}`, { token: apiToken!.token })).status,
    ).toBe(204);
    expect((await api(sandbox, "DELETE", `/apiTokens/${pat!.id}`, { token: apiToken!.token })).status).toBe(
      204,
    );
  });

  it("answers 400 for something that is neither an id nor a secret", async () => {
    const r = await api(sandbox, "DELETE", "/apiTokens/dt0c01.short", { token: sandbox.token });
    expect(r.status).toBe(400);
  });
});

describe("lookupApiToken", () => {
  it("returns the metadata of a secret; often with the same secret in the header", async () => {
    const r = await api(sandbox, "POST", "/apiTokens/lookup", {
      token: sandbox.token,
      body: { token: sandbox.token },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      id: sandbox.token.slice(0, 31),
      owner: "admin",
      lastUsedIpAddress: "127.0.0.1",
    });
    // this request's use, or a later one of an earlier test: the clock went back, last use never does
    expect(Date.parse(r.body.lastUsedDate)).toBeGreaterThanOrEqual(now);
    expect(r.text).not.toContain(sandbox.token.slice(32));
  });

  it("finds disabled and expired tokens too", async () => {
    const [off, old] = sandbox.seed([
      { name: "off", enabled: false },
      { name: "old", expirationDate: now - DAY },
    ]);
    for (const t of [off!, old!]) {
      const r = await api(sandbox, "POST", "/apiTokens/lookup", {
        token: sandbox.token,
        body: { token: t.token },
      });
      expect(r.status).toBe(200);
      expect(r.body.id).toBe(t.id);
    }
  });

  it("answers 404 for an unknown or wrong secret and 400 without one", async () => {
    const wrong = `${sandbox.token.slice(0, 31)}.${"D".repeat(64)}`;
    for (const token of [wrong, "garbage", `dt0c01.${"A".repeat(24)}.${"B".repeat(64)}`]) {
      const r = await api(sandbox, "POST", "/apiTokens/lookup", { token: sandbox.token, body: { token } });
      expect(r.status).toBe(404);
      expect(r.text).not.toContain("D".repeat(64));
    }
    for (const body of [{}, { token: 1 }, { token: "" }]) {
      const r = await api(sandbox, "POST", "/apiTokens/lookup", { token: sandbox.token, body });
      expect(r.status).toBe(400);
      expect(r.body.error.constraintViolations[0]).toMatchObject({
        path: "token",
        parameterLocation: "PAYLOAD_BODY",
      });
    }
  });
});

// The happy path of every method against the real sandbox (@dt-tokens/sandbox: HTTP + SQLite),
// started in memory on 127.0.0.1, port 0.
import { type Sandbox, startSandbox } from "@dt-tokens/sandbox";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  type ApiTokensClient,
  AuthenticationError,
  BadRequestError,
  createApiTokensClient,
  NotFoundError,
  sameLifetime,
} from "../src/index.js";

let sandbox: Sandbox;
let dt: ApiTokensClient;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, database: ":memory:" });
  dt = createApiTokensClient({
    environmentUrl: sandbox.url,
    token: sandbox.bootstrapToken!,
    retryDelayMs: 1,
  });
});
afterAll(() => sandbox.close());

describe("against the sandbox", () => {
  test("create, get with fields, lookup, update, delete by id", async () => {
    const created = await dt.create({
      name: "ci",
      scopes: ["metrics.read", "logs.read"],
      expirationDate: "now+14d",
    });
    expect(created.token.startsWith(`${created.id}.`)).toBe(true);
    expect(Date.parse(created.expirationDate!)).toBeGreaterThan(Date.now() + 13 * 86_400_000);

    const got = await dt.get(created.id, { fields: ["name", "scopes"] });
    expect(got).toMatchObject({ id: created.id, name: "ci", scopes: ["metrics.read", "logs.read"] });
    const full = await dt.get(created.id);
    expect(full).toMatchObject({ enabled: true, personalAccessToken: false, owner: "admin" });

    expect(await dt.lookup(created.token)).toMatchObject({ id: created.id, name: "ci" });

    await dt.update(created.id, { name: "ci-2", scopes: ["metrics.read"] });
    expect(await dt.get(created.id)).toMatchObject({ name: "ci-2", scopes: ["metrics.read"] });

    await dt.delete(created.id);
    await expect(dt.get(created.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  test("a create without name or scopes gets the server's 400, naming each", async () => {
    const err = await dt.create({ name: "", scopes: [] }).catch((e) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    const paths = (err as BadRequestError).constraintViolations.map((v) => v.path);
    expect(paths).toEqual(expect.arrayContaining(["name", "scopes"]));
    expect(err.message).toMatch(/name: .*scopes: /);
  });

  test("update: the server judges the body (empty scopes are its 400, naming scopes)", async () => {
    const created = await dt.create({ name: "judge", scopes: ["metrics.read"] });
    const err = await dt.update(created.id, { scopes: [] }).catch((e) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).constraintViolations.map((v) => v.path)).toEqual(["scopes"]);
    await dt.update(created.id, {}); // nothing to change: the sandbox accepts it
    expect(await dt.get(created.id)).toMatchObject({ name: "judge", scopes: ["metrics.read"] });
  });

  test("an unknown but well-formed field goes to the server, whose 400 names fields", async () => {
    const err = await dt.list({ fields: ["name", "brandNewField" as "name"] }).catch((e) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).constraintViolations.map((v) => v.path)).toEqual(["fields"]);
  });

  test("fields: [] returns the id only; a date-only from is accepted", async () => {
    const page = await dt.list({ fields: [], from: "2000-01-01", pageSize: 100 });
    expect(page.apiTokens.length).toBeGreaterThan(0);
    for (const t of page.apiTokens) expect(Object.keys(t)).toEqual(["id"]);
  });

  test("delete by secret", async () => {
    const created = await dt.create({ name: "by-secret", scopes: ["metrics.read"] });
    await dt.delete(created.token);
    await expect(dt.lookup(created.token)).rejects.toBeInstanceOf(NotFoundError);
  });

  test("list with selector, fields and sort; listAll across several pages", async () => {
    sandbox.seed(
      Array.from({ length: 230 }, (_, i) => ({ name: `seed-${i}`, owner: "pager", scopes: ["logs.read"] })),
    );
    const page = await dt.list({
      selector: { owner: "pager" },
      fields: { add: ["scopes"], remove: ["creationDate"] },
      sort: "name",
      pageSize: 100,
    });
    expect(page.totalCount).toBe(230);
    expect(page.apiTokens).toHaveLength(100);
    expect(page.apiTokens[0]).toMatchObject({ owner: "pager", scopes: ["logs.read"] });
    expect(page.apiTokens[0]).not.toHaveProperty("creationDate");
    expect(page.nextPageKey).toBeTruthy();

    const names = new Set<string>();
    let pages = 0;
    for await (const p of dt.listAll({ selector: { owner: "pager" }, pageSize: 100 }).pages()) {
      pages++;
      for (const t of p.apiTokens) names.add(t.name);
    }
    expect(pages).toBe(3);
    expect(names.size).toBe(230);

    let count = 0;
    for await (const t of dt.listAll({ selector: { owner: "pager" }, pageSize: 100 })) {
      expect(t.owner).toBe("pager");
      count++;
    }
    expect(count).toBe(230);
  });

  test.each(["disable", "delete", "keep"] as const)("rotate with revoke %s", async (revoke) => {
    const old = await dt.create({ name: `rot-${revoke}`, scopes: ["metrics.read", "logs.read"] });
    const result = await dt.rotate(old.id, { revoke, expirationDate: "now+30d" });
    expect(result.revoked).toBe(true);
    expect(result.previous).toMatchObject({ id: old.id, name: `rot-${revoke}` });
    const fresh = createApiTokensClient({ environmentUrl: sandbox.url, token: result.created.token });
    // The new secret works (lookup needs any valid token) and carries the old scopes.
    expect(await fresh.lookup(result.created.token)).toMatchObject({
      name: `rot-${revoke}`,
      scopes: ["metrics.read", "logs.read"],
    });
    if (revoke === "disable") expect(await dt.get(old.id)).toMatchObject({ enabled: false });
    if (revoke === "delete") await expect(dt.get(old.id)).rejects.toBeInstanceOf(NotFoundError);
    if (revoke === "keep") expect(await dt.get(old.id)).toMatchObject({ enabled: true });
  });

  test("rotate with sameLifetime keeps the old token's lifetime; the new token is the caller's", async () => {
    const day = 86_400_000;
    const [short] = sandbox.seed([
      {
        name: "ten-day",
        owner: "alice",
        scopes: ["metrics.read"],
        creationDate: new Date(Date.now() - 4 * day),
        expirationDate: new Date(Date.now() + 6 * day),
      },
    ]);
    const { created, previous } = await dt.rotate(short!.id, {
      revoke: "keep",
      expirationDate: sameLifetime,
    });
    const lifetime = Date.parse(created.expirationDate!) - Date.now();
    // 10 days from now (creation to expiry of the old one), not the 6 it had left, not never.
    expect(lifetime).toBeGreaterThan(9.9 * day);
    expect(lifetime).toBeLessThanOrEqual(10 * day);
    // Dynatrace makes the caller (here the bootstrap token's owner) the owner of the new token.
    expect(previous.owner).toBe("alice");
    expect((await dt.get(created.id)).owner).toBe("admin");

    const forever = await dt.create({ name: "forever", scopes: ["metrics.read"] });
    const rotated = await dt.rotate(forever.id, { revoke: "delete", expirationDate: sameLifetime });
    expect(rotated.created.expirationDate).toBeUndefined();
    expect((await dt.get(rotated.created.id)).expirationDate).toBeUndefined();
  });

  test("rotate with expirationDate null never expires, even when the old token did", async () => {
    const old = await dt.create({ name: "expiring", scopes: ["metrics.read"], expirationDate: "now+1d" });
    const { created } = await dt.rotate(old.id, { revoke: "delete", expirationDate: null });
    expect(created.expirationDate).toBeUndefined();
    expect((await dt.get(created.id)).expirationDate).toBeUndefined();
  });

  test("creates under faults: every token that exists was reported created or outcome unknown", async () => {
    sandbox.setFaults({
      seed: 7,
      errorRate: 0.3,
      errorStatuses: [500, 502, 503, 504],
      dropRate: 0.15,
      retryAfterSeconds: 0,
    });
    let succeeded = 0;
    let unknown = 0;
    try {
      for (let i = 0; i < 40; i++) {
        try {
          await dt.create({ name: `fault-${i}`, scopes: ["metrics.read"] });
          succeeded++;
        } catch (e) {
          if ((e as { outcomeUnknown?: boolean }).outcomeUnknown) unknown++;
        }
      }
    } finally {
      sandbox.setFaults(undefined);
    }
    const names: string[] = [];
    for await (const t of dt.listAll({ pageSize: 1000 })) if (t.name.startsWith("fault-")) names.push(t.name);
    expect(new Set(names).size).toBe(names.length); // never a duplicate
    expect(names.length).toBeGreaterThanOrEqual(succeeded);
    expect(names.length).toBeLessThanOrEqual(succeeded + unknown);
    expect(succeeded).toBeGreaterThan(0);
    expect(unknown).toBeGreaterThan(0); // the faults did hit creates
  });

  test("an API token for the platform prefix is refused before sending, and a bad token is an AuthenticationError", async () => {
    expect(() =>
      createApiTokensClient({ environmentUrl: sandbox.platformApiBase, token: sandbox.bootstrapToken! }),
    ).toThrow(/refuses: use .* \(API base …\/api\/v2\) for a classic API token/);
    const bad = createApiTokensClient({ environmentUrl: sandbox.url, token: "dt0c01.NOPE" });
    await expect(bad.list()).rejects.toBeInstanceOf(AuthenticationError);
  });
});

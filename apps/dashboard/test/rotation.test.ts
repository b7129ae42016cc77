/**
 * The dashboard's rotation (src/rotation.ts) in Node, against the sandbox started in this process:
 * what becomes of the old and the new token for every choice of the rotate dialog, the page's own
 * token, a discarded secret, and an old token that cannot be retired. No browser.
 */
import { createApiTokensClient, type FullApiToken, RotationError } from "@dt-tokens/client";
import { type Sandbox, type SeededToken, startSandbox } from "@dt-tokens/sandbox";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type NewToken, type RotateChoice, rotate } from "../src/rotation.js";

const DAY = 86_400_000;
let sandbox: Sandbox;
let admin: SeededToken;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, bootstrapToken: false });
  [admin] = sandbox.seed([
    { name: "admin", owner: "admin", scopes: ["apiTokens.read", "apiTokens.write"] },
  ]) as [SeededToken];
});
afterAll(() => sandbox?.close());

/** A client signed in with `secret`, whose secret can be switched as the page's session does. */
function clientFor(secret: string) {
  const session = { secret };
  const client = createApiTokensClient({ environmentUrl: sandbox.url, token: () => session.secret });
  return { client, session };
}

let n = 0;
/** A fresh token to rotate, 30 days old with 60 days to live unless told otherwise. */
function seedOne(extra: Partial<Parameters<Sandbox["seed"]>[0][number]> = {}) {
  const now = Date.now();
  const [t] = sandbox.seed([
    {
      name: `svc-${++n}`,
      owner: "alice@example.com",
      scopes: ["metrics.read", "logs.ingest"],
      creationDate: new Date(now - 30 * DAY),
      expirationDate: new Date(now + 60 * DAY),
      ...extra,
    },
  ]);
  return t!;
}

const works = async (secret: string) =>
  (
    await fetch(`${sandbox.apiBase}/apiTokens/lookup`, {
      method: "POST",
      headers: { Authorization: `Api-Token ${secret}`, "Content-Type": "application/json" },
      body: JSON.stringify({ token: secret }),
    })
  ).status;

const DEFAULT: RotateChoice = { revoke: "disable", lifetime: "same", overlapHours: 0 };

/** A person who stores every secret at once, remembering what they were shown. */
function storer() {
  const shown: { secret: string; token: NewToken }[] = [];
  return {
    shown,
    deliver: async (secret: string, token: NewToken) => void shown.push({ secret, token }),
  };
}

describe("rotate()", () => {
  test("default: the new token has the old one's name, scopes and lifetime; the old one is disabled once the new one works", async () => {
    const old = seedOne();
    const { client } = clientFor(admin.token);
    const person = storer();
    let oldWorkedWhileShown: number | undefined;
    const outcome = await rotate(client, await client.get(old.id), DEFAULT, false, {
      deliver: async (secret, token) => {
        oldWorkedWhileShown = await works(old.token);
        await person.deliver(secret, token);
      },
    });
    expect(oldWorkedWhileShown).toBe(200);
    const [{ secret, token }] = person.shown as [{ secret: string; token: NewToken }];
    expect(token.name).toBe(old.name);
    expect(outcome.created).toMatchObject({ id: token.id, name: old.name, enabled: true });
    expect(outcome.created.scopes).toEqual(["metrics.read", "logs.ingest"]);
    const lifetime = Date.parse(outcome.created.expirationDate!) - Date.parse(outcome.created.creationDate!);
    expect(Math.abs(lifetime - 90 * DAY)).toBeLessThan(60_000);
    expect(outcome.previous).toMatchObject({ id: old.id, enabled: false });
    expect(outcome.retireAt).toBeUndefined();
    expect(outcome.retireError).toBeUndefined();
    expect(await works(secret)).toBe(200);
    expect(await works(old.token)).toBe(401);
  });

  test("a token that never expires gets a replacement that never expires; 30 days when asked", async () => {
    const never = seedOne({ expirationDate: undefined });
    const { client } = clientFor(admin.token);
    const a = await rotate(client, await client.get(never.id), DEFAULT, false, storer());
    expect(a.created.expirationDate).toBeUndefined();
    const b = await rotate(
      client,
      await client.get(seedOne().id),
      { ...DEFAULT, lifetime: 30 },
      false,
      storer(),
    );
    expect(Math.abs(Date.parse(b.created.expirationDate!) - Date.now() - 30 * DAY)).toBeLessThan(60_000);
  });

  test("delete: the old token is gone; keep: it is left working and unmarked", async () => {
    const { client } = clientFor(admin.token);
    const doomed = seedOne();
    const deleted = await rotate(
      client,
      await client.get(doomed.id),
      { ...DEFAULT, revoke: "delete" },
      false,
      storer(),
    );
    expect(deleted.previous).toBeUndefined();
    expect(await works(doomed.token)).toBe(401);

    const kept = seedOne();
    const outcome = await rotate(
      client,
      await client.get(kept.id),
      { ...DEFAULT, revoke: "keep", overlapHours: 24 },
      false,
      storer(),
    );
    expect(outcome.previous).toMatchObject({ name: kept.name, enabled: true });
    expect(outcome.retireAt).toBeUndefined();
    expect(await works(kept.token)).toBe(200);
  });

  test("an overlap keeps the old token working, marked with the time it may go", async () => {
    const old = seedOne();
    const { client } = clientFor(admin.token);
    const before = Date.now();
    const outcome = await rotate(
      client,
      await client.get(old.id),
      { ...DEFAULT, overlapHours: 24 },
      false,
      storer(),
    );
    expect(outcome.retireAt!.getTime() - before).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(outcome.retireAt!.getTime() - before).toBeLessThan(24 * 3_600_000 + 60_000);
    expect(outcome.previous?.name).toBe(
      `${old.name} [dt-tokens:retire:disable@${outcome.retireAt!.toISOString()}]`,
    );
    expect(outcome.previous?.enabled).toBe(true);
    expect(await works(old.token)).toBe(200);
  });

  test("discarding the secret rolls back: the new token is deleted, the old one unchanged, and it throws", async () => {
    const old = seedOne();
    const { client } = clientFor(admin.token);
    const before = await client.get(old.id);
    const total = (await client.list({ pageSize: 100 })).totalCount;
    let newSecret = "";
    const failure = await rotate(client, before, DEFAULT, false, {
      deliver: async (secret) => {
        newSecret = secret;
        throw new Error("The new token was discarded before it was stored.");
      },
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RotationError);
    expect(String(failure)).not.toContain(newSecret);
    expect(await works(newSecret)).toBe(401);
    expect(await client.get(old.id)).toEqual(before);
    expect((await client.list({ pageSize: 100 })).totalCount).toBe(total);
  });

  test("the page's own token: kept until the client uses the new secret, then disabled (or deleted); later requests use the new one", async () => {
    for (const revoke of ["disable", "delete"] as const) {
      const self = seedOne({ name: `self-${revoke}`, scopes: ["apiTokens.read", "apiTokens.write"] });
      const { client, session } = clientFor(self.token);
      const switched: FullApiToken[] = [];
      const outcome = await rotate(client, await client.get(self.id), { ...DEFAULT, revoke }, true, {
        ...storer(),
        switchTo: (secret, token) => {
          session.secret = secret;
          switched.push(token);
        },
      });
      expect(switched.map((t) => t.id)).toEqual([outcome.created.id]);
      expect(outcome.retireError).toBeUndefined();
      expect(await works(self.token)).toBe(401);
      if (revoke === "delete") expect(outcome.previous).toBeUndefined();
      else expect(outcome.previous?.enabled).toBe(false);
      // The client goes on working with the new secret.
      expect((await client.get(outcome.created.id!)).id).toBe(outcome.created.id);
    }
  });

  test("an old token deleted elsewhere while the secret is shown: the rotation completes, and a token already gone counts as retired (404 at retire is done)", async () => {
    const old = seedOne();
    const { client } = clientFor(admin.token);
    const outcome = await rotate(client, await client.get(old.id), DEFAULT, false, {
      deliver: async () => {
        await client.delete(old.id);
      },
    });
    expect(outcome.retireError).toBeUndefined();
    expect(outcome.previous).toBeUndefined();
    expect(outcome.created.enabled).toBe(true);
    await expect(client.get(old.id)).rejects.toMatchObject({ status: 404 });
  });

  test("a disabled token is refused before anything is created", async () => {
    const old = seedOne({ enabled: false });
    const { client } = clientFor(admin.token);
    const total = (await client.list({ pageSize: 100 })).totalCount;
    let delivered = false;
    const failure = await rotate(client, await client.get(old.id), DEFAULT, false, {
      deliver: async () => {
        delivered = true;
      },
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RotationError);
    expect(delivered).toBe(false);
    expect((await client.list({ pageSize: 100 })).totalCount).toBe(total);
  });
});

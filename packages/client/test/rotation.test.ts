// The staged rotation (create, deliver, verify, commit, retire), its rollbacks and the marker
// jobs (finish, clean-up), against the real sandbox on 127.0.0.1. Fault cases put a small
// node:http proxy in front of it.
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { type Sandbox, startSandbox } from "@dt-tokens/sandbox";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import {
  type ApiTokensClient,
  cleanupRotations,
  createApiTokensClient,
  findRotationMarkers,
  finishRetirements,
  InvalidInputError,
  NotFoundError,
  parseDuration,
  parseRotationMarker,
  ROTATABLE_NAME_MAX_LENGTH,
  RotationError,
  rotateToken,
  TOKEN_NAME_MAX_LENGTH,
  unmarkedName,
} from "../src/index.js";
import { deadPort, startServer, type TestServer } from "./helpers.js";

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
beforeEach(() => sandbox.reset());

const count = async () => (await dt.list()).totalCount;
const oldToken = async (name = "grafana") =>
  (await dt.create({ name, scopes: ["metrics.read", "entities.read"], expirationDate: "now+10d" })).id;

describe("rotateToken", () => {
  // Issue 21: one rotation per token, by construction of the library (not only of the CLI).
  test("refuses a token with a replacement in flight, naming it, before anything is created", async () => {
    const id = await oldToken();
    let release!: () => void;
    let inFlightId = "";
    const first = rotateToken(dt, id, {
      expirationDate: "now+30d",
      deliver: (_secret, target) =>
        new Promise<void>((resolve) => {
          inFlightId = target.id;
          release = resolve;
        }),
    });
    while (!inFlightId) await new Promise((r) => setTimeout(r, 10));
    const n = await count();
    const second = await rotateToken(dt, id, { expirationDate: "now+30d", deliver: () => {} }).catch(
      (e) => e,
    );
    expect(second).toBeInstanceOf(RotationError);
    expect(second.stage).toBe("read");
    expect(second.message).toContain(`another rotation of it is in flight: its replacement ${inFlightId}`);
    expect(await count()).toBe(n);
    release();
    await first;
    const cleaned = await cleanupRotations(dt, { olderThan: 0 });
    expect(cleaned).toEqual([]);
  });

  test("a replacement whose delivery started is held by the clean-up, never deleted", async () => {
    const id = await oldToken();
    let release!: () => void;
    let newId = "";
    const running = rotateToken(dt, id, {
      expirationDate: "now+30d",
      deliver: (_secret, target) =>
        new Promise<void>((resolve) => {
          newId = target.id;
          release = resolve;
        }),
    });
    while (!newId) await new Promise((r) => setTimeout(r, 10));
    const outcomes = await cleanupRotations(dt, { olderThan: 0 });
    expect(outcomes.map((o) => [o.token.id, o.status, o.token.delivering])).toEqual([[newId, "held", true]]);
    release();
    await running;
    expect((await dt.get(newId)).name).toBe("grafana");
  });

  test("ROTATABLE_NAME_MAX_LENGTH leaves room for the longest marker", () => {
    const longest = Math.max(
      " [dt-tokens:delivering:dt0c01.ABCDEFGHIJKLMNOPQRSTUVWX]".length,
      ` [dt-tokens:retire:disable@${new Date(0).toISOString()}]`.length,
    );
    expect(ROTATABLE_NAME_MAX_LENGTH).toBe(TOKEN_NAME_MAX_LENGTH - longest);
    const name = "x".repeat(ROTATABLE_NAME_MAX_LENGTH);
    expect(
      parseRotationMarker(`${name} [dt-tokens:delivering:dt0c01.ABCDEFGHIJKLMNOPQRSTUVWX]`),
    ).toMatchObject({
      baseName: name,
      delivering: true,
    });
  });

  test("refuses, before anything is created, an overlap the marker cannot hold and a name too long for the marker", async () => {
    const id = await oldToken();
    const n = await count();
    for (const after of ["999999999w", "3000000d", "367d"])
      await expect(
        rotateToken(dt, id, { expirationDate: "now+30d", deliver: () => {}, retire: { after } }),
      ).rejects.toThrow(/retire.after: expected an overlap of at most 366d/);
    const long = await oldToken("x".repeat(990));
    await expect(rotateToken(dt, long, { expirationDate: "now+30d", deliver: () => {} })).rejects.toThrow(
      /would not fit in a token name/,
    );
    expect(await count()).toBe(n + 1);
  });

  test("delivers, verifies with the new token, commits the name and disables the old token", async () => {
    const id = await oldToken();
    const stages: string[] = [];
    let delivered = "";
    let nameWhileDelivering = "";
    const result = await rotateToken(dt, id, {
      expirationDate: "now+30d",
      deliver: async (secret, target) => {
        delivered = secret;
        nameWhileDelivering = (await dt.get(target.id)).name;
        expect(target).toMatchObject({ name: "grafana", previous: { id } });
      },
      onStage: (stage) => stages.push(stage),
    });
    expect(stages).toEqual(["read", "create", "deliver", "verify", "commit", "retire"]);
    expect(delivered).toBe(result.created.token);
    // From the start of the delivery the marker says so: the clean-up then never deletes it.
    expect(parseRotationMarker(nameWhileDelivering)).toEqual({
      kind: "rotating",
      baseName: "grafana",
      replaces: id,
      delivering: true,
    });
    const fresh = await dt.get(result.created.id);
    expect(fresh).toMatchObject({
      name: "grafana",
      enabled: true,
      scopes: ["metrics.read", "entities.read"],
    });
    expect(fresh.lastUsedDate).toBeDefined(); // the verification authenticated with it
    expect(await dt.get(id)).toMatchObject({ name: "grafana", enabled: false });
    expect(result.retirement).toEqual({ action: "disable", status: "done" });
  });

  // Was a bug: the verification sent the new classic token to the caller's API base, which for a
  // platform token or an OAuth client is the platform prefix (Bearer only): every rotation over
  // platform auth failed at verify and was rolled back.
  test.each([
    ["a platform token", () => ({ token: sandbox.platformToken! })],
    [
      "an OAuth client",
      () => ({
        oauth: {
          clientId: sandbox.oauthClientId!,
          clientSecret: sandbox.oauthClientSecret!,
          accountUrn: sandbox.accountUrn,
          tokenUrl: sandbox.tokenUrl,
        },
      }),
    ],
  ])("over %s: verifies the new classic token on the environment's /api/v2", async (_what, credential) => {
    const platform = createApiTokensClient({ environmentUrl: sandbox.platformBase, ...credential() });
    const id = await oldToken();
    const result = await rotateToken(platform, id, { expirationDate: "now+30d", deliver: async () => {} });
    const fresh = await dt.get(result.created.id);
    expect(fresh).toMatchObject({ name: "grafana", enabled: true });
    expect(fresh.lastUsedDate).toBeDefined(); // the verification authenticated with it
    expect(await dt.get(id)).toMatchObject({ enabled: false });
  });

  test("retire delete removes the old token; keep leaves it as it was", async () => {
    const a = await oldToken();
    await rotateToken(dt, a, { expirationDate: null, deliver: () => {}, retire: { action: "delete" } });
    await expect(dt.get(a)).rejects.toBeInstanceOf(NotFoundError);
    const b = await oldToken("kept");
    const before = await dt.get(b);
    const kept = await rotateToken(dt, b, {
      expirationDate: null,
      deliver: () => {},
      retire: { action: "keep" },
    });
    expect(kept.retirement.status).toBe("kept");
    expect(await dt.get(b)).toEqual(before);
  });

  test("a failing delivery deletes the new token; the old one and the count are unchanged; no secret in the error", async () => {
    const id = await oldToken();
    const before = await dt.get(id);
    const n = await count();
    let secret = "";
    const error = await rotateToken(dt, id, {
      expirationDate: "now+30d",
      deliver: (s) => {
        secret = s;
        throw new Error(`vault said no to ${s}`);
      },
    }).catch((e) => e);
    expect(error).toBeInstanceOf(RotationError);
    expect(error).toMatchObject({ stage: "deliver", tokenId: id, rolledBack: true });
    expect(error.message).toMatch(/failed at deliver: vault said no to .*was deleted again/);
    const everything = `${error.message} ${JSON.stringify(error)} ${error.cause?.message} ${error.stack}`;
    expect(secret).not.toBe("");
    expect(everything).not.toContain(secret.split(".")[2]);
    expect(await count()).toBe(n);
    expect(await dt.get(id)).toEqual(before);
    await expect(dt.get(error.newTokenId)).rejects.toBeInstanceOf(NotFoundError);
  });

  test("undo runs on rollback, before the new token is deleted; its failure is reported", async () => {
    const id = await oldToken();
    const seen: string[] = [];
    const error = await rotateToken(dt, id, {
      expirationDate: null,
      deliver: (_s, target) => dt.update(target.id, { enabled: false }),
      undo: async (target) => {
        seen.push((await dt.get(target.id)).id); // still there
        throw new Error("could not restore the file");
      },
    }).catch((e) => e);
    expect(seen).toHaveLength(1);
    expect(error).toMatchObject({ stage: "verify", rolledBack: true });
    expect(error.message).toMatch(/undoing the delivery failed \(could not restore the file\)/);
    await expect(dt.get(error.newTokenId)).rejects.toBeInstanceOf(NotFoundError);
    const ok = await rotateToken(dt, id, {
      expirationDate: null,
      deliver: () => {},
      undo: () => seen.push("x"),
    });
    expect(ok.retirement.status).toBe("done");
    expect(seen).toHaveLength(1);
  });

  test("a failing verification (the secret does not authenticate) rolls back", async () => {
    const id = await oldToken();
    const before = await dt.get(id);
    const n = await count();
    const error = await rotateToken(dt, id, {
      expirationDate: "now+30d",
      // What a sink that stored something else amounts to: the new token is disabled meanwhile.
      deliver: (_s, target) => dt.update(target.id, { enabled: false }),
    }).catch((e) => e);
    expect(error).toMatchObject({ stage: "verify", rolledBack: true });
    expect(error.message).toMatch(/failed at verify: .*401/);
    expect(await count()).toBe(n);
    expect(await dt.get(id)).toEqual(before);
  });

  test("a verification that cannot reach the environment rolls back", async () => {
    const id = await oldToken();
    const dead = await deadPort();
    const n = await count();
    const error = await rotateToken(dt, id, {
      expirationDate: "now+30d",
      deliver: () => {},
      clientFor: (secret) => createApiTokensClient({ environmentUrl: dead, token: secret, maxRetries: 0 }),
    }).catch((e) => e);
    expect(error).toMatchObject({ stage: "verify", rolledBack: true });
    expect((await dt.get(id)).enabled).toBe(true);
    expect(await count()).toBe(n);
  });

  test("verification compares scopes: lookup must report what was asked for", async () => {
    const id = await oldToken();
    const n = await count();
    const error = await rotateToken(dt, id, {
      expirationDate: null,
      deliver: (_s, target) => dt.update(target.id, { scopes: ["metrics.read"] }),
    }).catch((e) => e);
    expect(error).toMatchObject({ stage: "verify", rolledBack: true });
    expect(error.message).toContain("missing entities.read");
    expect(await count()).toBe(n);
  });

  test("an abort during delivery still rolls back", async () => {
    const id = await oldToken();
    const n = await count();
    const controller = new AbortController();
    const error = await rotateToken(dt, id, {
      expirationDate: null,
      signal: controller.signal,
      deliver: () => controller.abort(),
    }).catch((e) => e);
    expect(error).toMatchObject({ stage: "verify", rolledBack: true });
    expect(await count()).toBe(n);
  });

  test("when the rollback fails too, the error names the new token to revoke", async () => {
    const id = await oldToken();
    const proxy = await failingDeletes(sandbox.url);
    try {
      const viaProxy = throughProxy(proxy);
      const error = await rotateToken(viaProxy, id, {
        expirationDate: null,
        deliver: () => Promise.reject(new Error("disk full")),
      }).catch((e) => e);
      expect(error).toMatchObject({ stage: "deliver", rolledBack: false });
      expect(error.message).toContain(`revoke ${error.newTokenId} yourself`);
      expect(error.rollbackError.message).toMatch(/503/);
      // It is still recognizable as an orphan.
      const { inFlight } = await findRotationMarkers(dt);
      expect(inFlight.map((t) => t.id)).toEqual([error.newTokenId]);
    } finally {
      await proxy.close();
    }
  });

  test("a failed retirement leaves the new token delivered and reports why", async () => {
    // Disabling the calling token is a 400: rotate the bootstrap token itself.
    const self = await dt.lookup(sandbox.bootstrapToken!);
    const result = await rotateToken(dt, self.id, { expirationDate: null, deliver: () => {} });
    expect(result.retirement.status).toBe("failed");
    expect(result.retirement.error?.message).toMatch(/400/);
    expect((await dt.get(result.created.id)).name).toBe(self.name);
  });

  test("refuses a token that is already waiting for retirement or still in flight; bad options change nothing", async () => {
    const id = await oldToken();
    await rotateToken(dt, id, { expirationDate: null, deliver: () => {}, retire: { after: "24h" } });
    const n = await count();
    await expect(rotateToken(dt, id, { expirationDate: null, deliver: () => {} })).rejects.toThrow(
      /failed at read: it was replaced already and waits for retirement/,
    );
    const orphan = await dt.create({ name: "x [dt-tokens:rotating:dt0c01.AAA]", scopes: ["metrics.read"] });
    await expect(rotateToken(dt, orphan.id, { expirationDate: null, deliver: () => {} })).rejects.toThrow(
      /still in flight for dt0c01.AAA/,
    );
    const bad = [
      { retire: { action: "nuke" } },
      { retire: { after: "1 day" } },
      { retire: { action: "keep", after: "1h" } },
      { deliver: "stdout" },
    ];
    for (const o of bad)
      await expect(
        rotateToken(dt, id, { expirationDate: null, deliver: () => {}, ...(o as object) }),
      ).rejects.toBeInstanceOf(InvalidInputError);
    expect(await count()).toBe(n + 1);
  });
});

describe("before anything is created", () => {
  test("prepare sees the old token; its failure (throw, reject, non-Error) stops the rotation at prepare with nothing changed", async () => {
    const id = await oldToken();
    const before = await dt.get(id);
    const n = await count();
    const failures: (() => unknown)[] = [
      () => {
        throw new Error("the directory /secrets does not exist");
      },
      () => Promise.reject(new Error("the directory /secrets does not exist")),
      () => Promise.reject("the directory /secrets does not exist"),
    ];
    for (const failure of failures) {
      let delivered = false;
      let seen: string | undefined;
      const error = await rotateToken(dt, id, {
        expirationDate: "now+30d",
        prepare: (previous) => {
          seen = previous.name;
          return failure();
        },
        deliver: () => {
          delivered = true;
        },
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RotationError);
      expect(error).toMatchObject({ stage: "prepare", tokenId: id, rolledBack: true, newTokenId: undefined });
      expect((error as Error).message).toBe(
        `rotating ${id} failed at prepare: the directory /secrets does not exist; nothing was changed`,
      );
      expect(seen).toBe("grafana");
      expect(delivered).toBe(false);
    }
    expect(await count()).toBe(n);
    expect(await dt.get(id)).toEqual(before);
  });

  test("a disabled token is refused at read: its replacement would be enabled with the same scopes", async () => {
    const id = await oldToken();
    await dt.update(id, { enabled: false });
    const n = await count();
    const error = await rotateToken(dt, id, { expirationDate: "now+30d", deliver: () => {} }).catch((e) => e);
    expect(error).toMatchObject({ stage: "read", rolledBack: true, newTokenId: undefined });
    expect(error.message).toContain("it is disabled");
    expect(await count()).toBe(n);
  });
});

describe("overlap and finishRetirements", () => {
  test("marks the old token, keeps it working, and a later finish retires exactly the due ones", async () => {
    const a = await oldToken("a");
    const b = await oldToken("b");
    const c = await oldToken("c");
    const ra = await rotateToken(dt, a, {
      expirationDate: null,
      deliver: () => {},
      retire: { after: "24h" },
    });
    await rotateToken(dt, b, {
      expirationDate: null,
      deliver: () => {},
      retire: { after: "48h", action: "delete" },
    });
    await rotateToken(dt, c, {
      expirationDate: null,
      deliver: () => {},
      retire: { after: "1h", action: "delete" },
    });
    expect(ra.retirement).toMatchObject({ status: "scheduled", action: "disable" });
    const marked = await dt.get(a);
    expect(marked.enabled).toBe(true);
    expect(parseRotationMarker(marked.name)).toMatchObject({
      kind: "retire",
      baseName: "a",
      action: "disable",
    });
    expect(unmarkedName(marked.name)).toBe("a");

    const later = new Date(Date.now() + 25 * 3_600_000);
    const plan = await finishRetirements(dt, { now: later, dryRun: true });
    expect(plan.map((o) => [o.token.baseName, o.status])).toEqual([
      ["c", "planned"],
      ["a", "planned"],
      ["b", "waiting"],
    ]);
    expect((await dt.get(a)).enabled).toBe(true);

    const done = await finishRetirements(dt, { now: later });
    expect(done.map((o) => [o.token.baseName, o.status])).toEqual([
      ["c", "done"],
      ["a", "done"],
      ["b", "waiting"],
    ]);
    expect(await dt.get(a)).toMatchObject({ name: "a", enabled: false });
    await expect(dt.get(c)).rejects.toBeInstanceOf(NotFoundError);
    expect(await dt.get(b)).toMatchObject({ enabled: true });
    expect((await findRotationMarkers(dt)).retirements.map((t) => t.id)).toEqual([b]);
  });

  test("one failing retirement does not stop the others", async () => {
    const self = await dt.lookup(sandbox.bootstrapToken!);
    const other = await oldToken("other");
    // Mark the calling token itself for deletion (a 400) and another one.
    await dt.update(self.id, { name: `${self.name} [dt-tokens:retire:delete@2000-01-01T00:00:00.000Z]` });
    await dt.update(other, { name: "other [dt-tokens:retire:delete@2000-01-02T00:00:00.000Z]" });
    const outcomes = await finishRetirements(dt);
    expect(outcomes.map((o) => o.status)).toEqual(["failed", "done"]);
    expect(outcomes[0]!.error?.message).toMatch(/400/);
    await expect(dt.get(other)).rejects.toBeInstanceOf(NotFoundError);
    await dt.update(self.id, { name: self.name }); // reset() keeps the bootstrap token as it is
  });
});

describe("two runs at once", () => {
  // Was a bug: two runs that created their replacements at once each saw the other's and both
  // refused, so neither rotated (an overnight job and a colleague's run both failed).
  test("both create at once: the replacement created first goes on, the other run refuses and deletes its own", async () => {
    const old = await oldToken("twice");
    // Holds each create until both runs have sent theirs, creates them upstream one after the
    // other, and answers both only then: each run's next list sees both replacements, whatever
    // the machine's speed (answering the first at once let it finish before the second existed).
    const held: {
      body: string;
      answer: (status: number, headers: IncomingHttpHeaders, body: Buffer) => void;
    }[] = [];
    const proxy = await startServer(
      (req, res) =>
        new Promise<void>((done) => {
          if (req.method !== "POST" || !req.path.endsWith("/apiTokens") || held.length === 2) {
            forward(sandbox.url, req).then(({ status, headers, body }) => {
              res.writeHead(status, headers).end(body, done);
            });
            return;
          }
          held.push({
            body: req.body,
            answer: (status, headers, body) => res.writeHead(status, headers).end(body, done),
          });
          if (held.length === 2)
            void (async () => {
              const answers: Awaited<ReturnType<typeof forward>>[] = [];
              for (const h of held) answers.push(await forward(sandbox.url, { ...req, body: h.body }));
              for (const [i, h] of held.entries())
                h.answer(answers[i]!.status, answers[i]!.headers, answers[i]!.body);
            })();
        }),
    );
    try {
      const other = throughProxy(proxy);
      const delivered: string[] = [];
      const run = () =>
        rotateToken(other, old, {
          expirationDate: "now+30d",
          deliver: (_s, t) => void delivered.push(t.id),
        }).then(
          (r) => r,
          (e: Error) => e,
        );
      const results = await Promise.all([run(), run()]);
      const ok = results.filter((r) => !(r instanceof Error));
      const refused = results.filter((r) => r instanceof Error) as RotationError[];
      expect(ok).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(refused[0]!.message).toContain("another rotation of it is in flight");
      expect(refused[0]!.rolledBack).toBe(true);
      expect(delivered).toHaveLength(1);
      expect((await dt.get(delivered[0]!)).name).toBe("twice");
      expect(await cleanupRotations(dt, { olderThan: 0 })).toEqual([]);
      expect((await dt.get(old)).enabled).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  // The other order: one run finishes (its replacement committed, the old token retired) while the
  // other's create is still on its way. The late one finds no replacement in flight, only the
  // token it read changed: it refuses and deletes its own, so only one replacement exists.
  test.each(["disable", "delete"] as const)(
    "one run finishes while the other's create is on its way (retire %s): the late one refuses and deletes its own",
    async (action) => {
      const old = await oldToken(`late-${action}`);
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let heldNow = () => {};
      const isHeld = new Promise<void>((resolve) => {
        heldNow = resolve;
      });
      const proxy = await startServer(async (req, res) => {
        if (req.method === "POST" && req.path.endsWith("/apiTokens")) {
          heldNow();
          await released;
        }
        const { status, headers, body } = await forward(sandbox.url, req);
        res.writeHead(status, headers).end(body);
      });
      try {
        const late = throughProxy(proxy);
        const delivered: string[] = [];
        const lateRun = rotateToken(late, old, {
          expirationDate: "now+30d",
          retire: { action },
          deliver: (_s, t) => void delivered.push(`late ${t.id}`),
        }).catch((e: RotationError) => e);
        await isHeld; // the late run has read and checked the token, and sent its create
        const first = await rotateToken(dt, old, {
          expirationDate: "now+30d",
          retire: { action },
          deliver: (_s, t) => void delivered.push(`first ${t.id}`),
        });
        release();
        const error = await lateRun;
        expect(error).toBeInstanceOf(RotationError);
        expect((error as RotationError).stage).toBe("create");
        expect((error as RotationError).rolledBack).toBe(true);
        expect((error as RotationError).message).toMatch(
          new RegExp(`it was ${action === "delete" ? "deleted" : "disabled"} while this rotation ran`),
        );
        expect(delivered).toEqual([`first ${first.created.id}`]);
        const replacements = (await dt.list({ fields: ["name"] })).apiTokens.filter(
          (t) => t.id !== old && t.name?.startsWith(`late-${action}`),
        );
        expect(replacements.map((t) => t.id)).toEqual([first.created.id]);
      } finally {
        await proxy.close();
      }
    },
  );

  test("a token another run deleted first counts as done, for finish and clean-up alike", async () => {
    const old = await oldToken("raced");
    await dt.update(old, { name: "raced [dt-tokens:retire:delete@2000-01-01T00:00:00.000Z]" });
    const orphan = await dt.create({ name: "y [dt-tokens:rotating:dt0c01.BBB]", scopes: ["metrics.read"] });
    // Every DELETE answers 404: as if the other run had deleted the token just before.
    const proxy = await failingDeletes(sandbox.url, 404);
    try {
      const other = throughProxy(proxy);
      expect((await finishRetirements(other)).map((o) => o.status)).toEqual(["done"]);
      expect((await cleanupRotations(other, { olderThan: "0s" })).map((o) => o.status)).toEqual(["done"]);
      const failing = await failingDeletes(sandbox.url, 503);
      try {
        const down = createApiTokensClient({
          environmentUrl: failing.url,
          token: sandbox.bootstrapToken!,
          maxRetries: 0,
        });
        expect((await cleanupRotations(down, { olderThan: "0s" })).map((o) => o.status)).toEqual(["failed"]);
      } finally {
        await failing.close();
      }
    } finally {
      await proxy.close();
    }
    expect(orphan.id).toBeDefined();
  });
});

describe("cleanupRotations", () => {
  test("removes replacements that never committed, once they are older than olderThan", async () => {
    const orphan = await dt.create({ name: "x [dt-tokens:rotating:dt0c01.AAA]", scopes: ["metrics.read"] });
    const normal = await oldToken("normal");
    const now = await cleanupRotations(dt);
    expect(now.map((o) => o.status)).toEqual(["waiting"]);
    const plan = await cleanupRotations(dt, { olderThan: "0s", dryRun: true });
    expect(plan).toMatchObject([
      { status: "planned", token: { id: orphan.id, replaces: "dt0c01.AAA", baseName: "x" } },
    ]);
    const done = await cleanupRotations(dt, { now: new Date(Date.now() + 2 * 3_600_000) });
    expect(done.map((o) => o.status)).toEqual(["done"]);
    await expect(dt.get(orphan.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await dt.get(normal)).name).toBe("normal");
  });
});

describe("markers and durations", () => {
  test("parse what they write, and nothing else", () => {
    expect(parseRotationMarker("a b [dt-tokens:retire:delete@2026-01-01T00:00:00.000Z]")).toEqual({
      kind: "retire",
      baseName: "a b",
      action: "delete",
      at: new Date("2026-01-01T00:00:00.000Z"),
    });
    for (const name of [
      "plain",
      "x [dt-tokens:retire:explode@2026-01-01T00:00:00.000Z]",
      "x [dt-tokens:retire:disable@not-a-date]",
      "x [dt-tokens:rotating:] ",
      "x [dt-tokens:rotating:a b]",
      undefined,
    ])
      expect(parseRotationMarker(name)).toBeUndefined();
    expect(parseDuration("24h")).toBe(86_400_000);
    expect(parseDuration("1d12h")).toBe(129_600_000);
    expect(parseDuration("0s")).toBe(0);
    for (const bad of ["", "24", "1 d", "-1h", "1y", "h"])
      expect(() => parseDuration(bad, "--overlap")).toThrow(/--overlap: expected a duration/);
  });
});

/** A proxy in front of the sandbox that answers every DELETE with a 503 (or `status`). */
/** A client of the sandbox's bootstrap token that goes through a test proxy and never retries. */
const throughProxy = (proxy: TestServer) =>
  createApiTokensClient({ environmentUrl: proxy.url, token: sandbox.bootstrapToken!, maxRetries: 0 });

/** Sends a request the test server received on to the sandbox and reads the whole answer. */
function forward(
  target: string,
  req: { method: string; url: string; headers: IncomingHttpHeaders; body: string },
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(`${target}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
      const chunks: Buffer[] = [];
      r.on("data", (c: Buffer) => chunks.push(c));
      r.on("end", () =>
        resolve({ status: r.statusCode ?? 502, headers: r.headers, body: Buffer.concat(chunks) }),
      );
    });
    upstream.on("error", reject);
    upstream.end(req.body);
  });
}

async function failingDeletes(target: string, status = 503): Promise<TestServer> {
  return startServer(
    (req, res) =>
      new Promise<void>((done) => {
        if (req.method === "DELETE") {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: { code: status, message: "unavailable" } }));
          return done();
        }
        const upstream = httpRequest(
          `${target}${req.url}`,
          { method: req.method, headers: req.headers },
          (r) => {
            res.writeHead(r.statusCode ?? 502, r.headers);
            r.pipe(res).on("finish", done);
          },
        );
        upstream.end(req.body);
      }),
  );
}

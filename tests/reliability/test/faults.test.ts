/**
 * Faults end to end: the client against the sandbox injecting 503s, 502/504s, 429s with Retry-After,
 * dropped connections, lost responses after commit and latency, at rates that make failures common.
 */
import {
  type ApiTokensClient,
  ApiTokensError,
  createApiTokensClient,
  NotFoundError,
  type TokenScope,
} from "@dt-tokens/client";
import { type FaultOptions, type RequestLogEntry, type Sandbox, startSandbox } from "@dt-tokens/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const TOKENS = 10_000;
let sandbox: Sandbox;
let log: RequestLogEntry[] = [];
let dt: ApiTokensClient;
let bulkIds: Set<string>;

beforeAll(async () => {
  sandbox = await startSandbox({ log: (e) => log.push(e) });
  // one transaction: 10,000 tokens of the owner "bulk", all created "now" (ties for the keyset)
  const seeded = sandbox.seed(
    Array.from({ length: TOKENS }, (_, i) => ({
      name: `bulk-${String(i).padStart(5, "0")}`,
      owner: "bulk",
      scopes: ["metrics.read"],
      lastUsedDate: i % 3 === 0 ? null : Date.now() - i * 60_000,
    })),
  );
  bulkIds = new Set(seeded.map((t) => t.id));
  dt = createApiTokensClient({
    environmentUrl: sandbox.url,
    token: sandbox.bootstrapToken!,
    maxRetries: 40,
    retryDelayMs: 1,
    timeoutMs: 20_000,
  });
});
afterAll(() => sandbox.close());

interface FaultCounts {
  requests: number;
  e503: number;
  e429: number;
  e502or504: number;
  e500: number;
  drops: number;
  afterCommit: number;
}

/** Runs `fn` under faults and counts what the sandbox injected (from its request log). */
async function underFaults<T>(options: FaultOptions, fn: () => Promise<T>): Promise<[T, FaultCounts]> {
  log = [];
  sandbox.setFaults(options);
  let result: T;
  try {
    result = await fn();
  } finally {
    sandbox.setFaults(undefined);
  }
  const errors = log.filter((e) => e.event === "fault-error");
  return [
    result,
    {
      requests: log.length,
      e503: errors.filter((e) => e.status === 503).length,
      e429: errors.filter((e) => e.status === 429).length,
      e502or504: errors.filter((e) => e.status === 502 || e.status === 504).length,
      e500: errors.filter((e) => e.status === 500).length,
      drops: log.filter((e) => e.event === "fault-drop").length,
      afterCommit: log.filter((e) => e.event === "fault-after-commit").length,
    },
  ];
}

const faultTotal = (c: FaultCounts) => c.e503 + c.e429 + c.e502or504 + c.e500 + c.drops + c.afterCommit;

describe("listAll through faults", () => {
  const SORTS = ["name", "-name", "creationDate", "-creationDate", "lastUsedDate", "-lastUsedDate"] as const;
  const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const totals: FaultCounts[] = [];

  it.each(SEEDS)(
    `yields exactly ${TOKENS} distinct ids under fault seed %i`,
    async (seed) => {
      const pageSize = 500 + ((seed * 137) % 501); // 500..1000: faults land mid-iteration
      const sort = SORTS[seed % SORTS.length]!;
      // one seed with Retry-After: 1 (the client waits as asked); the others Retry-After: 0 for speed
      const retryAfterSeconds = seed === 12 ? 1 : 0;
      const [ids, counts] = await underFaults(
        {
          seed,
          errorRate: seed === 12 ? 0.15 : 0.3,
          errorStatuses: [503, 429, 502, 504],
          dropRate: 0.1,
          afterCommitRate: 0.1,
          latencyMs: [0, 4],
          retryAfterSeconds,
        },
        async () => {
          const ids: string[] = [];
          for await (const t of dt.listAll({ selector: { owner: "bulk" }, pageSize, sort })) ids.push(t.id);
          return ids;
        },
      );
      totals.push(counts);
      console.log(
        `seed ${seed}: pageSize ${pageSize}, sort ${sort}, Retry-After ${retryAfterSeconds}: ${ids.length} ids over ${counts.requests} requests; injected ${faultTotal(counts)} faults (503: ${counts.e503}, 429: ${counts.e429}, 502/504: ${counts.e502or504}, dropped: ${counts.drops}, lost after processing: ${counts.afterCommit})`,
      );
      expect(ids.length).toBe(TOKENS);
      expect(new Set(ids).size).toBe(TOKENS);
      expect(ids.every((id) => bulkIds.has(id))).toBe(true);
      // the faults did hit: more requests than pages, and several faults
      expect(faultTotal(counts)).toBeGreaterThanOrEqual(2);
      expect(counts.requests).toBe(Math.ceil(TOKENS / pageSize) + faultTotal(counts));
    },
    60_000,
  );

  it("the seeds together injected every kind of fault", () => {
    const sum = (k: keyof FaultCounts) => totals.reduce((n, c) => n + c[k], 0);
    console.log(
      `${totals.length} seeds: ${totals.reduce((n, c) => n + faultTotal(c), 0)} faults in ${sum("requests")} requests (503: ${sum("e503")}, 429: ${sum("e429")}, 502/504: ${sum("e502or504")}, dropped: ${sum("drops")}, lost after processing: ${sum("afterCommit")})`,
    );
    expect(totals.length).toBe(SEEDS.length);
    for (const k of ["e503", "e429", "e502or504", "drops", "afterCommit"] as const)
      expect(sum(k), k).toBeGreaterThan(0);
  });
});

const SCOPE_SETS: TokenScope[][] = [
  ["metrics.read"],
  ["logs.read", "metrics.read"],
  ["entities.read"],
  ["events.ingest", "logs.ingest"],
];

describe("updates and deletes retried through faults", () => {
  it("end in the intended state", async () => {
    const targets = sandbox.seed(
      Array.from({ length: 300 }, (_, i) => ({ name: `mut-${i}`, owner: "mut", scopes: ["metrics.read"] })),
    );
    const intended = targets.map((t, i) => ({
      id: t.id,
      name: `mut-${i}-renamed`,
      enabled: i % 3 !== 0,
      scopes: SCOPE_SETS[i % SCOPE_SETS.length]!,
      deleted: i % 2 === 1,
    }));
    const outcomes = {
      updated: 0,
      deleted: 0,
      deleteNotFoundAfterLostResponse: 0,
      unexpected: [] as string[],
    };
    const [, counts] = await underFaults(
      {
        seed: 101,
        errorRate: 0.3,
        errorStatuses: [503, 429, 502, 504],
        dropRate: 0.1,
        afterCommitRate: 0.15,
        latencyMs: [0, 3],
        retryAfterSeconds: 0,
      },
      async () => {
        for (const want of intended) {
          try {
            await dt.update(want.id, { name: want.name, enabled: want.enabled, scopes: want.scopes });
            outcomes.updated++;
          } catch (e) {
            outcomes.unexpected.push(`update ${want.id}: ${String(e)}`);
          }
        }
        for (const want of intended.filter((w) => w.deleted)) {
          try {
            await dt.delete(want.id);
            outcomes.deleted++;
          } catch (e) {
            // Documented: a delete retried after its response was lost answers 404 with outcomeUnknown
            // (the server saw more than one DELETE of the token).
            const sent = log.filter((l) => l.method === "DELETE" && l.path.endsWith(`/${want.id}`)).length;
            if (e instanceof NotFoundError && e.outcomeUnknown && sent > 1)
              outcomes.deleteNotFoundAfterLostResponse++;
            else outcomes.unexpected.push(`delete ${want.id}: ${String(e)}`);
          }
        }
      },
    );
    console.log(
      `300 updates, 150 deletes: ${outcomes.updated} updates and ${outcomes.deleted} deletes succeeded, ${outcomes.deleteNotFoundAfterLostResponse} deletes answered 404 (outcome unknown) after a lost response; ${faultTotal(counts)} faults injected in ${counts.requests} requests (lost after processing: ${counts.afterCommit})`,
    );
    expect(outcomes.unexpected).toEqual([]);
    expect(counts.afterCommit).toBeGreaterThan(0);
    // the state, read without faults
    const seen = new Map<string, { name?: string; enabled?: boolean; scopes?: string[] }>();
    for await (const t of dt.listAll({
      selector: { owner: "mut" },
      fields: ["name", "enabled", "scopes"],
      pageSize: 1000,
    }))
      seen.set(t.id, t);
    const wrong = intended.filter((w) => {
      const s = seen.get(w.id);
      if (w.deleted) return s !== undefined;
      return !s || s.name !== w.name || s.enabled !== w.enabled || s.scopes?.join() !== w.scopes.join();
    });
    expect(wrong).toEqual([]);
    expect(seen.size).toBe(150);
  }, 120_000);
});

describe("creates under faults (including lost responses after commit)", () => {
  const SEEDS = [201, 202, 203];
  const all = { succeeded: 0, unknownExisting: 0, unknownAbsent: 0, failed: 0, e429: 0, afterCommit: 0 };

  it.each(SEEDS)(
    "seed %i: tokens that exist = succeeded + some of the outcome-unknown ones; none reported failed exists",
    async (seed) => {
      const prefix = `create-${seed}-`;
      type Outcome =
        | { name: string; kind: "ok"; id: string; token: string }
        | { name: string; kind: "unknown" | "failed"; error: string };
      const [outcomes, counts] = await underFaults(
        {
          seed,
          errorRate: 0.25,
          errorStatuses: [503, 429, 500, 502],
          dropRate: 0.1,
          afterCommitRate: 0.15,
          latencyMs: [0, 3],
          retryAfterSeconds: 0,
        },
        async () => {
          const out: Outcome[] = [];
          for (let i = 0; i < 150; i++) {
            const name = `${prefix}${i}`;
            // every 10th create is invalid (an unknown scope): a 400 that certainly created nothing
            const scopes = (i % 10 === 9 ? ["no.such.scope"] : ["metrics.read"]) as TokenScope[];
            try {
              const created = await dt.create({ name, scopes });
              out.push({ name, kind: "ok", id: created.id, token: created.token });
            } catch (e) {
              if (!(e instanceof ApiTokensError)) throw e;
              out.push({ name, kind: e.outcomeUnknown ? "unknown" : "failed", error: e.name });
            }
          }
          return out;
        },
      );
      const existing = new Map<string, string>(); // name -> id
      const duplicates: string[] = [];
      for await (const t of dt.listAll({ selector: { owner: "admin" }, fields: ["name"], pageSize: 1000 })) {
        if (!t.name.startsWith(prefix)) continue;
        if (existing.has(t.name)) duplicates.push(t.name);
        existing.set(t.name, t.id);
      }
      const ok = outcomes.filter((o) => o.kind === "ok");
      const unknown = outcomes.filter((o) => o.kind === "unknown");
      const failed = outcomes.filter((o) => o.kind === "failed");
      const unknownExisting = unknown.filter((o) => existing.has(o.name));
      console.log(
        `seed ${seed}: 150 creates: ${ok.length} succeeded, ${unknown.length} outcome unknown (${unknownExisting.length} of them exist), ${failed.length} failed (${[...new Set(failed.map((f) => (f.kind === "failed" ? f.error : "")))].join(", ")}); ${existing.size} exist; faults: ${faultTotal(counts)} (429: ${counts.e429}, dropped: ${counts.drops}, lost after commit: ${counts.afterCommit})`,
      );
      expect(duplicates).toEqual([]);
      // every reported success exists, under the returned id, and its secret is the one returned
      for (const o of ok) expect(existing.get(o.name), o.name).toBe(o.kind === "ok" ? o.id : "");
      for (const o of ok.slice(0, 20)) if (o.kind === "ok") expect((await dt.lookup(o.token)).id).toBe(o.id);
      // nothing reported as failed (outcomeUnknown false) exists
      expect(failed.filter((o) => existing.has(o.name))).toEqual([]);
      // exists = succeeded + the outcome-unknown ones that were applied; never more
      expect(existing.size).toBe(ok.length + unknownExisting.length);
      expect(existing.size).toBeLessThanOrEqual(ok.length + unknown.length);
      // every name that exists was asked for
      expect([...existing.keys()].every((n) => outcomes.some((o) => o.name === n))).toBe(true);
      all.succeeded += ok.length;
      all.unknownExisting += unknownExisting.length;
      all.unknownAbsent += unknown.length - unknownExisting.length;
      all.failed += failed.length;
      all.e429 += counts.e429;
      all.afterCommit += counts.afterCommit;
    },
    60_000,
  );

  it("the seeds together hit every case: applied-then-lost, not applied, certainly failed", () => {
    console.log(`creates over ${SEEDS.length} seeds: ${JSON.stringify(all)}`);
    expect(all.succeeded).toBeGreaterThan(0);
    expect(all.unknownExisting).toBeGreaterThan(0); // after-commit faults made some
    expect(all.unknownAbsent).toBeGreaterThan(0); // before-processing 5xx and drops made others
    expect(all.failed).toBeGreaterThan(0); // the invalid ones
    expect(all.e429).toBeGreaterThan(0); // and creates were throttled (and retried)
  });
});

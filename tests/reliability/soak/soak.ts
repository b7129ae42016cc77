/**
 * Soak: N concurrent clients (default 50), each with its own token, run mixed operations for S
 * seconds (default 60) against the sandbox bin (a child process with a file database), throttled at
 * R requests per second per token (default 2, burst 2R: it bites on a busy machine too). Passes when the only errors are the throttling asked
 * for, and the database holds exactly what the clients were told. Prints p50/p99 latency.
 *
 *   pnpm soak                      (from the repository root: builds, then runs this)
 *   SOAK_SECONDS=10 SOAK_CLIENTS=20 SOAK_RPS=5 pnpm soak
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import {
  type ApiTokensClient,
  createApiTokensClient,
  RateLimitError,
  type TokenScope,
} from "@dt-tokens/client";
import { generateDemoTokens, generateTokenSecret, seedTokens } from "@dt-tokens/sandbox";
import { percentile, prng, startBin, stopBin } from "../test/helpers.js";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 50);
const RPS = Number(process.env.SOAK_RPS ?? 2);
const BASELINE = 2000;

type Op = "list" | "listAll" | "get" | "create" | "update" | "lookup" | "delete";
const WEIGHTS: [Op, number][] = [
  ["list", 28],
  ["get", 20],
  ["create", 15],
  ["update", 15],
  ["lookup", 10],
  ["delete", 10],
  ["listAll", 2],
];

const dir = mkdtempSync(join(tmpdir(), "dt-soak-"));
const db = join(dir, "tokens.db");
const bootstrap = generateTokenSecret();
seedTokens(db, generateDemoTokens({ count: BASELINE, seed: 11 }));
const bin = await startBin(
  ["--db", db, "--quiet", "--throttle-rps", String(RPS), "--throttle-burst", String(RPS * 2)],
  { DT_SANDBOX_BOOTSTRAP_TOKEN: bootstrap },
);
const url = bin.ready.url;

const statuses = new Map<number, number>();

const admin = createApiTokensClient({ environmentUrl: url, token: bootstrap, maxRetries: 20 });
const callers: string[] = [];
for (let i = 0; i < CLIENTS; i++)
  callers.push(
    (await admin.create({ name: `soak-client-${i}`, scopes: ["apiTokens.read", "apiTokens.write"] })).token,
  );

const latencies = new Map<Op, number[]>(WEIGHTS.map(([op]) => [op, []]));
const throttledLatencies: number[] = [];
const errors: string[] = [];
let rateLimitErrors = 0;
let created = 0;
let deleted = 0;
const started = performance.now();
const deadline = started + SECONDS * 1000;

async function run(i: number): Promise<void> {
  const random = prng(1000 + i);
  let throttled = 0; // this client's 429s
  const counting: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.status === 429) throttled++;
    return res;
  };
  const dt: ApiTokensClient = createApiTokensClient({
    environmentUrl: url,
    token: callers[i]!,
    fetch: counting,
    maxRetries: 8,
    retryDelayMs: 50,
    timeoutMs: 30_000,
  });
  const mine: { id: string; token: string }[] = [];
  const total = WEIGHTS.reduce((n, [, w]) => n + w, 0);
  for (let n = 0; performance.now() < deadline; n++) {
    let pick = random() * total;
    let op: Op = "list";
    for (const [candidate, weight] of WEIGHTS) {
      op = candidate;
      pick -= weight;
      if (pick < 0) break;
    }
    if ((op === "get" || op === "update" || op === "lookup" || op === "delete") && mine.length === 0)
      op = "create";
    const target = mine[Math.floor(random() * mine.length)];
    const before = throttled;
    const t0 = performance.now();
    try {
      switch (op) {
        case "list":
          await dt.list({
            pageSize: 100,
            sort: random() < 0.5 ? "-lastUsedDate" : "name",
            selector: random() < 0.3 ? { personalAccessToken: false } : undefined,
          });
          break;
        case "listAll": {
          let count = 0;
          for await (const _ of dt.listAll({ pageSize: 1000, fields: ["name"] })) count++;
          if (count < BASELINE)
            throw new Error(`listAll saw ${count} tokens, fewer than the ${BASELINE} seeded`);
          break;
        }
        case "get":
          await dt.get(target!.id);
          break;
        case "create": {
          const c = await dt.create({
            name: `soak-${i}-${n}`,
            scopes: ["metrics.read" as TokenScope],
            expirationDate: random() < 0.3 ? "now+30d" : undefined,
          });
          mine.push(c);
          created++;
          break;
        }
        case "update":
          await dt.update(target!.id, { name: `soak-${i}-${n}-renamed`, enabled: random() < 0.8 });
          break;
        case "lookup":
          await dt.lookup(target!.token);
          break;
        case "delete":
          await dt.delete(target!.id);
          mine.splice(mine.indexOf(target!), 1);
          deleted++;
          break;
      }
    } catch (e) {
      if (e instanceof RateLimitError) rateLimitErrors++;
      else errors.push(`${op}: ${String(e)}`);
    }
    const ms = performance.now() - t0;
    (throttled > before ? throttledLatencies : latencies.get(op)!).push(ms);
  }
}

await Promise.all(Array.from({ length: CLIENTS }, (_, i) => run(i)));
const elapsed = (performance.now() - started) / 1000;

// the database holds exactly what the clients were told
const finalCount = (await admin.list({ pageSize: 100 })).totalCount;
const expected = BASELINE + 1 + CLIENTS + created - deleted;
if (finalCount !== expected)
  errors.push(`the sandbox holds ${finalCount} tokens, the clients were told ${expected}`);
await stopBin(bin);
rmSync(dir, { recursive: true, force: true });

const fmt = (xs: number[]) =>
  `p50 ${percentile(xs, 50).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms`;
const unthrottled = [...latencies.values()].flat();
const all = [...unthrottled, ...throttledLatencies];
console.log(
  `soak: ${CLIENTS} clients, ${elapsed.toFixed(1)} s, throttle ${RPS} rps per token (burst ${RPS * 2})`,
);
console.log(
  `  operations: ${all.length} (${(all.length / elapsed).toFixed(0)}/s); HTTP responses: ${[...statuses]
    .sort()
    .map(([s, n]) => `${n} x ${s}`)
    .join(", ")}`,
);
for (const [op, xs] of latencies)
  console.log(`  ${op.padEnd(8)} ${String(xs.length).padStart(6)} ops  ${fmt(xs)}`);
console.log(`  all, not throttled: ${fmt(unthrottled)}`);
console.log(`  all, including ${throttledLatencies.length} throttled and retried: ${fmt(all)}`);
console.log(
  `  created ${created}, deleted ${deleted}; final count ${finalCount} as expected: ${finalCount === expected}`,
);
console.log(
  `  errors: ${errors.length} (+ ${rateLimitErrors} RateLimitErrors after retries: the throttling asked for)`,
);
for (const e of errors.slice(0, 10)) console.log(`    ${e}`);
process.exitCode = errors.length === 0 ? 0 : 1;

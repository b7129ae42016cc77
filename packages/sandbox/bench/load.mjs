// The sandbox under concurrent load from a second process (autocannon, 10 connections), for get by
// id, a 200-token list page and create; the same requests against Prism mocking
// spec/api-tokens.yaml (static examples) on the same machine, as the baseline. Each server runs in
// its own process with request logging off; each measurement gets a warm-up first.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { generateDemoTokens, seedTokens } from "@dt-tokens/sandbox";
import Database from "better-sqlite3";
import { ROOT, run, startSandboxProcess, writeSection } from "../../../bench/lib.mjs";

const QUICK = process.env.BENCH_QUICK === "1";
const DURATION = QUICK ? 2 : 6;
const CONNECTIONS = 10;
const require = createRequire(import.meta.url);
const autocannon = join(dirname(require.resolve("autocannon/package.json")), "autocannon.js");

/** Prism lives in bench/prism (an npm project outside the workspace); installed on first use. */
function prismBin() {
  const dir = join(ROOT, "bench/prism");
  const bin = join(dir, "node_modules/@stoplight/prism-cli/dist/index.js");
  const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8"));
  const wanted = lock.packages["node_modules/@stoplight/prism-cli"].version;
  const installed = existsSync(bin)
    ? JSON.parse(readFileSync(join(dir, "node_modules/@stoplight/prism-cli/package.json"), "utf8")).version
    : undefined;
  if (installed !== wanted) {
    console.log(`installing Prism ${wanted} into bench/prism (npm ci --ignore-scripts)...`);
    const start = performance.now();
    execFileSync("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: dir,
      stdio: "inherit",
    });
    console.log(`  done in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  }
  return bin;
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startPrism() {
  const bin = prismBin();
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [bin, "mock", join(ROOT, "spec/api-tokens.yaml"), "-h", "127.0.0.1", "-p", String(port), "-v", "error"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let err = "";
  child.stderr.on("data", (d) => {
    err += d;
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`${base}/apiTokens/dt0c01.ST2EY72KQINMH574WMNVI7YN`, {
      headers: { authorization: "Api-Token x" },
    }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 300 || child.exitCode !== null) throw new Error(`Prism did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    apiBase: base,
    pid: child.pid,
    close: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** One autocannon run in its own process; returns requests/s and latency percentiles (ms). */
async function load(name, url, { method = "GET", headers, body }, duration) {
  const args = [autocannon, "-j", "-n", "-c", String(CONNECTIONS), "-d", String(duration), "-m", method];
  for (const [k, v] of Object.entries(headers)) args.push("-H", `${k}=${v}`);
  if (body) args.push("-b", body);
  const result = JSON.parse(await run(process.execPath, [...args, url]));
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0)
    throw new Error(`${name}: ${bad} failed requests (non-2xx ${result.non2xx}, errors ${result.errors})`);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
  };
}

/**
 * The floor of a list page: better-sqlite3 reading the same 200 tokens (only the default fields'
 * columns, in the default order) and serializing them as the API does, with no HTTP, in this
 * process, for `duration` seconds. Returns pages/s.
 */
function listFloor(duration) {
  const dir = mkdtempSync(join(tmpdir(), "dt-sandbox-floor-"));
  try {
    const file = join(dir, "floor.db");
    seedTokens(file, generateDemoTokens({ count: 1000, seed: 1 }));
    const db = new Database(file, { readonly: true });
    const page = db.prepare(
      "SELECT seq, id, name, enabled, owner, creation_ms FROM tokens ORDER BY creation_ms DESC, seq DESC LIMIT 201",
    );
    const count = db.prepare("SELECT count(*) AS n FROM tokens");
    const serialize = () => {
      const rows = page.all();
      return JSON.stringify({
        totalCount: count.get().n,
        pageSize: 200,
        nextPageKey: null,
        apiTokens: rows.slice(0, 200).map((r) => ({
          id: r.id,
          name: r.name,
          enabled: r.enabled === 1,
          owner: r.owner,
          creationDate: new Date(r.creation_ms).toISOString(),
        })),
      });
    };
    for (let i = 0; i < 200; i++) serialize(); // warm-up
    const end = performance.now() + duration * 1000;
    let pages = 0;
    while (performance.now() < end) {
      serialize();
      pages++;
    }
    db.close();
    return pages / duration;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CREATE = JSON.stringify({ name: "load", scopes: ["metrics.read"] });
async function measureTarget(target, token, id) {
  const auth = { authorization: `Api-Token ${token}` };
  const requests = {
    "get by id": [`${target.apiBase}/apiTokens/${id}`, { headers: auth }],
    "list, a 200-token page": [`${target.apiBase}/apiTokens?pageSize=200`, { headers: auth }],
    create: [
      `${target.apiBase}/apiTokens`,
      { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: CREATE },
    ],
  };
  const out = {};
  for (const [op, [url, init]] of Object.entries(requests)) {
    await load(op, url, init, 1); // warm-up
    out[op] = await load(op, url, init, DURATION);
  }
  return out;
}

const sandbox = await startSandboxProcess(["--seed-demo", "1000"]);
let sandboxResults;
let listedPage;
try {
  const headers = { authorization: `Api-Token ${sandbox.bootstrapToken}` };
  listedPage = await (await fetch(`${sandbox.apiBase}/apiTokens?pageSize=200`, { headers })).json();
  if (listedPage.apiTokens.length !== 200) throw new Error("the sandbox did not return a 200-token page");
  sandboxResults = await measureTarget(sandbox, sandbox.bootstrapToken, listedPage.apiTokens[17].id);
} finally {
  await sandbox.close();
}
const prism = await startPrism();
let prismResults;
let prismPageSize;
try {
  const page = await (
    await fetch(`${prism.apiBase}/apiTokens?pageSize=200`, { headers: { authorization: "Api-Token x" } })
  ).json();
  prismPageSize = page.apiTokens?.length;
  // Prism only checks that the Authorization header is there.
  prismResults = await measureTarget(
    prism,
    `dt0c01.ST2EY72KQINMH574WMNVI7YN.${"G".repeat(64)}`,
    listedPage.apiTokens[17].id,
  );
} finally {
  await prism.close();
}

const floor = listFloor(DURATION);

const rows = [];
for (const op of Object.keys(sandboxResults)) {
  const s = sandboxResults[op];
  const p = prismResults[op];
  rows.push(
    { name: `${op}: Prism, requests/s`, value: p.rps, unit: "req/s", better: "higher" },
    {
      name: `${op}: sandbox, requests/s`,
      value: s.rps,
      unit: "req/s",
      better: "higher",
      baseline: `${op}: Prism, requests/s`,
    },
    ...(op === "list, a 200-token page"
      ? [
          {
            name: `${op}: sandbox, requests/s vs better-sqlite3 without HTTP (the floor)`,
            value: s.rps,
            unit: "req/s",
            better: "higher",
            baseline: `${op}: better-sqlite3 read + serialize, no HTTP, pages/s`,
          },
          {
            name: `${op}: better-sqlite3 read + serialize, no HTTP, pages/s`,
            value: floor,
            unit: "pages/s",
            better: "higher",
          },
        ]
      : []),
    { name: `${op}: Prism, p50`, value: p.p50, unit: "ms", better: "lower" },
    { name: `${op}: sandbox, p50`, value: s.p50, unit: "ms", better: "lower", baseline: `${op}: Prism, p50` },
    { name: `${op}: Prism, p99`, value: p.p99, unit: "ms", better: "lower" },
    { name: `${op}: sandbox, p99`, value: s.p99, unit: "ms", better: "lower", baseline: `${op}: Prism, p99` },
  );
}
writeSection({
  id: "sandbox-load",
  order: 3,
  title: "Sandbox under load vs Prism mocking spec/api-tokens.yaml",
  method:
    `autocannon 9 in a second process, ${CONNECTIONS} connections, ${DURATION} s per measurement after a 1 s warm-up, keep-alive. ` +
    "Sandbox: the dt-tokens-sandbox bin (in-memory SQLite, 1,000 demo tokens, --quiet); get = an existing token, " +
    "list = GET /apiTokens?pageSize=200 (200 tokens, default fields, sorted), create = POST with name and one scope (a new token each: the table grows). " +
    `Prism 5.14.2 (static examples from the spec, -v error): same requests; its list example holds ` +
    `${prismPageSize ?? "?"} token(s), not 200, and it stores nothing. Every response was checked to be 2xx. autocannon records latency in whole milliseconds. Baseline: Prism. ` +
    "Floor of the list: better-sqlite3 in the benchmark process reading the same 200 tokens (default fields' columns) and serializing the page, no HTTP, one thread.",
  rows,
  extra: { sandbox: sandboxResults, prism: prismResults, listFloorPagesPerSecond: floor },
});

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

const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/** CPU seconds a process (all its threads) has used so far, from /proc. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
}

/**
 * One autocannon run in its own process; returns requests/s, latency percentiles (ms) and the
 * server's requests per CPU-second (its user + system time over the run: steadier than the wall
 * clock when the machine's cores are shared).
 */
async function load(name, url, { method = "GET", headers, body }, duration, serverPid) {
  const args = [autocannon, "-j", "-n", "-c", String(CONNECTIONS), "-d", String(duration), "-m", method];
  for (const [k, v] of Object.entries(headers)) args.push("-H", `${k}=${v}`);
  if (body) args.push("-b", body);
  const cpuBefore = cpuSeconds(serverPid);
  const result = JSON.parse(await run(process.execPath, [...args, url]));
  const cpu = cpuSeconds(serverPid) - cpuBefore;
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0)
    throw new Error(`${name}: ${bad} failed requests (non-2xx ${result.non2xx}, errors ${result.errors})`);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    perCpuSecond: cpu > 0 ? result.requests.total / cpu : undefined,
  };
}

/**
 * The floor of a list page: better-sqlite3 reading the same 200 tokens (only the default fields'
 * columns, in the default order) and serializing them as the API does, with no HTTP, in this
 * process, for `duration` seconds. Returns pages per second and per CPU-second.
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
    const cpuBefore = process.cpuUsage();
    const end = performance.now() + duration * 1000;
    let pages = 0;
    while (performance.now() < end) {
      serialize();
      pages++;
    }
    const cpu = process.cpuUsage(cpuBefore);
    db.close();
    return { perSecond: pages / duration, perCpuSecond: pages / ((cpu.user + cpu.system) / 1e6) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CREATE = JSON.stringify({ name: "load", scopes: ["metrics.read"] });
const LIST = "list, a 200-token page";
const LIST_UNCACHED = "list, a 200-token page, cache off";
async function measureTarget(target, token, id, ops = ["get by id", LIST, "create"]) {
  const auth = { authorization: `Api-Token ${token}` };
  const requests = {
    "get by id": [`${target.apiBase}/apiTokens/${id}`, { headers: auth }],
    [LIST]: [`${target.apiBase}/apiTokens?pageSize=200`, { headers: auth }],
    create: [
      `${target.apiBase}/apiTokens`,
      { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: CREATE },
    ],
  };
  const out = {};
  for (const op of ops) {
    const [url, init] = requests[op];
    await load(op, url, init, 1, target.pid); // warm-up
    out[op] = await load(op, url, init, DURATION, target.pid);
  }
  return out;
}

/** The same list page from a sandbox started with --no-list-cache: every page computed. */
async function measureUncachedList() {
  const uncached = await startSandboxProcess(["--seed-demo", "1000", "--no-list-cache"]);
  try {
    const page = await (
      await fetch(`${uncached.apiBase}/apiTokens?pageSize=200`, {
        headers: { authorization: `Api-Token ${uncached.bootstrapToken}` },
      })
    ).json();
    if (page.apiTokens.length !== 200) throw new Error("the sandbox did not return a 200-token page");
    return (await measureTarget(uncached, uncached.bootstrapToken, page.apiTokens[17].id, [LIST]))[LIST];
  } finally {
    await uncached.close();
  }
}

/**
 * A plain `node:http` server in its own process that answers every request with `body` (JSON): the
 * fastest a server on this machine can send that page, the baseline of the last-use page.
 */
async function startPlainServer(body) {
  const script = `
    const body = Buffer.from(process.env.BODY);
    require("node:http").createServer((req, res) => {
      res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": body.length });
      res.end(body);
    }).listen(0, "127.0.0.1", function () { process.stdout.write(this.address().port + "\\n"); });`;
  const child = spawn(process.execPath, ["-e", script], {
    env: { PATH: process.env.PATH, BODY: body },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise((resolve, reject) => {
    child.stdout.once("data", (d) => resolve(Number(String(d).trim())));
    child.once("exit", (code) => reject(new Error(`the plain server exited ${code}`)));
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    url: `http://127.0.0.1:${port}/`,
    pid: child.pid,
    close: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

// The page an audit asks for: lastUsedDate with the default fields. The calls authenticate with the
// bootstrap token, so each one is a newer use the sandbox lays over its cached page.
const LAST_USED = "list, a 200-token page with lastUsedDate";
const LAST_USED_QUERY = "apiTokens?pageSize=200&fields=%2BlastUsedDate";
const sandbox = await startSandboxProcess(["--seed-demo", "1000"]);
let sandboxResults;
let listedPage;
let lastUsedBody;
try {
  const headers = { authorization: `Api-Token ${sandbox.bootstrapToken}` };
  listedPage = await (await fetch(`${sandbox.apiBase}/apiTokens?pageSize=200`, { headers })).json();
  if (listedPage.apiTokens.length !== 200) throw new Error("the sandbox did not return a 200-token page");
  const url = `${sandbox.apiBase}/${LAST_USED_QUERY}`;
  const response = await fetch(url, { headers });
  lastUsedBody = await response.text();
  const page = response.ok ? JSON.parse(lastUsedBody) : {};
  if (page.apiTokens?.length !== 200 || !page.apiTokens.some((t) => t.lastUsedDate))
    throw new Error(`the sandbox did not return a 200-token page with lastUsedDate (${response.status})`);
  // measured first: creates (below) add tokens never used, which would then fill this page
  await load(LAST_USED, url, { headers }, 1, sandbox.pid); // warm-up
  const lastUsed = await load(LAST_USED, url, { headers }, DURATION, sandbox.pid);
  sandboxResults = await measureTarget(sandbox, sandbox.bootstrapToken, listedPage.apiTokens[17].id);
  sandboxResults[LAST_USED] = lastUsed;
} finally {
  await sandbox.close();
}
const plain = await startPlainServer(lastUsedBody);
let plainLastUsed;
try {
  await load(LAST_USED, plain.url, { headers: {} }, 1, plain.pid); // warm-up
  plainLastUsed = await load(LAST_USED, plain.url, { headers: {} }, DURATION, plain.pid);
} finally {
  await plain.close();
}
sandboxResults[LIST_UNCACHED] = await measureUncachedList();
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

const FLOOR = `${LIST}: better-sqlite3 read + serialize, no HTTP, pages/s`;
const FLOOR_CPU = `${LIST}: better-sqlite3 read + serialize, no HTTP, pages per CPU-second`;
const rows = [
  { name: FLOOR, value: floor.perSecond, unit: "pages/s", better: "higher" },
  { name: FLOOR_CPU, value: floor.perCpuSecond, unit: "pages/CPU-s", better: "higher" },
];
const PLAIN_LAST_USED = `${LAST_USED}: the same bytes from a plain node:http server, requests/s`;
rows.push(
  { name: PLAIN_LAST_USED, value: plainLastUsed.rps, unit: "req/s", better: "higher" },
  {
    name: `${LAST_USED}: sandbox (page cache, newer uses laid over), requests/s`,
    value: sandboxResults[LAST_USED].rps,
    unit: "req/s",
    better: "higher",
    baseline: PLAIN_LAST_USED,
    note: "issue #26: was 0.20x before the page cache served it",
  },
);
for (const op of Object.keys(sandboxResults)) {
  if (op === LAST_USED) continue;
  const s = sandboxResults[op];
  const prismOp = op === LIST_UNCACHED ? LIST : op; // Prism has no cache to turn off: the same request
  const p = prismResults[prismOp];
  const isList = op === LIST || op === LIST_UNCACHED;
  rows.push(
    ...(op === prismOp
      ? [
          { name: `${op}: Prism, requests/s`, value: p.rps, unit: "req/s", better: "higher" },
          {
            name: `${op}: Prism, requests per CPU-second`,
            value: p.perCpuSecond,
            unit: "req/CPU-s",
            better: "higher",
          },
        ]
      : []),
    {
      name: `${op}: sandbox, requests/s`,
      value: s.rps,
      unit: "req/s",
      better: "higher",
      baseline: `${prismOp}: Prism, requests/s`,
    },
    {
      name: `${op}: sandbox, requests per CPU-second`,
      value: s.perCpuSecond,
      unit: "req/CPU-s",
      better: "higher",
      baseline: `${prismOp}: Prism, requests per CPU-second`,
    },
    ...(isList
      ? [
          {
            name: `${op}: sandbox, requests/s vs better-sqlite3 without HTTP (the floor)`,
            value: s.rps,
            unit: "req/s",
            better: "higher",
            baseline: FLOOR,
          },
          {
            name: `${op}: sandbox, requests per CPU-second vs the floor per CPU-second`,
            value: s.perCpuSecond,
            unit: "req/CPU-s",
            better: "higher",
            baseline: FLOOR_CPU,
          },
        ]
      : []),
    ...(op === prismOp ? [{ name: `${op}: Prism, p50`, value: p.p50, unit: "ms", better: "lower" }] : []),
    {
      name: `${op}: sandbox, p50`,
      value: s.p50,
      unit: "ms",
      better: "lower",
      baseline: `${prismOp}: Prism, p50`,
    },
    ...(op === prismOp ? [{ name: `${op}: Prism, p99`, value: p.p99, unit: "ms", better: "lower" }] : []),
    {
      name: `${op}: sandbox, p99`,
      value: s.p99,
      unit: "ms",
      better: "lower",
      baseline: `${prismOp}: Prism, p99`,
    },
  );
}
writeSection({
  id: "sandbox-load",
  order: 3,
  title: "Sandbox under load vs Prism mocking spec/api-tokens.yaml",
  method:
    `autocannon 9 in a second process, ${CONNECTIONS} connections, ${DURATION} s per measurement after a 1 s warm-up, keep-alive. ` +
    "Sandbox: the dt-tokens-sandbox bin (in-memory SQLite, 1,000 demo tokens, --quiet); get = an existing token, " +
    "list = GET /apiTokens?pageSize=200 (200 tokens, default fields, sorted): the same page again and again, so served from the sandbox's list page cache " +
    "(a lookup, no query); 'cache off' = the same requests to a second sandbox started with --no-list-cache, every page read and serialized again (the figure of a page asked for once); " +
    "create = POST with name and one scope (a new token each: the table grows). " +
    "Requests per CPU-second = requests served over the server process's user + system CPU time during the run (/proc), steadier than requests/s when the machine's cores are shared. " +
    `Prism 5.14.2 (static examples from the spec, -v error): same requests; its list example holds ` +
    `${prismPageSize ?? "?"} token(s), not 200, and it stores nothing. Every response was checked to be 2xx. autocannon records latency in whole milliseconds. Baseline: Prism. ` +
    "Floor of the list: better-sqlite3 in the benchmark process reading the same 200 tokens (default fields' columns) and serializing the page, no HTTP, one thread, per second and per CPU-second. " +
    `Last-use page: GET /${LAST_USED_QUERY} (what an audit asks for), authenticated with the bootstrap token, so every request is a newer use the sandbox lays over its cached page; baseline: the same response bytes from a plain node:http server in its own process, same autocannon settings. ` +
    "The issue's starting point was 783 req/s for the list (0.20× Prism), measured in an earlier run; the goal is 3× that.",
  rows,
  extra: { sandbox: sandboxResults, prism: prismResults, listFloor: floor },
});

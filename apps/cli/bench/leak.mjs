// `pnpm bench` in @dt-tokens/cli: leak response and a fleet audit at 200 environments. One
// dt-tokens-sandbox process hosts 200 environments (--seed-demo 200 tokens each; BENCH_QUICK: 50
// environments × 100) and writes a dt-tokens config for them. Rows:
// - `dt-tokens leak` of one API token planted in the last environment, across 10 environments (the
//   baseline) and across all 200, each the median of 3 runs, wall time including Node's start; the
//   issue's bar: 200 in at most twice the time of 10.
// - `dt-tokens audit --all-environments` over all of them: the CLI's peak RSS, beside the same audit
//   over 10 environments; the bar: under 150 MiB.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { median, ROOT, writeSection } from "../../../bench/lib.mjs";

const QUICK = process.env.BENCH_QUICK === "1";
const ENVIRONMENTS = QUICK ? 50 : 200;
const TOKENS = QUICK ? 100 : 200;
const FEW = 10;
const RUNS = 3;
const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const MAXRSS = `data:text/javascript,process.on("exit",()=>process.stderr.write("\\nMAXRSS="+process.resourceUsage().maxRSS+"\\n"))`;

const dir = mkdtempSync(join(tmpdir(), "dt-tokens-leak-bench-"));
const config = join(dir, "config.yaml");

/** Runs the CLI with `stdin`; resolves with the wall time (ms), peak RSS (MiB), exit code and stdout. */
function cli(args, stdin = "") {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", MAXRSS, BIN, ...args], {
      env: { PATH: process.env.PATH, DT_TOKENS_CONFIG: config },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.stdin.end(stdin);
    child.once("error", reject);
    child.once("exit", (code) => {
      const ms = performance.now() - started;
      const rss = Number(/MAXRSS=(\d+)/.exec(err)?.[1]) / 1024;
      resolve({ ms, rss, code, out, err });
    });
  });
}

const sandboxLib = await import(pathToFileURL(join(ROOT, "packages/sandbox/dist/index.js")).href);
const clientLib = await import(pathToFileURL(join(ROOT, "packages/client/dist/index.js")).href);
console.log(`starting ${ENVIRONMENTS} environments × ${TOKENS} tokens in one sandbox process...`);
const sandbox = await sandboxLib.startSandboxProcess([
  "--quiet",
  "--db",
  ":memory:",
  "--environments",
  String(ENVIRONMENTS),
  "--seed-demo",
  String(TOKENS),
  "--write-config",
  config,
]);
try {
  const envs = sandbox.ready.environments;
  const last = envs.at(-1);
  const few = [...envs.slice(0, FEW - 1), last].map((e) => e.id).join(",");
  const admin = clientLib.createApiTokensClient({
    environmentUrl: `${sandbox.ready.url}/e/${last.id}`,
    token: last.bootstrapToken,
  });
  /** One leak of a fresh token (planted in the last environment), across `selection`. */
  const leakOnce = async (selection) => {
    const { token } = await admin.create({ name: "leaked", scopes: ["metrics.read"] });
    const r = await cli(["leak", ...selection, "-o", "json"], `${token}\n`);
    if (r.code !== 0) throw new Error(`leak ${selection.join(" ")} exited ${r.code}: ${r.err}`);
    const [record] = JSON.parse(r.out);
    if (record.environment !== last.id || record.action !== "disabled")
      throw new Error(`leak did not contain the token in ${last.id}: ${r.out}`);
    return r.ms;
  };
  await leakOnce(["--env", few]); // warm-up
  const fewMs = [];
  const allMs = [];
  for (let i = 0; i < RUNS; i++) {
    fewMs.push(await leakOnce(["--env", few]));
    allMs.push(await leakOnce(["--all-environments"]));
  }

  const audit = async (selection) => {
    const r = await cli([
      "audit",
      ...selection,
      "--check",
      "expiring",
      "--min-severity",
      "high",
      "-o",
      "json",
    ]);
    if (r.code !== 0) throw new Error(`audit exited ${r.code}: ${r.err}`);
    return r.rss;
  };
  const auditFew = await audit(["--env", few]);
  const auditAll = await audit(["--all-environments"]);

  writeSection({
    id: "cli-leak-fleet",
    order: 3.6,
    title: `Leak response and fleet audit at ${ENVIRONMENTS} environments (one sandbox process)`,
    method:
      `One dt-tokens-sandbox process (in-memory SQLite, --environments ${ENVIRONMENTS} --seed-demo ${TOKENS}, --write-config); the built CLI in a child process, wall time including Node's start. ` +
      `Leak: one API token planted in the last environment, \`dt-tokens leak\` (default --concurrency 16) locates it (by id everywhere, lookup where it exists) and disables it; median of ${RUNS} runs across ${FEW} environments (the baseline) and across all ${ENVIRONMENTS}. Bar: at most 2x. ` +
      `Audit: \`audit --check expiring --min-severity high\` (no finding kept), the CLI's peak RSS over ${FEW} environments (baseline) and over all ${ENVIRONMENTS}. Bar: under 150 MiB.`,
    rows: [
      { name: `leak across ${FEW} environments, ms`, value: median(fewMs), unit: "ms", better: "lower" },
      {
        name: `leak across ${ENVIRONMENTS} environments, ms`,
        value: median(allMs),
        unit: "ms",
        better: "lower",
        baseline: `leak across ${FEW} environments, ms`,
        note: "bar: ratio at most 2",
      },
      { name: `audit peak RSS, ${FEW} environments`, value: auditFew, unit: "MiB", better: "lower" },
      {
        name: `audit peak RSS, ${ENVIRONMENTS} environments`,
        value: auditAll,
        unit: "MiB",
        better: "lower",
        baseline: `audit peak RSS, ${FEW} environments`,
        note: "bar: under 150 MiB",
      },
    ],
    extra: { environments: ENVIRONMENTS, tokensPerEnvironment: TOKENS, runs: RUNS, fewMs, allMs },
  });
  console.log(
    `leak: ${FEW} environments ${Math.round(median(fewMs))} ms, ${ENVIRONMENTS} environments ${Math.round(median(allMs))} ms (${(median(allMs) / median(fewMs)).toFixed(2)}x); audit peak RSS: ${auditFew.toFixed(0)} MiB / ${auditAll.toFixed(0)} MiB`,
  );
} finally {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
}

// `pnpm bench` in @dt-tokens/cli: a fleet audit. One dt-tokens-sandbox process hosts 20
// environments of 5,000 demo tokens each (BENCH_QUICK: 5 × 1,000) and writes a dt-tokens config for
// them; the built CLI (dist/bin.js) then audits them all at once (--all-environments, default
// concurrency 4), with --concurrency 1, and environment by environment (one `dt-tokens --env X
// audit` after another, as a script would) — the baseline, measured in the same run. Peak memory is
// the CLI's max RSS, with every finding kept and with none kept, against one environment alone.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ROOT, writeSection } from "../../../bench/lib.mjs";

const QUICK = process.env.BENCH_QUICK === "1";
const ENVIRONMENTS = QUICK ? 5 : 20;
const TOKENS = QUICK ? 1000 : 5000;
const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
// Prints the process's peak resident set size (KiB) on stderr as it exits.
const MAXRSS = `data:text/javascript,process.on("exit",()=>process.stderr.write("\\nMAXRSS="+process.resourceUsage().maxRSS+"\\n"))`;

const dir = mkdtempSync(join(tmpdir(), "dt-tokens-fleet-bench-"));
const config = join(dir, "config.yaml");

/** Runs the CLI; resolves with the wall time (ms), the peak RSS (MiB) and the audit report if JSON. */
function cli(args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", MAXRSS, BIN, ...args], {
      env: { PATH: process.env.PATH, DT_TOKENS_CONFIG: config },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.once("exit", (code) => {
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`dt-tokens ${args.join(" ")} exited ${code}: ${err}`));
      const rss = Number(/MAXRSS=(\d+)/.exec(err)?.[1]) / 1024;
      resolve({ ms, rss, report: out.startsWith("{") ? JSON.parse(out) : undefined });
    });
  });
}

const sandboxLib = await import(pathToFileURL(join(ROOT, "packages/sandbox/dist/index.js")).href);
console.log(`seeding ${ENVIRONMENTS} environments × ${TOKENS} tokens in one sandbox process...`);
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
  const ids = sandbox.ready.environments.map((e) => e.id);
  const total = ENVIRONMENTS * (TOKENS + 1);
  // Warm-up: the sandbox's statements and the OS caches.
  await cli(["audit", "--env", ids.slice(0, 2).join(","), "--check", "expiring", "-o", "json"]);

  const fleet = await cli(["audit", "--all-environments", "-o", "json"]);
  if (fleet.report.totals.tokens !== total)
    throw new Error(`audited ${fleet.report.totals.tokens} of ${total} tokens`);
  const serial = await cli(["audit", "--all-environments", "--concurrency", "1", "-o", "json"]);
  let oneByOne = 0;
  for (const id of ids) oneByOne += (await cli(["--env", id, "audit", "-o", "json"])).ms;

  // Memory: no finding kept (--check expiring is medium, --min-severity high keeps none) over the
  // whole fleet and over two environments, two at a time in both (the same work in flight, so the
  // difference is the number of tokens); then every finding kept.
  const quiet = ["--check", "expiring", "--min-severity", "high", "--concurrency", "2", "-o", "json"];
  const noneFleet = await cli(["audit", "--all-environments", ...quiet]);
  const noneOne = await cli(["audit", "--env", `${ids[0]},${ids[1]}`, ...quiet]);
  const perSecond = (ms) => total / (ms / 1000);
  const findings = fleet.report.totals.findings;
  const kept = findings.high + findings.medium + findings.low;
  writeSection({
    id: "cli-fleet-audit",
    order: 3.5,
    title: `Fleet audit: ${ENVIRONMENTS} environments × ${TOKENS.toLocaleString("en-US")} tokens in one sandbox process`,
    method:
      `One dt-tokens-sandbox process (in-memory SQLite, --environments ${ENVIRONMENTS} --seed-demo ${TOKENS}, --write-config); ` +
      "the built dt-tokens CLI in a child process, default page size, JSON output, wall time including Node's start. " +
      "Baseline: the same audit environment by environment (one `dt-tokens --env X audit` per environment, one after another), in the same run. " +
      `Memory: the CLI's peak RSS; "no finding kept" audits with --check expiring --min-severity high (findings counted, none kept), over the fleet (${total.toLocaleString("en-US")} tokens) and over 2 environments, --concurrency 2 in both.`,
    rows: [
      {
        name: "environment by environment, tokens/s",
        value: perSecond(oneByOne),
        unit: "tokens/s",
        better: "higher",
      },
      {
        name: "--all-environments (concurrency 4), tokens/s",
        value: perSecond(fleet.ms),
        unit: "tokens/s",
        better: "higher",
        baseline: "environment by environment, tokens/s",
      },
      {
        name: "--all-environments --concurrency 1, tokens/s",
        value: perSecond(serial.ms),
        unit: "tokens/s",
        better: "higher",
        baseline: "environment by environment, tokens/s",
      },
      { name: "peak RSS, 2 environments, no finding kept", value: noneOne.rss, unit: "MiB", better: "lower" },
      {
        name: `peak RSS, ${ENVIRONMENTS} environments, no finding kept`,
        value: noneFleet.rss,
        unit: "MiB",
        better: "lower",
        baseline: "peak RSS, 2 environments, no finding kept",
      },
      {
        name: `peak RSS, ${ENVIRONMENTS} environments, all ${kept.toLocaleString("en-US")} findings kept`,
        value: fleet.rss,
        unit: "MiB",
        better: "lower",
        baseline: "peak RSS, 2 environments, no finding kept",
      },
    ],
    extra: { environments: ENVIRONMENTS, tokensPerEnvironment: TOKENS, findings },
  });
} finally {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
}

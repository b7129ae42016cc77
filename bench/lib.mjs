// Helpers shared by every benchmark script of `pnpm bench` (root bench/ and packages/*/bench/).
// Each script measures its figures together with their baselines in the same run and writes one
// section file into .bench-results/sections/; bench/report.mjs turns them into report.md and
// report.json. Absolute numbers depend on the machine and on what else runs on it: read the ratios.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const RESULTS_DIR = join(ROOT, ".bench-results");
export const SECTIONS_DIR = join(RESULTS_DIR, "sections");

/**
 * One figure of a section. `baseline` names another row of the same section (measured in the same
 * run); the report prints the baseline's value and `value / baseline`. `better` says which way is good.
 * @typedef {{ name: string, value: number | null, unit: string, baseline?: string, better?: "lower" | "higher", note?: string }} Row
 * @typedef {{ id: string, order: number, title: string, method: string, rows: Row[], extra?: unknown }} Section
 */

/** Writes one section of the report (.bench-results/sections/<id>.json) and prints its rows. */
export function writeSection(/** @type {Section} */ section) {
  mkdirSync(SECTIONS_DIR, { recursive: true });
  const byName = new Map(section.rows.map((r) => [r.name, r]));
  for (const row of section.rows) {
    if (row.baseline && !byName.has(row.baseline))
      throw new Error(`${section.id}: no baseline row "${row.baseline}"`);
  }
  writeFileSync(join(SECTIONS_DIR, `${section.id}.json`), `${JSON.stringify(section, null, 2)}\n`);
  console.log(`\n${section.title}`);
  for (const r of section.rows) {
    const base = r.baseline ? byName.get(r.baseline) : undefined;
    const ratio = base ? ` (${fmtRatio(ratioOf(r.value, base.value))} of ${base.name})` : "";
    console.log(`  ${r.name}: ${fmt(r.value)} ${r.unit}${ratio}${r.note ? ` [${r.note}]` : ""}`);
  }
}

export function ratioOf(/** @type {number | null} */ value, /** @type {number | null} */ base) {
  return value === null || base === null || base === 0 ? null : value / base;
}

export function fmt(/** @type {number | null} */ n) {
  if (n === null || Number.isNaN(n)) return "n/a";
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function fmtRatio(/** @type {number | null} */ r) {
  return r === null ? "n/a" : `${r.toFixed(2)}×`;
}

export function median(/** @type {number[]} */ xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The machine the figures came from. */
export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/**
 * Starts the sandbox bin in its own process on an in-memory database (so load generators and the
 * measured client do not share its event loop), through the sandbox's own startSandboxProcess().
 */
export async function startSandboxProcess(args) {
  const sandbox = await import(pathToFileURL(join(ROOT, "packages/sandbox/dist/index.js")).href);
  const proc = await sandbox.startSandboxProcess(["--quiet", "--db", ":memory:", ...args]);
  return { ...proc.ready, pid: proc.child.pid, close: proc.close };
}

/** Runs a command, resolves with its stdout; rejects with its stderr on a non-zero exit. */
export function run(
  /** @type {string} */ cmd,
  /** @type {string[]} */ args,
  /** @type {import("node:child_process").SpawnOptions} */ options = {},
) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
    let out = "";
    let err = "";
    child.stdout?.on("data", (d) => {
      out += d;
    });
    child.stderr?.on("data", (d) => {
      err += d;
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(" ")} exited ${code}: ${err || out}`)),
    );
  });
}

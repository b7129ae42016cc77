// Turns .bench-results/sections/*.json into .bench-results/report.md and report.json (every
// figure with its same-run baseline and the ratio), plus readme-table.md: the short table of
// headline figures for the root README.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fmt, fmtRatio, machine, RESULTS_DIR, ROOT, ratioOf, SECTIONS_DIR } from "./lib.mjs";

const EXPECTED = [
  "client-overhead",
  "pagination",
  "sandbox-load",
  "cli-fleet-audit",
  "cli-leak-fleet",
  "bundle",
  "dashboard-bundle",
  "typecheck",
  "sandbox-internals",
  "pipeline",
];

const sections = existsSync(SECTIONS_DIR)
  ? readdirSync(SECTIONS_DIR)
      .filter((f) => f.endsWith(".json"))
      .map((f) => JSON.parse(readFileSync(join(SECTIONS_DIR, f), "utf8")))
      .sort((a, b) => a.order - b.order)
  : [];
const missing = EXPECTED.filter((id) => !sections.some((s) => s.id === id));
for (const s of sections) {
  const byName = new Map(s.rows.map((r) => [r.name, r]));
  for (const r of s.rows) {
    const base = r.baseline ? byName.get(r.baseline) : undefined;
    r.baselineValue = base ? base.value : null;
    r.ratio = base ? ratioOf(r.value, base.value) : null;
  }
}

const git = (...args) => {
  try {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
};
// Passed by run.mjs: node report.mjs <started epoch ms> <failed steps, comma-separated>
const started = Number(process.argv[2]) || undefined;
const meta = {
  date: new Date().toISOString(),
  commit: git("rev-parse", "--short", "HEAD"),
  dirty: git("status", "--porcelain", "--untracked-files=no") !== "",
  machine: machine(),
  durationSeconds: started ? Math.round((Date.now() - started) / 1000) : null,
  failed: (process.argv[3] ?? "").split(",").filter(Boolean),
  missing,
};
writeFileSync(join(RESULTS_DIR, "report.json"), `${JSON.stringify({ ...meta, sections }, null, 2)}\n`);

const m = meta.machine;
const machineLine = `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node.js ${m.node}, ${m.os}`;
const md = [
  "# dt-tokens benchmarks",
  "",
  `${meta.date} · commit ${meta.commit}${meta.dirty ? " (with local changes)" : ""} · ${machineLine} · load average at the end ${m.loadAverage.join(" ")}` +
    (meta.durationSeconds ? ` · \`pnpm bench\` took ${meta.durationSeconds} s` : ""),
  "",
  "Every figure is measured in this run next to its baseline; ratio = figure / baseline. Absolute numbers move with the",
  "machine and whatever else runs on it; the ratios are the point.",
  "",
];
if (meta.failed.length || missing.length) {
  md.push(
    `**Incomplete:** failed: ${meta.failed.join(", ") || "none"}; missing sections: ${missing.join(", ") || "none"}.`,
    "",
  );
}
for (const s of sections) {
  md.push(
    `## ${s.title}`,
    "",
    s.method,
    "",
    "| measurement | value | baseline (same run) | ratio |",
    "| --- | ---: | --- | ---: |",
  );
  for (const r of s.rows) {
    const value = r.value === null ? (r.note ?? "n/a") : `${fmt(r.value)} ${r.unit}`;
    const base = r.baseline ? `${r.baseline}: ${fmt(r.baselineValue)} ${r.unit}` : "(baseline)";
    const note = r.value !== null && r.note ? ` (${r.note})` : "";
    md.push(`| ${r.name}${note} | ${value} | ${base} | ${r.baseline ? fmtRatio(r.ratio) : ""} |`);
  }
  md.push("");
}
writeFileSync(join(RESULTS_DIR, "report.md"), `${md.join("\n")}\n`);

// The README's short tables: the clients side by side, then the rest with their baselines.
const row = (id, name) => sections.find((s) => s.id === id)?.rows.find((r) => r.name === name);
const val = (r) => (r ? (r.value === null ? (r.note ?? "n/a") : fmt(r.value)) : "missing");
const withRatio = (r) => (r?.ratio == null ? val(r) : `${val(r)} (${fmtRatio(r.ratio)})`);
const CLIENTS = ["raw fetch", "openapi-fetch alone", "@dt-tokens/client", "Dynatrace SDK 5.2.3"];
const callRow = (mode, op, label) =>
  `| ${label} | ${CLIENTS.map((c) => withRatio(row("client-overhead", `${mode}: ${op}, ${c}`))).join(" | ")} |`;
const bundle = (c) => withRatio(row("bundle", `${c}: min+gzip`));
const tc = (c) => withRatio(row("typecheck", c));
const load = (op) => {
  const [rps, p50, p99] = ["requests/s", "p50", "p99"].map((k) =>
    row("sandbox-load", `${op}: sandbox, ${k}`),
  );
  // Prism has no cache to turn off: the cache-off row compares with the same Prism request.
  const prismOp = op.replace(/, cache off$/, "");
  const [prps, pp50, pp99] = ["requests/s", "p50", "p99"].map((k) =>
    row("sandbox-load", `${prismOp}: Prism, ${k}`),
  );
  return `| sandbox, ${op} (10 connections) | ${val(rps)} req/s, p50 ${val(p50)} ms, p99 ${val(p99)} ms | Prism: ${val(prps)} req/s, p50 ${val(pp50)} ms, p99 ${val(pp99)} ms | ${fmtRatio(rps?.ratio ?? null)} req/s, ${fmtRatio(p99?.ratio ?? null)} p99 |`;
};
const other = (what, id, name, baseLabel) => {
  const r = row(id, name);
  const b = r?.baseline ? row(id, r.baseline) : undefined;
  return `| ${what} | ${val(r)} ${r?.unit ?? ""} | ${baseLabel}: ${val(b)} ${b?.unit ?? ""} | ${r?.ratio == null ? "" : fmtRatio(r.ratio)} |`;
};
const peak = row("pagination", "heap: peak growth while iterating listAll");
const drift = row("pagination", "heap: drift from page 1 to page 10 while iterating");
const buffered = row("pagination", "heap: all 100,000 tokens collected into an array");
const readme = [
  `| per call (µs; ratio to raw fetch) | ${CLIENTS.join(" | ")} |`,
  "| --- | ---: | ---: | ---: | ---: |",
  ...["get", "list", "create"].map((op) => callRow("in-memory", op, `${op}, in-memory fetch (CPU time)`)),
  ...["get", "list", "create"].map((op) => callRow("loopback", op, `${op}, loopback HTTP`)),
  `| bundle: create a client + list, min+gzip (kB; ratio to openapi-fetch) | | ${bundle("openapi-fetch alone")} | ${bundle("@dt-tokens/client")} | ${bundle("Dynatrace SDK 5.2.3")} |`,
  `| typecheck a small consumer, tsc (ms; ratio to the SDK) | ${tc("no import (tsc's fixed cost)")} (no import) | ${tc("@dt-tokens/types + openapi-fetch")} (with @dt-tokens/types) | ${tc("@dt-tokens/client")} | ${tc("Dynatrace SDK 5.2.3")} |`,
  "",
  "| measure | dt-tokens | baseline (same run) | ratio |",
  "| --- | --- | --- | ---: |",
  other("listAll, 100,000 tokens, pageSize 10000", "pagination", "listAll", "raw fetch loop"),
  `| listAll heap while iterating (after GC) | peak +${val(peak)} MiB, drift page 1→10 ${val(drift)} MiB | all tokens in an array: +${val(buffered)} MiB | ${fmtRatio(peak?.ratio ?? null)} |`,
  ...["get by id", "list, a 200-token page", "list, a 200-token page, cache off", "create"].map(load),
  other(
    "sandbox list, requests per CPU-second (cached page)",
    "sandbox-load",
    "list, a 200-token page: sandbox, requests per CPU-second vs the floor per CPU-second",
    "better-sqlite3 reading + serializing the page, no HTTP",
  ),
  other(
    "sandbox list, requests per CPU-second (cache off)",
    "sandbox-load",
    "list, a 200-token page, cache off: sandbox, requests per CPU-second vs the floor per CPU-second",
    "better-sqlite3 reading + serializing the page, no HTTP",
  ),
  other(
    "fleet audit, 20 environments × 5,000 tokens, --all-environments",
    "cli-fleet-audit",
    "--all-environments (concurrency 4), tokens/s",
    "environment by environment",
  ),
  other(
    "fleet audit, CLI peak RSS, 20 environments, no finding kept",
    "cli-fleet-audit",
    "peak RSS, 20 environments, no finding kept",
    "2 environments",
  ),
  other(
    "leak, one secret located and disabled across 200 environments",
    "cli-leak-fleet",
    "leak across 200 environments, ms",
    "across 10",
  ),
  other(
    "fleet audit, CLI peak RSS, 200 environments",
    "cli-leak-fleet",
    "audit peak RSS, 200 environments",
    "10 environments",
  ),
  other(
    "dashboard, JS + CSS, min+gzip",
    "dashboard-bundle",
    "dashboard: JS + CSS, min+gzip",
    "the minimal client app",
  ),
  other("`pnpm build`, fully cached", "pipeline", "fully cached build", "cold"),
  "",
  `Measured by \`pnpm bench\` on ${machineLine} (${meta.date.slice(0, 10)}, commit ${meta.commit}); full report in \`.bench-results/report.md\`.`,
];
writeFileSync(join(RESULTS_DIR, "readme-table.md"), `${readme.join("\n")}\n`);
console.log(`\nreport: ${join(RESULTS_DIR, "report.md")} (+ report.json, readme-table.md)`);
if (missing.length) console.log(`missing sections: ${missing.join(", ")}`);

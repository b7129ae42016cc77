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

// The README's short table: one line per headline figure.
const row = (id, name) => sections.find((s) => s.id === id)?.rows.find((r) => r.name === name);
const cell = (r) => (r ? (r.value === null ? (r.note ?? "n/a") : `${fmt(r.value)} ${r.unit}`) : "missing");
const ratio = (r) => (r?.ratio == null ? "" : fmtRatio(r.ratio));
const line = (what, id, name, baseLabel) => {
  const r = row(id, name);
  const b = r?.baseline ? row(id, r.baseline) : undefined;
  return `| ${what} | ${cell(r)} | ${baseLabel}: ${cell(b)} | ${ratio(r)} |`;
};
const readme = [
  "| measure | dt-tokens | baseline (same run) | ratio |",
  "| --- | ---: | --- | ---: |",
  ...["get", "list", "create"].map((op) =>
    line(
      `client overhead, ${op}, in-memory fetch`,
      "client-overhead",
      `in-memory: ${op}, @dt-tokens/client`,
      "raw fetch",
    ),
  ),
  ...["get", "list", "create"].map((op) =>
    line(
      `client overhead, ${op}, Dynatrace SDK, in-memory`,
      "client-overhead",
      `in-memory: ${op}, Dynatrace SDK 5.2.3`,
      "raw fetch",
    ),
  ),
  ...["get", "list", "create"].map((op) =>
    line(
      `client ${op} over loopback HTTP`,
      "client-overhead",
      `loopback: ${op}, @dt-tokens/client`,
      "raw fetch",
    ),
  ),
  line("listAll, 100,000 tokens, pageSize 10000", "pagination", "listAll", "raw fetch loop"),
  line(
    "listAll heap drift, page 1 → 10",
    "pagination",
    "heap: drift from page 1 to page 10 while iterating",
    "all tokens in an array",
  ),
  ...["get by id", "list, a 200-token page", "create"].map((op) =>
    line(`sandbox ${op}, 10 connections`, "sandbox-load", `${op}: sandbox, requests/s`, "Prism"),
  ),
  ...["get by id", "list, a 200-token page", "create"].map((op) =>
    line(`sandbox ${op}, p99`, "sandbox-load", `${op}: sandbox, p99`, "Prism"),
  ),
  line(
    "bundle: create a client + list (min+gzip)",
    "bundle",
    "@dt-tokens/client: min+gzip",
    "openapi-fetch alone",
  ),
  line(
    "same app on Dynatrace's SDK (min+gzip)",
    "bundle",
    "Dynatrace SDK 5.2.3: min+gzip",
    "openapi-fetch alone",
  ),
  line(
    "dashboard JS + CSS (min+gzip)",
    "dashboard-bundle",
    "dashboard: JS + CSS, min+gzip",
    "the minimal app",
  ),
  line("typecheck a small consumer (tsc)", "typecheck", "@dt-tokens/client", "Dynatrace SDK"),
  line("`pnpm build`, fully cached", "pipeline", "fully cached build", "cold"),
  "",
  `Measured by \`pnpm bench\` on ${machineLine} (${meta.date.slice(0, 10)}, commit ${meta.commit}); full report in \`.bench-results/report.md\`.`,
];
writeFileSync(join(RESULTS_DIR, "readme-table.md"), `${readme.join("\n")}\n`);
console.log(`\nreport: ${join(RESULTS_DIR, "report.md")} (+ report.json, readme-table.md)`);
if (missing.length) console.log(`missing sections: ${missing.join(", ")}`);

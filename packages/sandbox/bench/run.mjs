// `pnpm bench` in @dt-tokens/sandbox (turbo builds it first): the vitest benchmarks in
// sandbox.bench.ts (seeding, listing, single requests; each group with its own baseline), then the
// load test against Prism (load.mjs). Each becomes a section of the report (see bench/lib.mjs).
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { RESULTS_DIR, writeSection } from "../../../bench/lib.mjs";

const require = createRequire(import.meta.url);
const vitest = join(dirname(require.resolve("vitest/package.json")), "vitest.mjs");
const raw = join(RESULTS_DIR, "raw", "sandbox-vitest-bench.json");
mkdirSync(dirname(raw), { recursive: true });

const cwd = new URL("..", import.meta.url).pathname;
const bench = spawnSync(process.execPath, [vitest, "bench", "--run", "--outputJson", raw], {
  cwd,
  stdio: "inherit",
});
if (bench.status !== 0) {
  console.error(`vitest bench failed (exit ${bench.status})`);
  process.exitCode = 1;
} else {
  const rows = [];
  for (const file of JSON.parse(readFileSync(raw, "utf8")).files) {
    for (const group of file.groups) {
      const title = group.fullName.split(" > ").at(-1);
      const base = group.benchmarks.find((b) => b.name.startsWith("baseline:"));
      for (const b of [base, ...group.benchmarks.filter((x) => x !== base)].filter(Boolean)) {
        rows.push({
          name: `${title}: ${b.name}`,
          value: b.median,
          unit: "ms",
          better: "lower",
          ...(b === base ? {} : { baseline: `${title}: ${base.name}` }),
          note: `${b.sampleCount} samples, ±${b.rme.toFixed(1)} %`,
        });
      }
    }
  }
  writeSection({
    id: "sandbox-internals",
    order: 6,
    title: "Sandbox internals (packages/sandbox/bench/sandbox.bench.ts)",
    method:
      "vitest bench (tinybench) in the benchmark process itself, median time per iteration; each group's baseline is measured in the same run.",
    rows,
  });
}

const load = spawnSync(process.execPath, [new URL("./load.mjs", import.meta.url).pathname], {
  stdio: "inherit",
});
if (load.status !== 0) {
  console.error(`bench/load.mjs failed (exit ${load.status})`);
  process.exitCode = 1;
}

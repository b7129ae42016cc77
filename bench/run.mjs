// `pnpm bench`: every benchmark in one command. turbo runs the `bench` script of each package (after
// building what it needs, cache off, one at a time: they time things), then the repository-wide
// ones run (the dashboard's bundle, the build pipeline), and report.mjs writes
// .bench-results/report.md, report.json and readme-table.md. Exits non-zero when anything failed,
// after writing the report of what did run.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { RESULTS_DIR, ROOT } from "./lib.mjs";

const started = Date.now();
rmSync(join(RESULTS_DIR, "sections"), { recursive: true, force: true });
rmSync(join(RESULTS_DIR, "raw"), { recursive: true, force: true });

const failed = [];
const step = (name, args) => {
  console.log(`\n=== ${name}`);
  const { status } = spawnSync(process.execPath, args, { cwd: ROOT, stdio: "inherit" });
  if (status !== 0) failed.push(name);
};
step("turbo run bench", [
  join(ROOT, "node_modules/turbo/bin/turbo"),
  "run",
  "bench",
  "--concurrency=1",
  "--continue",
  ...process.argv.slice(2),
]);
step("dashboard bundle", [join(ROOT, "bench/dashboard.mjs")]);
step("pipeline", [join(ROOT, "bench/pipeline.mjs")]);

const report = spawnSync(
  process.execPath,
  [join(ROOT, "bench/report.mjs"), String(started), failed.join(",")],
  {
    cwd: ROOT,
    stdio: "inherit",
  },
);
console.log(`\npnpm bench took ${Math.round((Date.now() - started) / 1000)} s`);
if (failed.length || report.status !== 0) {
  console.error(`failed: ${[...failed, ...(report.status !== 0 ? ["report"] : [])].join(", ")}`);
  process.exitCode = 1;
}

#!/usr/bin/env node
// Sums the JSON reports that every package's test runner wrote into <package>/.test-results/ and
// prints one line: "N passed, N failed". A package with a test script but no report counts as one
// failure (its runner did not get to report), so a crashed run is never counted as green.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const dirs = [
  "spec",
  ...["packages", "apps", "tests"].flatMap((d) =>
    existsSync(join(root, d)) ? readdirSync(join(root, d)).map((p) => join(d, p)) : [],
  ),
];

let passed = 0;
let failed = 0;
const lines = [];
for (const dir of dirs) {
  const pkgFile = join(root, dir, "package.json");
  if (!existsSync(pkgFile)) continue;
  const pkg = JSON.parse(readFileSync(pkgFile, "utf8"));
  if (!pkg.scripts?.test) continue;
  const resultsDir = join(root, dir, ".test-results");
  const reports = existsSync(resultsDir) ? readdirSync(resultsDir).filter((f) => f.endsWith(".json")) : [];
  if (reports.length === 0) {
    failed += 1;
    lines.push(`${pkg.name}: no test report (the runner did not finish)`);
    continue;
  }
  for (const file of reports) {
    const report = JSON.parse(readFileSync(join(resultsDir, file), "utf8"));
    // vitest's JSON reporter (Jest-compatible fields); other runners write the same two counts.
    const p = report.numPassedTests ?? report.passed ?? 0;
    const f = (report.numFailedTests ?? report.failed ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
    passed += p;
    failed += f;
    lines.push(`${pkg.name} (${file}): ${p} passed, ${f} failed`);
  }
}
for (const line of lines) console.log(`  ${line}`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;

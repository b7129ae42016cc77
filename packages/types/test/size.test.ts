// The size budgets of the runtime parts (the scope and field lists, the secret formats; everything
// else is types and erased), enforced as a test: size-limit bundles what each row imports from
// dist/index.js, minified, and gzips it (each part is tree-shakeable: an app pays for what it uses).
// Dynatrace adds scopes without a version bump, so the budget leaves room for them.
// `pnpm test` builds first (turbo), so dist/ is current.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";

const pkgDir = join(import.meta.dirname, "..");
const bin = join(dirname(createRequire(import.meta.url).resolve("size-limit/package.json")), "bin.js");

test("the runtime parts stay within budget: the lists 1.5 kB, the secret formats 1.5 kB, secretKind alone 0.6 kB (min+gzip)", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [bin, "--json"], { cwd: pkgDir }).catch(
    (e: { stdout?: string }) => ({ stdout: e.stdout ?? "[]" }),
  );
  const results = JSON.parse(stdout) as { name: string; size: number; sizeLimit: number; passed: boolean }[];
  for (const r of results) console.log(`size: ${r.name}: ${r.size} B (min+gzip)`);
  expect(results.map((r) => r.sizeLimit)).toEqual([1500, 1500, 600]);
  for (const r of results) expect(r.passed).toBe(true);
}, 60_000);

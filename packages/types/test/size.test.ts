// The size budget of the runtime part (the scope and field lists; everything else is types and
// erased), enforced as a test: size-limit bundles all of dist/index.js, minified, and gzips it.
// Dynatrace adds scopes without a version bump, so the budget leaves room for them.
// `pnpm test` builds first (turbo), so dist/ is current.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";

const pkgDir = join(import.meta.dirname, "..");
const bin = join(dirname(createRequire(import.meta.url).resolve("size-limit/package.json")), "bin.js");

test("the runtime part (scope and field lists) stays within 1.5 kB min+gzip", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [bin, "--json"], { cwd: pkgDir }).catch(
    (e: { stdout?: string }) => ({ stdout: e.stdout ?? "[]" }),
  );
  const [result] = JSON.parse(stdout) as { name: string; size: number; sizeLimit: number; passed: boolean }[];
  console.log(`size: ${result?.name}: ${result?.size} B (min+gzip)`);
  expect(result?.sizeLimit).toBe(1500);
  expect(result?.size).toBeLessThanOrEqual(1500);
  expect(result?.passed).toBe(true);
}, 60_000);

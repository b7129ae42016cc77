// The size budget, enforced as a test: size-limit bundles `createApiTokensClient` from dist/ (with
// openapi-fetch, minified) and gzips it. `pnpm test` builds first (turbo), so dist/ is current.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";

const pkgDir = join(import.meta.dirname, "..");
const bin = join(dirname(createRequire(import.meta.url).resolve("size-limit/package.json")), "bin.js");

test("createApiTokensClient with openapi-fetch stays within its budget (11.1 kB min+gzip: 8.8 kB, plus 2.3 kB for platform tokens and OAuth clients)", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [bin, "--json"], { cwd: pkgDir }).catch(
    (e: { stdout?: string }) => ({ stdout: e.stdout ?? "[]" }),
  );
  const results = JSON.parse(stdout) as { name: string; size: number; sizeLimit: number; passed: boolean }[];
  const client = results.find((r) => r.name.startsWith("createApiTokensClient"));
  const alone = results.find((r) => r.name.startsWith("openapi-fetch alone"));
  console.log(`size: client ${client?.size} B, openapi-fetch alone ${alone?.size} B (min+gzip)`);
  expect(client?.sizeLimit).toBe(11100);
  expect(client?.size).toBeLessThanOrEqual(11100);
  expect(client?.passed).toBe(true);
}, 60_000);

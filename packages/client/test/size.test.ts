// The size budget, enforced as a test: size-limit bundles `createApiTokensClient` from dist/ (with
// openapi-fetch, minified) and gzips it (.size-limit.js). `pnpm test` builds first (turbo), so dist/
// is current. The OAuth code is a chunk of its own, loaded on first use by a client with `oauth`.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { expect, test } from "vitest";

const pkgDir = join(import.meta.dirname, "..");
const bin = join(dirname(createRequire(import.meta.url).resolve("size-limit/package.json")), "bin.js");

const UP_FRONT_BUDGET = 12_744;
const ONE_BUNDLE_BUDGET = 14_186;

test(`createApiTokensClient stays within its budget: ${UP_FRONT_BUDGET} B min+gzip up front, ${ONE_BUNDLE_BUDGET} B with the OAuth code in one bundle`, async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [bin, "--json"], { cwd: pkgDir }).catch(
    (e: { stdout?: string }) => ({ stdout: e.stdout ?? "[]" }),
  );
  const results = JSON.parse(stdout) as { name: string; size: number; sizeLimit: number; passed: boolean }[];
  const upFront = results.find((r) => r.name.startsWith("createApiTokensClient, loaded up front"));
  const oneBundle = results.find((r) => r.name.startsWith("createApiTokensClient with its OAuth code"));
  const alone = results.find((r) => r.name.startsWith("openapi-fetch alone"));
  const activeGate = results.find((r) => r.name.startsWith("createActiveGateTokensClient"));
  console.log(
    `size: client ${upFront?.size} B up front, ${oneBundle?.size} B with OAuth in one bundle, ActiveGate-tokens client ${activeGate?.size} B up front, openapi-fetch alone ${alone?.size} B (min+gzip)`,
  );
  expect(upFront?.sizeLimit).toBe(UP_FRONT_BUDGET);
  expect(activeGate?.sizeLimit).toBe(12_716);
  expect(oneBundle?.sizeLimit).toBe(ONE_BUNDLE_BUDGET);
  expect(results.every((r) => r.passed)).toBe(true);
}, 60_000);

test("an app that uses a token loads neither the OAuth code nor the deprecated client.rotate: a bundler puts each in a chunk of its own", async () => {
  const result = await build({
    stdin: {
      contents:
        'import { createApiTokensClient } from "./dist/index.js";\n' +
        'console.log(await createApiTokensClient({ environmentUrl: "https://a.live.dynatrace.com", token: "x" }).list());',
      resolveDir: pkgDir,
    },
    absWorkingDir: pkgDir,
    bundle: true,
    splitting: true,
    format: "esm",
    outdir: "out",
    write: false,
    metafile: true,
    external: ["@dt-tokens/types", "openapi-fetch"],
    logLevel: "error",
  });
  const outputs = result.metafile.outputs;
  const text = new Map(result.outputFiles.map((f) => [f.path.slice(pkgDir.length + 1), f.text]));
  const entry = Object.keys(outputs).find((path) => outputs[path]?.entryPoint)!;
  const staticImports = outputs[entry]!.imports.filter((i) => i.kind === "import-statement" && !i.external);
  const dynamicImports = outputs[entry]!.imports.filter((i) => i.kind === "dynamic-import");
  const upFront = [entry, ...staticImports.map((i) => i.path)].map((path) => text.get(path)).join("\n");
  expect(upFront).toContain("createApiTokensClient");
  expect(upFront).not.toContain("client_credentials");
  // ActiveGate tokens are @dt-tokens/client/activegate: an app of API tokens alone carries none of it
  expect(upFront).not.toMatch(/activeGateTokens|activegate-tokens/);
  // Two chunks load on first use: the OAuth code, and the deprecated client.rotate (rotateToken is the API)
  expect(dynamicImports).toHaveLength(2);
  const chunks = dynamicImports.map((i) => text.get(i.path) ?? "");
  expect(chunks.filter((c) => c.includes("client_credentials"))).toHaveLength(1);
  expect(chunks.filter((c) => c.includes("sameLifetime"))).toHaveLength(1);
  expect(upFront).not.toContain("sameLifetime");
});

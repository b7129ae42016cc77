// The consumer test: the tarballs of every published package (packed by global-setup.ts) are
// installed with npm into a fresh project in the OS temp folder, outside the workspace, the way a
// user gets them. Then tsc typechecks and compiles fixtures/consumer.ts there, node runs it as ESM
// against a sandbox started from the packed @dt-tokens/sandbox bin (create, list, listAll, get), and
// every bin of the packed packages starts. This catches a file missing from `files`, a wrong
// `exports` path and a dependency declared as a devDependency.
//
// better-sqlite3 (a dependency of the sandbox) compiles from source when no prebuilt binary can be
// downloaded, as here. Its install script (prebuild-install) first looks for a local prebuild; the
// test hands it the binary pnpm already compiled for the workspace, when it is the same version for
// the same Node ABI, platform and arch, packed in prebuild-install's layout. Otherwise npm compiles it.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { ROOT } from "./workspace.js";

const exec = promisify(execFile);
const packed = inject("packed");
const app = join(packed.tmp, "app");
const require = createRequire(import.meta.url);
const tsc = require.resolve("typescript/bin/tsc");

/** A prebuild-install tarball of the workspace's compiled better-sqlite3, when it matches. */
async function betterSqlitePrebuild(): Promise<Record<string, string>> {
  const sandboxTarball = packed.packages.find((p) => p.name === "@dt-tokens/sandbox");
  const wanted = JSON.parse(readFileSync(join(ROOT, "packages/sandbox/package.json"), "utf8")).dependencies?.[
    "better-sqlite3"
  ] as string | undefined;
  if (!sandboxTarball || !wanted) return {};
  const fromSandbox = createRequire(join(ROOT, "packages/sandbox/package.json"));
  const dir = dirname(fromSandbox.resolve("better-sqlite3/package.json"));
  const { version } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string };
  const binary = join(dir, "build/Release/better_sqlite3.node");
  if (version !== wanted || !existsSync(binary)) return {};
  const prebuilds = join(packed.tmp, "prebuilds");
  mkdirSync(prebuilds, { recursive: true });
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  await exec("tar", ["-czf", join(prebuilds, name), "-C", dir, "build/Release/better_sqlite3.node"]);
  return { npm_config_better_sqlite3_local_prebuilds: prebuilds };
}

let sandbox: ChildProcess | undefined;
let ready: {
  url: string;
  apiBase: string;
  bootstrapToken: string;
  platformBase: string;
  tokenUrl: string;
  accountUrn: string;
  oauthClientId: string;
  oauthClientSecret: string;
};

beforeAll(async () => {
  mkdirSync(app, { recursive: true });
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "dt-tokens-consumer", version: "1.0.0", private: true, type: "module" }, null, 2),
  );
  const prebuild = await betterSqlitePrebuild();
  const start = performance.now();
  const tarballs = packed.packages.map((p) => p.tarball);
  // @types/node: what a TypeScript consumer on Node.js has anyway (the declarations use its types).
  await exec(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      "--loglevel=error",
      ...tarballs,
      "@types/node@20.19.43",
    ],
    { cwd: app, env: { ...process.env, ...prebuild }, timeout: 280_000 },
  );
  console.log(
    `npm install of ${tarballs.length} tarballs: ${((performance.now() - start) / 1000).toFixed(1)} s ` +
      `(better-sqlite3: ${prebuild.npm_config_better_sqlite3_local_prebuilds ? "the workspace's binary as a local prebuild" : "compiled by npm"})`,
  );

  // The sandbox from the packed package's bin.
  const bin = join(app, "node_modules/.bin/dt-tokens-sandbox");
  sandbox = spawn(bin, ["--port", "0", "--db", ":memory:", "--quiet"], {
    cwd: app,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  sandbox.stderr!.on("data", (d) => {
    err += d;
  });
  ready = await new Promise((resolve, reject) => {
    let out = "";
    sandbox!.stdout!.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve(JSON.parse(out.slice(0, out.indexOf("\n"))));
    });
    sandbox!.once("exit", (code) => reject(new Error(`dt-tokens-sandbox exited (${code}): ${err}`)));
  });
}, 300_000);

afterAll(() => {
  sandbox?.kill("SIGTERM");
});

describe("installed from the packed tarballs with npm, outside the workspace", () => {
  test("every published package is installed from its tarball, with no workspace link", () => {
    for (const { name } of packed.packages) {
      const manifest = JSON.parse(readFileSync(join(app, "node_modules", name, "package.json"), "utf8"));
      expect(manifest.name).toBe(name);
      expect(JSON.stringify(manifest)).not.toContain("workspace:");
    }
    expect(app.startsWith(ROOT)).toBe(false);
  });

  test("tsc typechecks a consumer file (strict, nodenext, skipLibCheck off) and node runs it as ESM: create and list against the packed sandbox, also as an OAuth client", async () => {
    cpSync(join(import.meta.dirname, "../fixtures/consumer.ts"), join(app, "consumer.ts"));
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          target: "es2022",
          lib: ["es2023"],
          module: "nodenext",
          moduleResolution: "nodenext",
          types: ["node"],
          skipLibCheck: false,
          outDir: "dist",
        },
        files: ["consumer.ts"],
      }),
    );
    await exec(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: app }).catch(
      (e: { stdout?: string }) => {
        throw new Error(`tsc failed in the consumer project:\n${e.stdout}`);
      },
    );
    const { stdout } = await exec(process.execPath, ["dist/consumer.js"], {
      cwd: app,
      env: {
        ...process.env,
        DT_URL: ready.url,
        DT_TOKEN: ready.bootstrapToken,
        DT_PLATFORM_URL: ready.platformBase,
        DT_TOKEN_URL: ready.tokenUrl,
        DT_ACCOUNT_URN: ready.accountUrn,
        DT_CLIENT_ID: ready.oauthClientId,
        DT_CLIENT_SECRET: ready.oauthClientSecret,
      },
    });
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({
      listed: true,
      totalCount: 2, // the bootstrap token and the created one
      iterated: 2,
      oauthCount: 2, // the same environment, listed by an OAuth client
      got: { name: "consumer-test", scopes: ["metrics.read"] },
      missing: "NotFoundError",
      spec: true,
      demo: 3,
      startSandbox: true,
      cli: true,
    });
    expect(result.secretId).toBe(result.createdId);
    expect(result.scopes).toBeGreaterThan(90);
  });

  test("every bin of the published packages runs (--help)", async () => {
    const bins = packed.packages.flatMap(({ name }) => {
      const manifest = JSON.parse(readFileSync(join(app, "node_modules", name, "package.json"), "utf8"));
      const bin =
        typeof manifest.bin === "string" ? { [name.split("/").pop()!]: manifest.bin } : (manifest.bin ?? {});
      return Object.keys(bin);
    });
    expect(bins).toContain("dt-tokens-sandbox");
    for (const bin of bins) {
      const { stdout } = await exec(join(app, "node_modules/.bin", bin), ["--help"], { cwd: app });
      expect(stdout, bin).toMatch(/usage/i);
    }
  });

  test.runIf(packed.packages.some((p) => p.name === "@dt-tokens/cli"))(
    "the packed CLI lists the tokens of the sandbox",
    async () => {
      const { stdout } = await exec(
        join(app, "node_modules/.bin/dt-tokens"),
        ["list", "--env-url", ready.url],
        {
          cwd: app,
          env: { ...process.env, DT_API_TOKEN: ready.bootstrapToken, NO_COLOR: "1" },
        },
      );
      const bootstrapId = ready.bootstrapToken.split(".").slice(0, 2).join(".");
      expect(stdout).toContain(bootstrapId);
    },
  );
});

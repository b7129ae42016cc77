// The rehearsal's consumer: a project in a temporary folder outside the workspace that installs
// the published packages with npm from the local registry (only @dt-tokens/* comes from it; the
// rest from the usual registry), then uses them as a user would.
import { execFile, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

/** A TypeScript program that compiles against the installed types and runs create + list. */
const PROGRAM = `import { createApiTokensClient } from "@dt-tokens/client";
import { TOKEN_SCOPES, type ApiToken, type ApiTokenCreate, type TokenScope } from "@dt-tokens/types";

const dt = createApiTokensClient({
  environmentUrl: process.env.DT_URL!,
  token: process.env.DT_TOKEN!,
  maxRetries: 0,
});
const scope: TokenScope = "metrics.read";
const body: ApiTokenCreate = { name: "release-rehearsal", scopes: [scope] };
const created = await dt.create(body);
const page = await dt.list({ fields: ["name", "scopes"] });
const found: ApiToken | undefined = page.apiTokens.find((t) => t.id === created.id);
console.log(JSON.stringify({ created: created.id, listedName: found?.name, totalCount: page.totalCount, scopes: TOKEN_SCOPES.length }));
`;

const TSCONFIG = {
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
  files: ["program.ts"],
};

/**
 * better-sqlite3 (the sandbox's dependency) compiles from source when no prebuilt binary can be
 * downloaded. Its installer first looks for a local prebuild: hand it the binary the workspace
 * already compiled, when it is the same version for this Node ABI, platform and arch.
 */
async function betterSqlitePrebuild(root, into) {
  const sandboxManifest = join(root, "packages", "sandbox", "package.json");
  const wanted = JSON.parse(readFileSync(sandboxManifest, "utf8")).dependencies?.["better-sqlite3"];
  let dir;
  try {
    dir = dirname(createRequire(sandboxManifest).resolve("better-sqlite3/package.json"));
  } catch {
    return {};
  }
  const { version } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const binary = join(dir, "build", "Release", "better_sqlite3.node");
  if (version !== wanted || !existsSync(binary)) return {};
  // Copy it first: other installs on the machine may rewrite the shared file while tar reads it.
  const copy = join(into, "source", "build", "Release");
  mkdirSync(copy, { recursive: true });
  copyFileSync(binary, join(copy, "better_sqlite3.node"));
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  try {
    await exec("tar", [
      "-czf",
      join(into, name),
      "-C",
      join(into, "source"),
      "build/Release/better_sqlite3.node",
    ]);
  } catch (err) {
    console.error(
      `release:rehearse: no local better-sqlite3 prebuild (${err.message.trim()}); npm compiles it`,
    );
    return {};
  }
  return { npm_config_better_sqlite3_local_prebuilds: into };
}

export async function installFromRegistry({ root, dir, registry, packages, log, signal }) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "rehearsal-consumer", private: true, type: "module" }),
  );
  writeFileSync(join(dir, ".npmrc"), `@dt-tokens:registry=${registry}\n`);
  const prebuild = await betterSqlitePrebuild(root, join(dir, "..", "prebuilds"));
  const specs = Object.entries(packages).map(([name, version]) => `${name}@${version}`);
  log(`npm install ${specs.join(" ")} (from ${registry})`);
  await exec(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      "--loglevel=error",
      ...specs,
      "typescript@5.9.3",
      "@types/node@20.19.43",
    ],
    { cwd: dir, env: { ...process.env, ...prebuild }, timeout: 600_000, maxBuffer: 16 * 1024 * 1024, signal },
  );
  const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8"));
  return Object.fromEntries(
    Object.keys(packages).map((name) => {
      const entry = lock.packages[`node_modules/${name}`];
      return [name, { version: entry?.version, integrity: entry?.integrity }];
    }),
  );
}

export async function cliVersion(dir, signal) {
  const { stdout } = await exec(join(dir, "node_modules", ".bin", "dt-tokens"), ["--version"], {
    cwd: dir,
    signal,
  });
  return stdout.trim();
}

/** Starts the installed sandbox bin; resolves with its ready line and a stop function. */
export function startSandboxBin(dir) {
  const child = spawn(
    join(dir, "node_modules", ".bin", "dt-tokens-sandbox"),
    ["--port", "0", "--db", ":memory:", "--quiet"],
    {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const stop = () =>
    new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once("exit", () => done());
      child.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.stdout.on("data", (d) => {
      out += d;
      const end = out.indexOf("\n");
      if (end >= 0) {
        try {
          resolve({ ready: JSON.parse(out.slice(0, end)), stop });
        } catch {
          stop().then(() =>
            reject(new Error(`dt-tokens-sandbox printed no ready line: ${out.slice(0, end)}`)),
          );
        }
      }
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      reject(new Error(`dt-tokens-sandbox exited (${code}) before it was ready: ${err}`)),
    );
  });
}

/** Compiles the program with the installed TypeScript (strict, skipLibCheck off) and runs it. */
export async function compileAndRun(dir, env, signal) {
  writeFileSync(join(dir, "program.ts"), PROGRAM);
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2));
  await exec(
    process.execPath,
    [join(dir, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"],
    { cwd: dir, signal },
  ).catch((err) => {
    throw new Error(`tsc failed against the installed types:\n${err.stdout}${err.stderr}`);
  });
  const { stdout } = await exec(process.execPath, [join(dir, "dist", "program.js")], {
    cwd: dir,
    env: { ...process.env, ...env },
    signal,
  });
  return JSON.parse(stdout);
}

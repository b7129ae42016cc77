#!/usr/bin/env node
// pnpm release:rehearse [--report <file.json>] [--keep]
//
// The whole release against a real registry, without touching the real one or this repository:
// 1. starts Verdaccio on 127.0.0.1 (random port, temporary storage, anonymous publish);
// 2. copies the working tree into a temporary git repository and installs it (pnpm, frozen);
// 3. runs `changeset version` there (with a patch changeset of its own when none is pending) and
//    `pnpm release` (turbo build + changeset publish) against Verdaccio;
// 4. in a folder outside the workspace, npm-installs the published packages from Verdaccio and
//    checks their manifests (no workspace: ranges, exports that resolve, no files users don't
//    need), the CLI's --version, the sandbox bin, and a TypeScript program that compiles against
//    the installed types and runs create + list with the client against that sandbox.
// Fails loudly (exit 1, naming the step); Verdaccio and the sandbox are stopped whatever happens.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { parse } from "yaml";
import { pnpmCommand } from "./changeset-publish.mjs";
import { manifestProblems } from "./release/check-manifests.mjs";
import { cliVersion, compileAndRun, installFromRegistry, startSandboxBin } from "./release/consumer.mjs";
import { startVerdaccio } from "./release/verdaccio.mjs";
import { copyWorkspace } from "./release/workspace-copy.mjs";

const exec = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const USAGE = `usage: pnpm release:rehearse [--report <file.json>] [--keep]

  Versions and publishes the working tree to a local Verdaccio, installs the packages from it
  outside the workspace and uses them (see CONTRIBUTING.md).

  --report <file.json>  also write what was published and checked, as JSON
  --keep                keep the temporary folder (clone, registry storage, consumer) to look at`;

const log = (message) => console.error(`release:rehearse: ${message}`);

/** The published (non-private) packages of a workspace: { name: { dir, version } }. */
function publishedPackages(dir) {
  const { packages: globs } = parse(readFileSync(join(dir, "pnpm-workspace.yaml"), "utf8"));
  const dirs = globs.flatMap((glob) =>
    glob.endsWith("/*")
      ? readdirSync(join(dir, glob.slice(0, -2)), { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => join(dir, glob.slice(0, -2), e.name))
      : [join(dir, glob)],
  );
  const found = {};
  for (const pkgDir of dirs) {
    const file = join(pkgDir, "package.json");
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, "utf8"));
    if (!manifest.private) found[manifest.name] = { dir: pkgDir, version: manifest.version };
  }
  return found;
}

/** Runs a command in the clone; its output is kept and shown only when it fails. */
async function run(step, cmd, args, options) {
  const started = performance.now();
  try {
    await exec(cmd, args, {
      maxBuffer: 64 * 1024 * 1024,
      timeout: 900_000,
      signal: interrupted.signal,
      ...options,
    });
  } catch (err) {
    const output = `${err.stdout ?? ""}${err.stderr ?? ""}`.trim().split("\n").slice(-40).join("\n");
    throw new Error(`${step} failed (${[cmd, ...args].join(" ")}):\n${output || err.message}`);
  }
  log(`${step}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function fetchJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  return response.json();
}

/** Aborted on SIGINT/SIGTERM: the running step's command is killed and the finally block cleans up. */
const interrupted = new AbortController();

async function rehearse({ keep }) {
  const tmp = mkdtempSync(join(tmpdir(), "dt-tokens-rehearsal-"));
  const clone = join(tmp, "repo");
  const consumer = join(tmp, "consumer");
  const report = { ok: false, tmp, steps: [] };
  const step = (name) => {
    // Steps that run no command through run() would otherwise go on after Ctrl-C.
    interrupted.signal.throwIfAborted();
    report.steps.push(name);
    log(name);
  };
  let registry;
  let sandbox;
  const onSignal = (signal) => {
    log(`${signal}: stopping`);
    process.exitCode = 130;
    interrupted.abort(new Error(`interrupted by ${signal}`));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    step("start Verdaccio");
    registry = await startVerdaccio(join(tmp, "registry"));
    report.registry = registry.url;
    log(`Verdaccio on ${registry.url}`);

    step("copy the working tree");
    const files = await copyWorkspace(root, clone);
    log(`${files} files in ${clone}`);

    const pending = readdirSync(join(clone, ".changeset")).filter(
      (f) => f.endsWith(".md") && f !== "README.md",
    );
    const before = publishedPackages(clone);
    if (pending.length === 0) {
      const frontmatter = Object.keys(before).map((name) => `"${name}": patch`);
      writeFileSync(
        join(clone, ".changeset", "release-rehearsal.md"),
        `---\n${frontmatter.join("\n")}\n---\n\nRelease rehearsal.\n`,
      );
    }
    report.pendingChangesets = pending.length;

    const [pnpm, ...pnpmArgs] = pnpmCommand();
    const env = {
      ...process.env,
      // turbo looks for the package manager's binary on PATH.
      PATH: isAbsolute(pnpm) ? `${dirname(pnpm)}${delimiter}${process.env.PATH}` : process.env.PATH,
      TURBO_TELEMETRY_DISABLED: "1",
      TURBO_NO_UPDATE_NOTIFIER: "1",
      TURBO_CACHE_DIR: join(tmp, "turbo-cache"),
      NPM_CONFIG_PROVENANCE: "false",
    };
    step("pnpm install --frozen-lockfile");
    await run("pnpm install", pnpm, [...pnpmArgs, "install", "--frozen-lockfile", "--prefer-offline"], {
      cwd: clone,
      env,
    });

    step("changeset version");
    await run("changeset version", join(clone, "node_modules", ".bin", "changeset"), ["version"], {
      cwd: clone,
      env,
    });
    const after = publishedPackages(clone);
    report.versions = Object.fromEntries(Object.entries(after).map(([name, { version }]) => [name, version]));
    for (const [name, { version }] of Object.entries(after)) {
      log(`  ${name} ${before[name]?.version} → ${version}`);
    }

    step("pnpm release (turbo build + changeset publish) to Verdaccio");
    await run("pnpm release", pnpm, [...pnpmArgs, "release"], {
      cwd: clone,
      // changesets asks npm which versions exist (npm_config_registry); pnpm 12 publishes to
      // pnpm_config_registry and ignores npm_config_registry.
      env: { ...env, npm_config_registry: registry.url, pnpm_config_registry: registry.url },
    });

    step("the registry serves every published version");
    const manifests = {};
    for (const [name, version] of Object.entries(report.versions)) {
      const packument = await fetchJson(`${registry.url}${name.replace("/", "%2f")}`);
      if (!packument.versions?.[version])
        throw new Error(`${name}@${version} is not on the registry after publish`);
      if (packument["dist-tags"]?.latest !== version) throw new Error(`${name}: latest is not ${version}`);
      manifests[name] = packument.versions[version];
    }

    step("npm install from Verdaccio, outside the workspace");
    const installed = await installFromRegistry({
      root,
      dir: consumer,
      registry: registry.url,
      packages: report.versions,
      log,
      signal: interrupted.signal,
    });
    // npm's lockfile omits `resolved` for a scoped registry: the tarball's integrity proves the source.
    for (const [name, { version, integrity }] of Object.entries(installed)) {
      if (version !== report.versions[name]) {
        throw new Error(`npm installed ${name}@${version}, not ${report.versions[name]}`);
      }
      if (integrity !== manifests[name].dist.integrity) {
        throw new Error(`npm installed a ${name} tarball (${integrity}) that is not the one on Verdaccio`);
      }
    }
    report.installed = installed;

    step("published manifests and files");
    const problems = Object.entries(manifests).flatMap(([name, manifest]) =>
      manifestProblems(manifest, join(consumer, "node_modules", name), report.versions),
    );
    report.manifestProblems = problems;
    if (problems.length > 0) throw new Error(`published packages have problems:\n  ${problems.join("\n  ")}`);

    step("dt-tokens --version");
    report.cliVersion = await cliVersion(consumer, interrupted.signal);
    if (report.cliVersion !== report.versions["@dt-tokens/cli"]) {
      throw new Error(
        `dt-tokens --version printed "${report.cliVersion}", expected ${report.versions["@dt-tokens/cli"]}`,
      );
    }

    step("dt-tokens-sandbox starts");
    sandbox = await startSandboxBin(consumer);
    report.sandboxStarted = Boolean(sandbox.ready.url);

    step("a TypeScript program compiles against the installed types and runs create + list");
    report.program = await compileAndRun(
      consumer,
      { DT_URL: sandbox.ready.url, DT_TOKEN: sandbox.ready.bootstrapToken },
      interrupted.signal,
    );
    if (report.program.listedName !== "release-rehearsal") {
      throw new Error(`the program did not list the token it created: ${JSON.stringify(report.program)}`);
    }
    report.ok = true;
    return report;
  } catch (err) {
    const cause = interrupted.signal.aborted ? interrupted.signal.reason : err;
    report.error = `${report.steps.at(-1)}: ${cause.message}`;
    return report;
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    await sandbox?.stop();
    await registry?.stop();
    if (keep) log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        report: { type: "string" },
        keep: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    console.error(`release:rehearse: ${err.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const started = performance.now();
  const report = await rehearse({ keep: values.keep });
  report.seconds = Math.round((performance.now() - started) / 1000);
  if (values.report) writeFileSync(values.report, `${JSON.stringify(report, null, 2)}\n`);
  if (report.ok) {
    const versions = Object.entries(report.versions).map(([n, v]) => `${n}@${v}`);
    log(`OK in ${report.seconds} s: published and installed ${versions.join(", ")}`);
  } else {
    console.error(`\nrelease:rehearse FAILED at ${report.error}`);
    process.exitCode = interrupted.signal.aborted ? 130 : 1;
  }
}

main().catch((err) => {
  console.error(`release:rehearse FAILED: ${err.stack ?? err}`);
  process.exitCode = 1;
});

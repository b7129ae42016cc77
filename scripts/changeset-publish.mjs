#!/usr/bin/env node
// `changeset publish`, with npm provenance when NPM_CONFIG_PROVENANCE=true (release.yml sets it).
//
// changesets publishes each package by spawning `pnpm publish`, and pnpm 12 honours only the
// `--provenance` flag (not npm_config_provenance, not publishConfig.provenance). So this puts a
// `pnpm` first on PATH that forwards to the real pnpm and adds the flag to `publish`. Locally it
// also gives changesets a `pnpm` when pnpm runs through npx and is not on PATH.
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The pnpm that runs this script (pnpm sets npm_execpath), else the `pnpm` on PATH, else
 * the pnpm of package.json's packageManager, through npx: [cmd, ...args].
 */
export function pnpmCommand(env = process.env) {
  const execpath = env.npm_execpath;
  if (execpath && /^pnpm(\.c?js)?$/.test(basename(execpath))) {
    return execpath.endsWith("js") ? [process.execPath, execpath] : [execpath];
  }
  const onPath = (env.PATH ?? "")
    .split(delimiter)
    .map((dir) => join(dir, "pnpm"))
    .find((file) => existsSync(file));
  // The absolute path: the shim is named pnpm too and comes first on PATH.
  if (onPath) return [onPath];
  // As the README runs it: the pnpm of package.json's packageManager, fetched by npx. Its path,
  // not `npx ...`: callers may point npm at another registry (the rehearsal does).
  const { packageManager } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const bin = execFileSync("npx", ["-y", "-p", packageManager, "sh", "-c", "command -v pnpm"], {
    encoding: "utf8",
    env: { ...env, PATH: env.PATH ?? process.env.PATH },
  }).trim();
  return [bin];
}

const shellQuote = (word) => `'${word.replace(/'/g, "'\\''")}'`;

/** A folder holding a `pnpm` that forwards to `pnpm`, adding --provenance to publish if asked. */
export function pnpmShim(command, provenance) {
  const real = command.map(shellQuote).join(" ");
  const dir = mkdtempSync(join(tmpdir(), "dt-tokens-pnpm-"));
  const publish = provenance
    ? 'if [ "$1" = publish ]; then shift; set -- publish --provenance "$@"; fi\n'
    : "";
  const shim = join(dir, "pnpm");
  writeFileSync(shim, `#!/bin/sh\n${publish}exec ${real} "$@"\n`);
  chmodSync(shim, 0o755);
  return dir;
}

export async function changesetPublish({ cwd = root, env = process.env } = {}) {
  const provenance = env.NPM_CONFIG_PROVENANCE === "true";
  const shimDir = pnpmShim(pnpmCommand(env), provenance);
  try {
    const changeset = join(cwd, "node_modules", ".bin", "changeset");
    const child = spawn(changeset, ["publish"], {
      cwd,
      stdio: "inherit",
      env: { ...env, PATH: `${shimDir}${delimiter}${env.PATH ?? ""}` },
    });
    return await new Promise((done, fail) => {
      child.once("error", fail);
      child.once("exit", (code, signal) => done(code ?? (signal ? 1 : 0)));
    });
  } finally {
    rmSync(shimDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  changesetPublish().then(
    (code) => process.exit(code),
    (err) => {
      console.error(`changeset publish failed: ${err.message}`);
      process.exit(1);
    },
  );
}

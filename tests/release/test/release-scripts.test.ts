/**
 * The parts of the release scripts that decide something, on prepared inputs: the published
 * manifest checks (each problem they exist to catch) and the `pnpm` that changeset publish runs
 * (it must add --provenance, which pnpm 12 takes only as a flag).
 */
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { pnpmCommand, pnpmShim } from "../../../scripts/changeset-publish.mjs";
import { manifestProblems } from "../../../scripts/release/check-manifests.mjs";

const exec = promisify(execFile);
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dt-tokens-release-scripts-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function files(paths: string[]) {
  for (const path of paths) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), "x");
  }
}

const good = {
  name: "@dt-tokens/client",
  version: "1.2.0",
  main: "./dist/index.js",
  types: "./dist/index.d.ts",
  exports: {
    ".": { types: "./dist/index.d.ts", default: "./dist/index.js" },
    "./package.json": "./package.json",
  },
  dependencies: { "@dt-tokens/types": "1.2.0", "openapi-fetch": "0.17.0" },
};

describe("published manifest checks", () => {
  test("a package as users need it has no problem", () => {
    files(["package.json", "README.md", "dist/index.js", "dist/index.d.ts"]);
    expect(manifestProblems(good, dir, { "@dt-tokens/types": "1.2.0" })).toEqual([]);
  });

  test("name every problem: workspace range, stale internal version, missing export target, bin, test files", () => {
    files([
      "package.json",
      "dist/index.js",
      "test/client.test.ts",
      "dist/index.test.js",
      "tsconfig.json",
      ".turbo/x.log",
    ]);
    const bad = {
      ...good,
      bin: { tool: "./dist/bin.js" },
      dependencies: { "@dt-tokens/types": "workspace:*", "@dt-tokens/sandbox": "1.0.0" },
    };
    expect(
      manifestProblems(bad, dir, { "@dt-tokens/types": "1.2.0", "@dt-tokens/sandbox": "1.1.0" }),
    ).toEqual([
      '@dt-tokens/client@1.2.0: dependencies.@dt-tokens/types is "workspace:*"',
      '@dt-tokens/client@1.2.0: dependencies.@dt-tokens/types is "workspace:*", not the version published with it (1.2.0)',
      '@dt-tokens/client@1.2.0: dependencies.@dt-tokens/sandbox is "1.0.0", not the version published with it (1.1.0)',
      '@dt-tokens/client@1.2.0: "./dist/index.d.ts" (exports/main/types/bin) is not in the package',
      '@dt-tokens/client@1.2.0: "./dist/bin.js" (exports/main/types/bin) is not in the package',
      "@dt-tokens/client@1.2.0: ships .turbo/x.log, which users do not need",
      "@dt-tokens/client@1.2.0: ships dist/index.test.js, which users do not need",
      "@dt-tokens/client@1.2.0: ships test/client.test.ts, which users do not need",
      "@dt-tokens/client@1.2.0: ships tsconfig.json, which users do not need",
    ]);
  });

  test("a package without an exports map is a problem", () => {
    files(["package.json", "dist/index.js", "dist/index.d.ts"]);
    const { exports: _, ...noExports } = good;
    expect(manifestProblems(noExports, dir, {})).toEqual(['@dt-tokens/client@1.2.0: no "exports" map']);
  });
});

describe("the pnpm that changeset publish runs", () => {
  /** A stand-in for the real pnpm that prints the arguments it got. */
  function fakePnpm() {
    const path = join(dir, "real pnpm");
    writeFileSync(path, '#!/bin/sh\nprintf "%s|" "$@"\n');
    chmodSync(path, 0o755);
    return path;
  }

  test("adds --provenance to publish when asked, and passes every other command through", async () => {
    const shim = pnpmShim([fakePnpm()], true);
    try {
      const publish = await exec(join(shim, "pnpm"), ["publish", "--access", "public", "--tag", "latest"]);
      expect(publish.stdout).toBe("publish|--provenance|--access|public|--tag|latest|");
      const other = await exec(join(shim, "pnpm"), ["--version"]);
      expect(other.stdout).toBe("--version|");
    } finally {
      rmSync(shim, { recursive: true, force: true });
    }
  });

  test("adds nothing when provenance is not asked for (the rehearsal, a local registry)", async () => {
    const shim = pnpmShim([fakePnpm()], false);
    try {
      const { stdout } = await exec(join(shim, "pnpm"), ["publish", "--access", "public"]);
      expect(stdout).toBe("publish|--access|public|");
    } finally {
      rmSync(shim, { recursive: true, force: true });
    }
  });

  test("forwards to the pnpm running the script, else the absolute pnpm on PATH (never to itself)", () => {
    expect(pnpmCommand({ npm_execpath: "/opt/pnpm/pnpm", PATH: "" })).toEqual(["/opt/pnpm/pnpm"]);
    expect(pnpmCommand({ npm_execpath: "/opt/pnpm/bin/pnpm.cjs", PATH: "" })).toEqual([
      process.execPath,
      "/opt/pnpm/bin/pnpm.cjs",
    ]);
    files(["bin/pnpm"]);
    expect(
      pnpmCommand({ npm_execpath: "/usr/lib/npm-cli.js", PATH: `/nowhere:${join(dir, "bin")}` }),
    ).toEqual([join(dir, "bin", "pnpm")]);
    const viaNpx = pnpmCommand({
      PATH: process.env
        .PATH!.split(":")
        .filter((d) => !existsSync(join(d, "pnpm")))
        .join(":"),
    });
    expect(viaNpx).toHaveLength(1);
    expect(viaNpx[0]).toMatch(/\/pnpm$/);
    expect(existsSync(viaNpx[0]!)).toBe(true);
  });
});

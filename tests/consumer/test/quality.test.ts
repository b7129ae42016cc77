// Package quality of every published workspace package, on the tarball `pnpm pack` makes (what npm
// would get): publint (strict) and arethetypeswrong (profile esm-only: the packages are ESM-only,
// so the CommonJS `require` and node10 resolutions are not checked). Plus: each one is a
// devDependency of this package, so that turbo builds it before these tests run.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { describe, expect, inject, test } from "vitest";
import { publishedPackages, ROOT } from "./workspace.js";

const packed = inject("packed");
const require = createRequire(import.meta.url);
const attwDir = dirname(require.resolve("@arethetypeswrong/cli/package.json"));
const attwBin = join(
  attwDir,
  (require("@arethetypeswrong/cli/package.json") as { bin: { attw: string } }).bin.attw,
);
const self = JSON.parse(readFileSync(join(import.meta.dirname, "../package.json"), "utf8")) as {
  devDependencies: Record<string, string>;
};

test("the published packages are found in the workspace", () => {
  const names = publishedPackages().map((p) => p.name);
  expect(names).toEqual(
    expect.arrayContaining([
      "@dt-tokens/spec",
      "@dt-tokens/types",
      "@dt-tokens/client",
      "@dt-tokens/sandbox",
    ]),
  );
  expect(packed.packages.map((p) => p.name).sort()).toEqual([...names].sort());
});

describe.each(packed.packages)("$name", ({ name, dir, tarball }) => {
  test("is a workspace devDependency of the consumer tests (turbo builds it first)", () => {
    expect(
      self.devDependencies[name],
      `add "${name}": "workspace:*" to the devDependencies of tests/consumer/package.json`,
    ).toBe("workspace:*");
  });

  test("publint: no errors or warnings (strict)", async () => {
    const bytes = readFileSync(tarball);
    const { messages, pkg } = await publint({
      pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) },
      level: "suggestion",
      strict: true,
    });
    const lines = messages.map((m) => `${m.type}: ${formatMessage(m, pkg, { color: false })}`);
    for (const line of lines.filter((l) => l.startsWith("suggestion")))
      console.log(`${name}: publint ${line}`);
    expect(lines.filter((l) => !l.startsWith("suggestion"))).toEqual([]);
  });

  test("arethetypeswrong (--profile esm-only): no problems", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [attwBin, tarball, "--profile", "esm-only", "--format", "json"],
      { cwd: ROOT },
    ).catch((e: { stdout?: string; stderr?: string }) => {
      throw new Error(`attw failed: ${e.stdout || e.stderr}`);
    });
    const report = JSON.parse(stdout) as {
      analysis: { types: false | { kind: string } };
      problems?: Record<string, { kind: string; entrypoint: string; resolutionKind?: string }[]>;
    };
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      types?: string;
      main?: string;
      exports?: Record<string, unknown>;
    };
    if (report.analysis.types === false) {
      // Nothing for attw to check: then the package must not offer a JavaScript API at all
      // (@dt-tokens/spec is a YAML document, @dt-tokens/cli a bin).
      const jsEntries = Object.entries(manifest.exports ?? {}).filter(([, v]) =>
        JSON.stringify(v).match(/\.[cm]?js"/),
      );
      expect(
        { types: manifest.types, main: manifest.main, jsEntries },
        "a JavaScript entry point without types",
      ).toEqual({ types: undefined, main: undefined, jsEntries: [] });
      return;
    }
    const checked = Object.values(report.problems ?? {})
      .flat()
      .filter((p) => p.resolutionKind === undefined || ["node16-esm", "bundler"].includes(p.resolutionKind));
    expect(checked).toEqual([]);
  });
});

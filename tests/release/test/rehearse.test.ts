/**
 * `pnpm release:rehearse`, run as CI runs it: the whole release against a real registry
 * (Verdaccio) from a temporary clone, then npm installs outside the workspace. Its report says
 * what was published and proved; each fact is asserted here so that it counts in the CI summary.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ROOT } from "./repo-copy.js";

interface Report {
  ok: boolean;
  tmp: string;
  error?: string;
  steps: string[];
  registry: string;
  versions: Record<string, string>;
  installed: Record<string, { version: string; integrity: string }>;
  manifestProblems: string[];
  cliVersion: string;
  sandboxStarted: boolean;
  program: { created: string; listedName: string; totalCount: number; scopes: number };
}

const PUBLISHED = [
  "@dt-tokens/cli",
  "@dt-tokens/client",
  "@dt-tokens/sandbox",
  "@dt-tokens/spec",
  "@dt-tokens/types",
];

let dir: string;
let report: Report;
let stderr = "";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "dt-tokens-rehearsal-report-"));
  const reportFile = join(dir, "report.json");
  await promisify(execFile)(
    process.execPath,
    [join(ROOT, "scripts", "release-rehearse.mjs"), "--report", reportFile],
    {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 1_500_000,
    },
  ).catch((err: { stderr?: string }) => {
    stderr = err.stderr ?? "";
  });
  if (!existsSync(reportFile)) throw new Error(`release:rehearse wrote no report:\n${stderr}`);
  report = JSON.parse(readFileSync(reportFile, "utf8"));
}, 1_600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("pnpm release:rehearse", () => {
  test("passes every step", () => {
    expect(report.error ?? "", stderr).toBe("");
    expect(report.ok).toBe(true);
  });

  test("publishes every published workspace package to the local registry, versioned by changesets", () => {
    expect(Object.keys(report.versions).sort()).toEqual(PUBLISHED);
    expect(report.registry).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    for (const name of PUBLISHED) {
      const current = JSON.parse(readFileSync(join(ROOT, packageDir(name), "package.json"), "utf8")).version;
      expect(report.versions[name], name).toMatch(/^\d+\.\d+\.\d+$/);
      expect(report.versions[name], `${name} is bumped`).not.toBe(current);
    }
  });

  test("npm installs exactly those tarballs from it, outside the workspace", () => {
    for (const name of PUBLISHED) {
      expect(report.installed[name]?.version).toBe(report.versions[name]);
      expect(report.installed[name]?.integrity).toMatch(/^sha512-/);
    }
  });

  test("the published manifests have no workspace: range, resolving exports and no files users do not need", () => {
    expect(report.manifestProblems).toEqual([]);
    expect(report.steps).toContain("published manifests and files");
  });

  test("the installed CLI prints the new version; the installed sandbox bin starts", () => {
    expect(report.cliVersion).toBe(report.versions["@dt-tokens/cli"]);
    expect(report.sandboxStarted).toBe(true);
  });

  test("a TypeScript program compiles against the installed types and runs create + list", () => {
    expect(report.program.listedName).toBe("release-rehearsal");
    expect(report.program.created).toMatch(/^dt0c01\.[A-Z0-9]{24}$/);
    expect(report.program.totalCount).toBe(2);
    expect(report.program.scopes).toBeGreaterThan(90);
  });

  test("leaves no temporary clone, registry storage or consumer behind", () => {
    expect(report.tmp).toMatch(/dt-tokens-rehearsal-/);
    expect(existsSync(report.tmp)).toBe(false);
  });
});

function packageDir(name: string): string {
  const short = name.replace("@dt-tokens/", "");
  if (short === "spec") return "spec";
  if (short === "cli") return join("apps", "cli");
  return join("packages", short);
}

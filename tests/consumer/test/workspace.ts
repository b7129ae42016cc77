/**
 * The published packages of the workspace, found the way pnpm finds workspace packages (the globs
 * of pnpm-workspace.yaml), so that a new published package is checked without editing this file.
 * Published = not `"private": true`.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";

export const ROOT = join(import.meta.dirname, "../../..");

export interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  type?: string;
  types?: string;
  main?: string;
  bin?: string | Record<string, string>;
  exports?: Record<string, unknown>;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export interface WorkspacePackage {
  name: string;
  dir: string;
  manifest: PackageJson;
}

/** Every workspace package: `dir`, `dir/*` patterns as pnpm-workspace.yaml lists them. */
export function workspacePackages(): WorkspacePackage[] {
  const { packages: globs } = parse(readFileSync(join(ROOT, "pnpm-workspace.yaml"), "utf8")) as {
    packages: string[];
  };
  const dirs = globs.flatMap((glob) => {
    if (glob.startsWith("!")) return [];
    if (!glob.endsWith("/*")) return [glob];
    if (glob.slice(0, -2).includes("*")) throw new Error(`unsupported workspace glob: ${glob}`);
    const parent = join(ROOT, glob.slice(0, -2));
    if (!existsSync(parent)) return [];
    return readdirSync(parent, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => `${glob.slice(0, -2)}/${d.name}`);
  });
  return dirs
    .filter((dir) => existsSync(join(ROOT, dir, "package.json")))
    .map((dir) => {
      const manifest = JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")) as PackageJson;
      return { name: manifest.name, dir: join(ROOT, dir), manifest };
    });
}

export const publishedPackages = () => workspacePackages().filter((p) => p.manifest.private !== true);

/** The pnpm of `packageManager` (pnpm@x.y.z): the one on PATH when it is that version, else via npx. */
export async function pnpmCommand(): Promise<string[]> {
  const rootManifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    packageManager: string;
  };
  const version = rootManifest.packageManager.replace(/^pnpm@/, "").split("+")[0]!;
  const onPath = await promisify(execFile)("pnpm", ["--version"]).then(
    ({ stdout }) => stdout.trim(),
    () => undefined,
  );
  return onPath === version ? ["pnpm"] : ["npx", "-y", `pnpm@${version}`];
}

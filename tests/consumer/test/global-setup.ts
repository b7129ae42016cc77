/**
 * Packs every published workspace package with `pnpm pack` (which turns `workspace:*` into real
 * versions, as `pnpm publish` does) into a temporary folder outside the workspace, once for all
 * test files. turbo has built them first: they are devDependencies of this package.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";
import { pnpmCommand, publishedPackages } from "./workspace.js";

export interface Packed {
  /** The temporary folder (outside the workspace) with tarballs/ and room for consumer projects. */
  tmp: string;
  packages: { name: string; dir: string; tarball: string; files: string[] }[];
}

declare module "vitest" {
  export interface ProvidedContext {
    packed: Packed;
  }
}

export default async function setup(project: TestProject) {
  const tmp = mkdtempSync(join(tmpdir(), "dt-tokens-consumer-"));
  const [cmd, ...pre] = await pnpmCommand();
  const packages: Packed["packages"] = [];
  for (const pkg of publishedPackages()) {
    const { stdout } = await promisify(execFile)(
      cmd!,
      [...pre, "pack", "--pack-destination", join(tmp, "tarballs"), "--json"],
      { cwd: pkg.dir },
    );
    const out = JSON.parse(stdout) as { filename: string; files: { path: string }[] };
    packages.push({
      name: pkg.name,
      dir: pkg.dir,
      tarball: out.filename,
      files: out.files.map((f) => f.path),
    });
  }
  project.provide("packed", { tmp, packages });
  return () => rmSync(tmp, { recursive: true, force: true });
}

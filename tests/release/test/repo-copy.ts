/**
 * A temporary copy of the parts of the repository that `pnpm spec:update` reads and writes: the
 * spec package, the types package, the sources and manifests of every workspace package (to find
 * which ones re-export the types) and .changeset/. node_modules are linked to the real ones, except
 * that @dt-tokens/spec resolves to the copy, so the copy's types are generated from the copy's spec.
 */
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

export const ROOT = join(import.meta.dirname, "../../..");

/** What spec:update reads of each workspace package: the manifest, sources, and for the spec and
 * the types everything their scripts use (never build output or test results, which other runs
 * may be writing while this copies). */
const COPIED: Record<string, string[] | "all"> = {
  spec: "all",
  "packages/types": ["package.json", "scripts", "src", "test"],
  "packages/client": ["package.json", "src"],
  "packages/sandbox": ["package.json", "src"],
  "apps/cli": ["package.json", "src"],
  "apps/dashboard": ["package.json", "src"],
};
const NEVER_COPIED = new Set(["node_modules", "dist", ".turbo", ".test-results", "test", "bench"]);

export interface RepoCopy {
  root: string;
  /** Every file of the copy (outside node_modules) with its content, to prove what changed. */
  snapshot(): Map<string, string>;
  remove(): void;
}

export function copyRepo(): RepoCopy {
  const root = mkdtempSync(join(tmpdir(), "dt-tokens-spec-update-"));
  try {
    fill(root);
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  return {
    root,
    snapshot() {
      const files = new Map<string, string>();
      const walk = (dir: string) => {
        for (const entry of readdirSync(dir)) {
          if (entry === "node_modules") continue;
          const path = join(dir, entry);
          if (statSync(path).isDirectory()) walk(path);
          else files.set(relative(root, path), readFileSync(path, "utf8"));
        }
      };
      walk(root);
      return files;
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function fill(root: string) {
  for (const file of ["package.json", "pnpm-workspace.yaml"]) cpSync(join(ROOT, file), join(root, file));
  cpSync(join(ROOT, ".changeset"), join(root, ".changeset"), { recursive: true });
  for (const [pkg, entries] of Object.entries(COPIED)) {
    const from = join(ROOT, pkg);
    const to = join(root, pkg);
    mkdirSync(to, { recursive: true });
    const names = entries === "all" ? readdirSync(from).filter((e) => !NEVER_COPIED.has(e)) : entries;
    for (const entry of names) cpSync(join(from, entry), join(to, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, "spec", "node_modules"), join(root, "spec", "node_modules"));
  // packages/types: its own dependencies, but @dt-tokens/spec is the copy.
  const typesModules = join(root, "packages", "types", "node_modules");
  mkdirSync(join(typesModules, "@dt-tokens"), { recursive: true });
  const realTypesModules = join(ROOT, "packages", "types", "node_modules");
  for (const entry of readdirSync(realTypesModules)) {
    if (entry === "@dt-tokens" || entry === ".bin") continue;
    symlinkSync(join(realTypesModules, entry), join(typesModules, entry));
  }
  symlinkSync(join(root, "spec"), join(typesModules, "@dt-tokens", "spec"));
  // The client's dependencies, for the consumers' check (its @dt-tokens imports go to the copy's sources).
  symlinkSync(
    join(ROOT, "packages", "client", "node_modules"),
    join(root, "packages", "client", "node_modules"),
  );
}

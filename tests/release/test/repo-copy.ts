/**
 * A temporary copy of the repository for `pnpm spec:update` (which reads the spec, generates the
 * types, finds which packages re-export them, type-checks the whole workspace and writes
 * .changeset/): every file but build output, installs and test results. node_modules are linked to
 * the real ones, except that @dt-tokens/spec resolves to the copy, so the copy's types are
 * generated from the copy's spec.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";

export const ROOT = join(import.meta.dirname, "../../..");

/** Never copied: build output, installs, caches and test results (other runs may be writing them
 * while this copies). Everything else is: spec:update type-checks the whole workspace. */
const NEVER_COPIED = new Set([".git", "node_modules", "dist", ".turbo", ".test-results"]);

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
  cpSync(ROOT, root, { recursive: true, filter: (from) => !NEVER_COPIED.has(basename(from)) });
  // Every package's node_modules linked to the real ones (what the workspace check resolves)...
  for (const dir of workspaceDirs()) {
    const modules = join(ROOT, dir, "node_modules");
    if (dir !== "packages/types" && existsSync(modules))
      symlinkSync(modules, join(root, dir, "node_modules"));
  }
  // ...except packages/types: its own dependencies, but @dt-tokens/spec is the copy, so the copy's
  // types are generated from the copy's spec.
  const typesModules = join(root, "packages", "types", "node_modules");
  mkdirSync(join(typesModules, "@dt-tokens"), { recursive: true });
  const realTypesModules = join(ROOT, "packages", "types", "node_modules");
  for (const entry of readdirSync(realTypesModules)) {
    if (entry === "@dt-tokens" || entry === ".bin") continue;
    symlinkSync(join(realTypesModules, entry), join(typesModules, entry));
  }
  symlinkSync(join(root, "spec"), join(typesModules, "@dt-tokens", "spec"));
}

/** The root and the workspace's package folders, relative to the root. */
function workspaceDirs(): string[] {
  const parents = ["packages", "apps", "tests"];
  return [
    ".",
    "spec",
    ...parents.flatMap((parent) =>
      readdirSync(join(ROOT, parent), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => `${parent}/${e.name}`),
    ),
  ];
}

// The changeset a spec update writes: @dt-tokens/spec and @dt-tokens/types with the bump the
// classified changes demand, plus every published package whose public types are the types'
// (it re-exports from @dt-tokens/types: its users see the same change). Other dependents get
// changesets' automatic patch bump for the new dependency version.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

const RE_EXPORT = /export\s+(?:type\s+)?(?:\*|\{[^}]*\})\s+from\s+["']@dt-tokens\/types["']/;

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(?:ts|tsx|mts|js|mjs)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

/** The workspace's package directories, as pnpm-workspace.yaml lists them (`dir` or `dir/*`). */
function workspaceDirs(root) {
  const { packages = [] } = parse(readFileSync(join(root, "pnpm-workspace.yaml"), "utf8"));
  return packages
    .filter((glob) => !glob.startsWith("!"))
    .flatMap((glob) => {
      if (!glob.endsWith("/*")) return [join(root, glob)];
      const parent = join(root, glob.slice(0, -2));
      return existsSync(parent)
        ? readdirSync(parent, { withFileTypes: true })
            .filter((e) => e.isDirectory())
            .map((e) => join(parent, e.name))
        : [];
    })
    .filter((dir) => existsSync(join(dir, "package.json")));
}

/** Published packages that re-export @dt-tokens/types from their sources. */
export function typeReExporters(root) {
  return workspaceDirs(root)
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) }))
    .filter(({ manifest }) => !manifest.private && manifest.dependencies?.["@dt-tokens/types"])
    .filter(({ dir }) =>
      sourceFiles(join(dir, "src")).some((file) => RE_EXPORT.test(readFileSync(file, "utf8"))),
    )
    .map(({ manifest }) => manifest.name)
    .sort();
}

/** The packages a spec update bumps, in changeset order. */
export function packagesToBump(root) {
  return ["@dt-tokens/spec", "@dt-tokens/types", ...typeReExporters(root)];
}

/** The changeset file's text. */
export function changesetText(packages, bump, summary) {
  const frontmatter = packages.map((name) => `"${name}": ${bump}`).join("\n");
  return `---\n${frontmatter}\n---\n\n${summary}\n`;
}

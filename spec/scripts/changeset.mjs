// The changeset a spec update writes: @dt-tokens/spec and @dt-tokens/types with the bump the
// classified changes demand, plus every published package whose public types are built on the
// types (it depends on @dt-tokens/types at run time and ships type declarations: the client
// re-exports them, the sandbox's seeding types use ApiToken), so its users see the same change.
// Packages without public types (the CLI) get changesets' automatic patch for the new dependency.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/** The workspace's package directories, as pnpm-workspace.yaml lists them (`dir` or `dir/*`). */
export function workspaceDirs(root) {
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

/** Whether a manifest declares types for its users (a `types` field or a `types` export condition). */
function hasPublicTypes(manifest) {
  const conditions = (node) =>
    node && typeof node === "object" ? Object.entries(node).flatMap(([k, v]) => [k, ...conditions(v)]) : [];
  return Boolean(manifest.types || manifest.typings || conditions(manifest.exports).includes("types"));
}

/** Published packages whose public types are built on @dt-tokens/types. */
export function typeDependents(root) {
  return workspaceDirs(root)
    .map((dir) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")))
    .filter((manifest) => !manifest.private && manifest.dependencies?.["@dt-tokens/types"])
    .filter(hasPublicTypes)
    .map((manifest) => manifest.name)
    .sort();
}

/** The packages a spec update bumps, in changeset order. */
export function packagesToBump(root) {
  return ["@dt-tokens/spec", "@dt-tokens/types", ...typeDependents(root)];
}

/** The changeset file's text. */
export function changesetText(packages, bump, summary) {
  const frontmatter = packages.map((name) => `"${name}": ${bump}`).join("\n");
  return `---\n${frontmatter}\n---\n\n${summary}\n`;
}

// Checks what users get from the registry for each published package: the manifest as served
// (no `workspace:` range, internal dependencies on versions that exist) and the installed package
// folder (every `exports`, `main`, `types` and `bin` target exists; no file users do not need).

import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Files a published package must not carry: tests, benches, build and tool configuration. */
const NOT_FOR_USERS = [
  /(^|\/)(test|tests|__tests__|bench|fixtures|coverage|node_modules|\.turbo|\.test-results|\.bench-results)\//,
  /\.(test|spec|bench|test-d)\.[cm]?[jt]sx?$/,
  /^(tsconfig[^/]*\.json|vitest\.config\.[cm]?[jt]s|tsdown\.config\.[cm]?[jt]s|turbo\.json|biome\.json)$/,
  /(^|\/)\.(env[^/]*|npmrc)$/,
  /\.tsbuildinfo$/,
];

function walk(dir, prefix = "") {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    const rel = prefix ? `${prefix}/${entry}` : entry;
    if (entry === "node_modules" && !prefix) return [];
    return statSync(path).isDirectory() ? walk(path, rel) : [rel];
  });
}

/** Every file path named by an `exports` map (any condition, any subpath). */
function exportTargets(exportsField) {
  if (typeof exportsField === "string") return [exportsField];
  if (!exportsField || typeof exportsField !== "object") return [];
  return Object.values(exportsField).flatMap(exportTargets);
}

/**
 * Problems with one published package, as strings naming the package. `manifest` is the version's
 * manifest from the registry, `dir` the folder npm installed it into.
 */
export function manifestProblems(manifest, dir, publishedVersions) {
  const problems = [];
  const name = `${manifest.name}@${manifest.version}`;
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
      if (String(range).startsWith("workspace:")) problems.push(`${name}: ${field}.${dep} is "${range}"`);
      if (dep in publishedVersions && range !== publishedVersions[dep]) {
        problems.push(
          `${name}: ${field}.${dep} is "${range}", not the version published with it (${publishedVersions[dep]})`,
        );
      }
    }
  }
  const targets = [
    ...exportTargets(manifest.exports),
    manifest.main,
    manifest.types,
    ...(typeof manifest.bin === "string" ? [manifest.bin] : Object.values(manifest.bin ?? {})),
  ].filter((t) => typeof t === "string" && !t.includes("*"));
  for (const target of new Set(targets)) {
    if (!existsSync(join(dir, target)))
      problems.push(`${name}: "${target}" (exports/main/types/bin) is not in the package`);
  }
  if (!manifest.exports) problems.push(`${name}: no "exports" map`);
  for (const file of walk(dir)) {
    if (NOT_FOR_USERS.some((pattern) => pattern.test(file)))
      problems.push(`${name}: ships ${file}, which users do not need`);
  }
  return problems;
}

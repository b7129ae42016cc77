// The dashboard's built bundle (apps/dashboard, `@dt-tokens/dashboard`, built by vite: minified):
// the JS and CSS files of its dist/ that the page loads up front, each gzipped at level 9, added
// up. Baseline: the minimal "create a client and list tokens" app on @dt-tokens/client from the
// bundle section of this run.
// When the dashboard has no build script or no built dist/, the row says "not built".
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { ROOT, SECTIONS_DIR, writeSection } from "./lib.mjs";

const dir = join(ROOT, "apps/dashboard");
const pkgFile = join(dir, "package.json");
const pkg = existsSync(pkgFile) ? JSON.parse(readFileSync(pkgFile, "utf8")) : undefined;
const files = existsSync(join(dir, "dist"))
  ? readdirSync(join(dir, "dist"), { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile() && /\.(m?js|css)$/.test(f.name))
      .map((f) => join(f.parentPath ?? f.path, f.name))
  : [];

/**
 * The files the page loads up front, from vite's manifest (dist/.vite/manifest.json): each entry,
 * its CSS and what it imports statically. A dynamic import (the client's OAuth code) is loaded on
 * demand and left out. Undefined without a manifest: then every file counts as loaded up front.
 */
function filesOfTheBuild() {
  const manifestFile = join(dir, "dist/.vite/manifest.json");
  if (!existsSync(manifestFile)) return undefined;
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
  const upFront = new Set();
  const visit = (key) => {
    const chunk = manifest[key];
    const file = chunk && join(dir, "dist", chunk.file);
    if (!chunk || upFront.has(file)) return;
    upFront.add(file);
    for (const css of chunk.css ?? []) upFront.add(join(dir, "dist", css));
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  // Every file the manifest names and the page does not load up front: loaded on demand. A file in
  // dist/ the manifest does not name is left over from an earlier build and not counted at all.
  const onDemand = new Set(
    Object.values(manifest)
      .flatMap((chunk) => [chunk.file, ...(chunk.css ?? [])])
      .map((file) => join(dir, "dist", file))
      .filter((file) => !upFront.has(file)),
  );
  return { upFront, onDemand };
}

const bundleSection = join(SECTIONS_DIR, "bundle.json");
const app = existsSync(bundleSection)
  ? JSON.parse(readFileSync(bundleSection, "utf8")).rows.find((r) => r.name === "@dt-tokens/client: min+gzip")
  : undefined;

const rows = [
  {
    name: "minimal app on @dt-tokens/client (bundle section)",
    value: app?.value ?? null,
    unit: "kB",
    better: "lower",
  },
];
const extra = {};
if (!pkg?.scripts?.build || files.length === 0) {
  const why = !pkg
    ? "apps/dashboard does not exist"
    : !pkg.scripts?.build
      ? "no build script"
      : "no dist/ JS or CSS";
  rows.push({ name: "dashboard: JS + CSS, min+gzip", value: null, unit: "kB", note: `not built (${why})` });
} else {
  const build = filesOfTheBuild();
  let gzip = 0;
  let minified = 0;
  let onDemandGzip = 0;
  let onDemandFiles = 0;
  let counted = 0;
  for (const file of files) {
    if (build && !build.upFront.has(file) && !build.onDemand.has(file)) continue; // an earlier build's
    counted++;
    const bytes = readFileSync(file);
    const g = gzipSync(bytes, { level: 9 }).length;
    const loadedUpFront = build === undefined || build.upFront.has(file);
    extra[relative(dir, file)] = { minifiedBytes: bytes.length, gzipBytes: g, loadedUpFront };
    if (loadedUpFront) {
      gzip += g;
      minified += bytes.length;
    } else {
      onDemandGzip += g;
      onDemandFiles++;
    }
  }
  const onDemand =
    onDemandFiles > 0
      ? `; not counted: ${onDemandFiles} file(s), ${(onDemandGzip / 1000).toFixed(2)} kB, loaded only on demand (the client's OAuth code)`
      : "";
  rows.push({
    name: "dashboard: JS + CSS, min+gzip",
    value: gzip / 1000,
    unit: "kB",
    better: "lower",
    baseline: rows[0].name,
    note: `${counted - onDemandFiles} files loaded up front, ${(minified / 1000).toFixed(1)} kB minified${onDemand}`,
  });
}
writeSection({
  id: "dashboard-bundle",
  order: 4.5,
  title: "Bundle size: the dashboard (apps/dashboard) as built",
  method:
    "The JS and CSS files in apps/dashboard/dist that the page loads up front (vite's manifest: entries, their CSS and static imports) after turbo built it in this run (vite build, minified), each gzipped at level 9, summed. " +
    "Baseline: the minimal client app of the bundle section.",
  rows,
  extra,
});

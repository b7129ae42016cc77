// Bundle size: an app that creates a client and lists tokens (bench/apps/*.js), bundled with esbuild
// for the browser (ESM, minified, tree-shaken, production), then gzipped at level 9 (as size-limit
// does). Baseline: the same app on openapi-fetch alone. The dashboard's built bundle is measured
// by the root bench/dashboard.mjs.
import { relative } from "node:path";
import { gzipSync } from "node:zlib";
import { build, version } from "esbuild";
import { writeSection } from "../../../bench/lib.mjs";

const apps = [
  ["openapi-fetch alone", "openapi-fetch.js"],
  ["@dt-tokens/client", "dt-tokens-client.js"],
  ["Dynatrace SDK 5.2.3", "dynatrace-sdk.js"],
  // The same app for ActiveGate tokens (list them): @dt-tokens/client/activegate and the SDK's client.
  ["@dt-tokens/client/activegate", "dt-tokens-activegate.js"],
  ["Dynatrace SDK 5.2.3, ActiveGate tokens", "dynatrace-sdk-activegate.js"],
];

/**
 * Builds one app with code splitting, as an app's bundler would: what the app loads up front (its
 * entry and the chunks that entry imports) and what it loads only when a dynamic import runs (the
 * client's OAuth code). Each file is gzipped on its own, as a server sends it.
 */
async function measure(file) {
  const result = await build({
    entryPoints: [new URL(`./apps/${file}`, import.meta.url).pathname],
    bundle: true,
    splitting: true,
    outdir: "out",
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    define: { "process.env.NODE_ENV": '"production"' },
    write: false,
    logLevel: "error",
    metafile: true,
  });
  const outputs = result.metafile.outputs;
  const contents = new Map(result.outputFiles.map((f) => [relative(process.cwd(), f.path), f.contents]));
  const entry = Object.keys(outputs).find((path) => outputs[path].entryPoint);
  const upFront = new Set([entry]);
  for (const path of upFront) {
    for (const { path: imported, kind } of outputs[path].imports) {
      if (kind === "import-statement" && !imported.startsWith("<")) upFront.add(imported);
    }
  }
  const sizes = (paths) => ({
    minifiedBytes: paths.reduce((sum, path) => sum + contents.get(path).length, 0),
    gzipBytes: paths.reduce((sum, path) => sum + gzipSync(contents.get(path), { level: 9 }).length, 0),
  });
  const lazy = [...contents.keys()].filter((path) => path.endsWith(".js") && !upFront.has(path));
  return { upFront: sizes([...upFront]), lazy: lazy.length > 0 ? sizes(lazy) : undefined };
}

const rows = [];
const extra = {};
for (const [name, file] of apps) {
  const { upFront, lazy } = await measure(file);
  extra[name] = lazy ? { ...upFront, lazy } : upFront;
  rows.push({
    name: `${name}: min+gzip`,
    value: upFront.gzipBytes / 1000,
    unit: "kB",
    better: "lower",
    ...(name === "openapi-fetch alone" ? {} : { baseline: "openapi-fetch alone: min+gzip" }),
  });
  if (lazy) {
    rows.push({
      name: `${name}: loaded on first use (OAuth), min+gzip`,
      value: lazy.gzipBytes / 1000,
      unit: "kB",
      better: "lower",
      note: "not loaded by this app: only by a client with oauth",
    });
  }
}
for (const [name] of apps) {
  rows.push({
    name: `${name}: minified`,
    value: extra[name].minifiedBytes / 1000,
    unit: "kB",
    better: "lower",
    ...(name === "openapi-fetch alone" ? {} : { baseline: "openapi-fetch alone: minified" }),
  });
}

writeSection({
  id: "bundle",
  order: 4,
  title: "Bundle size: an app that creates a client and lists tokens",
  method:
    `esbuild ${version}, bundle + minify + code splitting, ESM for the browser (target es2022), each file gzipped ` +
    "at level 9; kB = 1,000 bytes. The first rows count what the app loads up front; the client's OAuth code is a " +
    "chunk of its own, loaded only by a client with `oauth` (shown apart, not loaded by this app). " +
    "The apps are in packages/client/bench/apps/ (the last two list ActiveGate tokens instead of API tokens). " +
    "Baseline: the same app on openapi-fetch alone.",
  rows,
  extra,
});

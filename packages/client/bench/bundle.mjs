// Bundle size: an app that creates a client and lists tokens (bench/apps/*.js), bundled with esbuild
// for the browser (ESM, minified, tree-shaken, production), then gzipped at level 9 (as size-limit
// does). Baseline: the same app on openapi-fetch alone. The dashboard's built bundle is measured
// by the root bench/dashboard.mjs.
import { gzipSync } from "node:zlib";
import { build, version } from "esbuild";
import { writeSection } from "../../../bench/lib.mjs";

const apps = [
  ["openapi-fetch alone", "openapi-fetch.js"],
  ["@dt-tokens/client", "dt-tokens-client.js"],
  ["Dynatrace SDK 5.2.3", "dynatrace-sdk.js"],
];

const rows = [];
const extra = {};
for (const [name, file] of apps) {
  const result = await build({
    entryPoints: [new URL(`./apps/${file}`, import.meta.url).pathname],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    define: { "process.env.NODE_ENV": '"production"' },
    write: false,
    logLevel: "error",
    metafile: true,
  });
  const code = result.outputFiles[0].contents;
  const gzip = gzipSync(code, { level: 9 }).length;
  extra[name] = { minifiedBytes: code.length, gzipBytes: gzip };
  rows.push({
    name: `${name}: min+gzip`,
    value: gzip / 1000,
    unit: "kB",
    better: "lower",
    ...(name === "openapi-fetch alone" ? {} : { baseline: "openapi-fetch alone: min+gzip" }),
  });
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
    `esbuild ${version}, bundle + minify, ESM for the browser (target es2022), gzip level 9; kB = 1,000 bytes. ` +
    "The apps are in packages/client/bench/apps/. Baseline: the same app on openapi-fetch alone.",
  rows,
  extra,
});

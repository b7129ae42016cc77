#!/usr/bin/env node
// The size of the built dashboard: every JS and CSS file that index.html loads, minified (as built)
// and gzipped (level 9), read through Vite's manifest (dist/.vite/manifest.json) so that hashed
// file names need no guessing. Prints a table and one JSON line; writes .bench-results/bundle-size.json.
//
//   node scripts/bundle-size.mjs [--json]      (run `vite build` first; `pnpm bench` does, via turbo)
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
/** @type {Record<string, { file: string; css?: string[]; imports?: string[]; dynamicImports?: string[] }>} */
let manifest;
try {
  manifest = JSON.parse(readFileSync(join(dist, ".vite/manifest.json"), "utf8"));
} catch {
  console.error(
    "dashboard: dist/.vite/manifest.json is missing: run `pnpm --filter @dt-tokens/dashboard build`",
  );
  process.exit(1);
}

// Everything index.html loads, eagerly or lazily.
const files = new Set();
const visit = (/** @type {string} */ key) => {
  const chunk = manifest[key];
  if (!chunk || files.has(chunk.file)) return;
  files.add(chunk.file);
  for (const css of chunk.css ?? []) files.add(css);
  for (const next of [...(chunk.imports ?? []), ...(chunk.dynamicImports ?? [])]) visit(next);
};
visit("index.html");

const sizes = { js: { bytes: 0, gzip: 0 }, css: { bytes: 0, gzip: 0 } };
/** @type {{ file: string; bytes: number; gzip: number }[]} */
const rows = [];
for (const file of files) {
  const body = readFileSync(join(dist, file));
  const row = { file, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length };
  rows.push(row);
  const kind = file.endsWith(".css") ? sizes.css : sizes.js;
  kind.bytes += row.bytes;
  kind.gzip += row.gzip;
}
const result = {
  name: "@dt-tokens/dashboard bundle (min+gzip)",
  files: rows,
  js: sizes.js,
  css: sizes.css,
  total: { bytes: sizes.js.bytes + sizes.css.bytes, gzip: sizes.js.gzip + sizes.css.gzip },
};

mkdirSync(join(root, ".bench-results"), { recursive: true });
writeFileSync(join(root, ".bench-results/bundle-size.json"), `${JSON.stringify(result, null, 2)}\n`);
if (!process.argv.includes("--json")) {
  const kb = (/** @type {number} */ n) => `${(n / 1024).toFixed(2)} kB`;
  for (const r of rows)
    console.log(`${r.file.padEnd(34)} ${kb(r.bytes).padStart(10)}  gzip ${kb(r.gzip).padStart(9)}`);
  for (const k of /** @type {const} */ (["js", "css", "total"]))
    console.log(
      `${k.padEnd(34)} ${kb(result[k].bytes).padStart(10)}  gzip ${kb(result[k].gzip).padStart(9)}`,
    );
}
console.log(JSON.stringify({ name: result.name, js: result.js, css: result.css, total: result.total }));

// Typecheck time: tsc (the workspace's TypeScript) on a small consumer file using our packages vs
// the same file on Dynatrace's SDK (bench/typecheck/*.ts), each as a one-file project with strict,
// module/moduleResolution nodenext, skipLibCheck (tsc --init's default) and no @types. Baseline: the
// Dynatrace SDK file; a file that imports nothing shows tsc's fixed cost. Runs are interleaved;
// the figure is the median wall time of the tsc process.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median, run, writeSection } from "../../../bench/lib.mjs";

const RUNS = process.env.BENCH_QUICK === "1" ? 2 : 5;
const require = createRequire(import.meta.url);
const tsc = require.resolve("typescript/bin/tsc");
const { version } = require("typescript/package.json");

const files = [
  ["Dynatrace SDK 5.2.3", "dynatrace-sdk.ts"],
  ["@dt-tokens/client", "dt-tokens-client.ts"],
  ["@dt-tokens/types + openapi-fetch", "dt-tokens-types.ts"],
  ["no import (tsc's fixed cost)", "empty.ts"],
];
const dir = mkdtempSync(join(tmpdir(), "dt-tokens-typecheck-"));
try {
  const projects = files.map(([name, file]) => {
    const tsconfig = join(dir, `${file}.tsconfig.json`);
    const compilerOptions = {
      strict: true,
      target: "es2022",
      module: "nodenext",
      moduleResolution: "nodenext",
      lib: ["es2023", "dom"],
      types: [],
      skipLibCheck: true,
      noEmit: true,
      extendedDiagnostics: true,
    };
    const path = fileURLToPath(new URL(`./typecheck/${file}`, import.meta.url));
    writeFileSync(tsconfig, JSON.stringify({ compilerOptions, files: [path] }));
    return { name, tsconfig, times: [], diagnostics: "" };
  });
  for (let i = 0; i < RUNS + 1; i++) {
    for (const p of i % 2 ? projects : [...projects].reverse()) {
      const start = performance.now();
      p.diagnostics = await run(process.execPath, [tsc, "-p", p.tsconfig]);
      if (i > 0) p.times.push(performance.now() - start); // the first round warms the disk cache
    }
  }
  const stat = (text, label) =>
    Number(text.match(new RegExp(`^${label}:\\s+([\\d.]+)`, "m"))?.[1] ?? Number.NaN);
  writeSection({
    id: "typecheck",
    order: 5,
    title: "Typecheck time of a small consumer file",
    method:
      `tsc ${version} -p on a one-file project (strict, nodenext, skipLibCheck, no @types), ${RUNS} interleaved runs after a warm-up, ` +
      "median wall time of the tsc process. Files: packages/client/bench/typecheck/. Baseline: the same consumer on Dynatrace's SDK.",
    rows: projects.map((p) => ({
      name: p.name,
      value: median(p.times),
      unit: "ms",
      better: "lower",
      ...(p.name.startsWith("Dynatrace") ? {} : { baseline: projects[0].name }),
      note: `${stat(p.diagnostics, "Files")} files, ${stat(p.diagnostics, "Lines of Definitions")} lines of package declarations, ${stat(p.diagnostics, "Types")} types`,
    })),
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

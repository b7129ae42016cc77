// `pnpm bench` in @dt-tokens/cli: `dt-tokens scan` over a tree of many small files (100 directories
// × 100 files of 30 source lines, 40 MB; BENCH_QUICK: 20 × 100), one secret in the last file. Rows:
// the scan's wall time (median of 3, Node's start included), beside two baselines from the same run
// over the same files: `grep -r` for the prefix, and a plain Node process that reads every file
// (readdir + readFile, one at a time) and does nothing else.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median, writeSection } from "../../../bench/lib.mjs";

const QUICK = process.env.BENCH_QUICK === "1";
const DIRECTORIES = QUICK ? 20 : 100;
const FILES = 100;
const RUNS = 3;
const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

const dir = mkdtempSync(join(tmpdir(), "dt-tokens-scan-bench-"));
const tree = join(dir, "tree");
const line = 'const value = "an ordinary line of source with words and numbers 12345";\n';
const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const run32 = (n) => Array.from({ length: n }, (_, i) => B32[(i * 7 + 3) % 32]).join("");
for (let d = 0; d < DIRECTORIES; d++) {
  mkdirSync(join(tree, String(d).padStart(3, "0")), { recursive: true });
  for (let f = 0; f < FILES; f++)
    writeFileSync(join(tree, String(d).padStart(3, "0"), `${f}.ts`), line.repeat(30));
}
// made up, never issued: the scan must find exactly one
writeFileSync(join(tree, "zz-last.env"), `DT_API_TOKEN=dt0c01.${run32(24)}.${run32(64)}\n`);
const files = DIRECTORIES * FILES + 1;

/** Wall time (ms) of a command, and its exit code. */
function timed(command, args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      env: { PATH: process.env.PATH, DT_TOKENS_CONFIG: join(dir, "none.yaml") },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.once("error", reject);
    child.once("exit", (code) => resolve({ ms: performance.now() - started, code, err }));
  });
}

const PLAIN_READ = `
  const { readdirSync, readFileSync } = require("node:fs");
  const { join } = require("node:path");
  let bytes = 0;
  const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p); else if (e.isFile()) bytes += readFileSync(p).length;
  } };
  walk(process.argv[1]);`;

try {
  const commands = {
    scan: [process.execPath, [BIN, "scan", tree]],
    grep: ["grep", ["-r", "-c", "dt0", tree]],
    node: [process.execPath, ["-e", PLAIN_READ, tree]],
  };
  const times = { scan: [], grep: [], node: [] };
  for (const [command, args] of Object.values(commands)) await timed(command, args); // warm-up
  for (let i = 0; i < RUNS; i++)
    for (const [name, [command, args]] of Object.entries(commands)) {
      const r = await timed(command, args);
      const expected = name === "scan" ? 3 : 0;
      if (r.code !== expected) throw new Error(`${name} exited ${r.code} (expected ${expected}): ${r.err}`);
      if (name === "scan" && !r.err.includes(`Scanned ${files} files; 1 secret found`))
        throw new Error(`scan did not scan ${files} files and find 1 secret: ${r.err}`);
      times[name].push(r.ms);
    }
  const GREP = `grep -r over ${files} files, ms`;
  const NODE = `plain Node read (readdir + readFile) of ${files} files, ms`;
  writeSection({
    id: "cli-scan-tree",
    order: 3.7,
    title: `dt-tokens scan over a tree of ${files} files`,
    method:
      `${DIRECTORIES} directories × ${FILES} files of 30 source lines (${Math.round((files * line.length * 30) / 1e6)} MB), one made-up secret in one more file; ` +
      `wall time of each command in a child process (Node's start included), median of ${RUNS} runs after a warm-up, all in this run on the same files: ` +
      "`dt-tokens scan TREE` (finds the one secret, exit 3); baselines `grep -r -c dt0 TREE` and a plain Node process that reads every file one at a time and does nothing else.",
    rows: [
      { name: GREP, value: median(times.grep), unit: "ms", better: "lower" },
      { name: NODE, value: median(times.node), unit: "ms", better: "lower" },
      {
        name: `dt-tokens scan of ${files} files vs grep -r, ms`,
        value: median(times.scan),
        unit: "ms",
        better: "lower",
        baseline: GREP,
      },
      {
        name: `dt-tokens scan of ${files} files vs a plain Node read, ms`,
        value: median(times.scan),
        unit: "ms",
        better: "lower",
        baseline: NODE,
      },
    ],
    extra: { files, runs: RUNS, times },
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Pipeline: a cold `pnpm build` (turbo, empty cache, no dist/) vs a fully cached one. Runs in a
// temporary copy of the working tree (the files git tracks or would track, committed to a throwaway
// repository there, plus each package's node_modules links; the root node_modules is linked, not
// copied), so that rebuilding from scratch
// never deletes the dist/ folders that the real tree (and anyone testing in it) is using.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { median, ROOT, run, writeSection } from "./lib.mjs";

const QUICK = process.env.BENCH_QUICK === "1";
const COLD_RUNS = QUICK ? 1 : 2;
const CACHED_RUNS = 3;

const copy = mkdtempSync(join(tmpdir(), "dt-tokens-pipeline-"));
try {
  const listed = await run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
  });
  let files = 0;
  for (const file of new Set(listed.split("\0").filter(Boolean))) {
    const from = join(ROOT, file);
    if (!existsSync(from)) continue; // deleted in the working tree
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(from, join(copy, file), { verbatimSymlinks: true });
    files++;
  }
  symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"), "dir");
  const workspaceDirs = [
    "spec",
    ...["packages", "apps", "tests"].flatMap((d) => subdirs(join(copy, d)).map((s) => join(d, s))),
  ];
  for (const dir of workspaceDirs) {
    const modules = join(ROOT, dir, "node_modules");
    if (existsSync(modules))
      cpSync(modules, join(copy, dir, "node_modules"), { recursive: true, verbatimSymlinks: true });
  }

  // A repository like a fresh clone: turbo reads .gitignore (dist/, node_modules/) only through git.
  const git = ["-c", "user.name=bench", "-c", "user.email=bench@localhost", "-c", "commit.gpgsign=false"];
  await run("git", ["init", "-q"], { cwd: copy });
  await run("git", [...git, "add", "-A"], { cwd: copy });
  await run("git", [...git, "commit", "-q", "--no-verify", "-m", "copy of the working tree"], { cwd: copy });

  const turbo = join(ROOT, "node_modules/turbo/bin/turbo");
  const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" };
  const build = async (force) => {
    const start = performance.now();
    const out = await run(
      process.execPath,
      [turbo, "run", "build", "--output-logs=errors-only", ...(force ? ["--force"] : [])],
      { cwd: copy, env },
    );
    const ms = performance.now() - start;
    const tasks = out.match(/Tasks:\s+(\d+) successful, (\d+) total/);
    const cached = out.match(/Cached:\s+(\d+) cached, (\d+) total/);
    return { ms, tasks: tasks ? Number(tasks[2]) : null, cached: cached ? Number(cached[1]) : null };
  };
  const cold = [];
  for (let i = 0; i < COLD_RUNS; i++) cold.push(await build(true)); // the first one runs on an empty cache
  const cachedRuns = [];
  for (let i = 0; i < CACHED_RUNS; i++) cachedRuns.push(await build(false));
  const last = cachedRuns.at(-1);
  if (last.cached !== last.tasks)
    throw new Error(`the cached build was not all cache hits: ${JSON.stringify(last)}`);

  writeSection({
    id: "pipeline",
    order: 7,
    title: "Pipeline: cold `pnpm build` vs fully cached",
    method:
      `turbo run build in a temporary copy of the working tree (${files} files; node_modules linked). Cold: empty turbo cache, ` +
      `no dist/ (then --force), median of ${COLD_RUNS}; cached: ${CACHED_RUNS} runs right after, every task a cache hit (median). ` +
      `${cold[0].tasks} build tasks. Baseline: the cold build.`,
    rows: [
      { name: "cold build", value: median(cold.map((r) => r.ms)) / 1000, unit: "s", better: "lower" },
      {
        name: "fully cached build",
        value: median(cachedRuns.map((r) => r.ms)) / 1000,
        unit: "s",
        better: "lower",
        baseline: "cold build",
        note: `${last.cached}/${last.tasks} cached`,
      },
    ],
    extra: { cold, cached: cachedRuns },
  });
} finally {
  rmSync(copy, { recursive: true, force: true });
}

function subdirs(dir) {
  return existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
    : [];
}

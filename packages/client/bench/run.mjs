// `pnpm bench` in @dt-tokens/client (turbo builds it and the sandbox first): each benchmark in its
// own Node process, one after the other. Each writes a section of the report (see bench/lib.mjs).
import { spawnSync } from "node:child_process";

for (const script of ["overhead.mjs", "pagination.mjs", "bundle.mjs", "typecheck.mjs"]) {
  const path = new URL(`./${script}`, import.meta.url).pathname;
  const { status } = spawnSync(process.execPath, ["--expose-gc", path], { stdio: "inherit" });
  if (status !== 0) {
    console.error(`bench/${script} failed (exit ${status})`);
    process.exitCode = 1;
  }
}

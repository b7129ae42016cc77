/**
 * Stage boundaries a test can stop the CLI at, to prove that a crash at any instant is
 * recoverable: with DT_TOKENS_TEST_CRASH_AT=<point> the CLI kills itself with SIGKILL when it
 * reaches that point (no handler runs, as in a power cut or an OOM kill). Only the test suite
 * sets this variable; the points are listed in the CLI README's "Crash recovery".
 */
export const CRASH_VAR = "DT_TOKENS_TEST_CRASH_AT";

export type CrashPoint =
  | "created"
  | "before-rename"
  | "delivered-one"
  | "delivered"
  | "verified"
  | "committed"
  | "retired";

export function crashPoint(point: CrashPoint): void {
  if (process.env[CRASH_VAR] === point) process.kill(process.pid, "SIGKILL");
}

/**
 * Ctrl-C (SIGINT), SIGTERM and SIGHUP (a closed terminal, handled like SIGTERM). Outside a guarded step the CLI stops at once with one line and exit
 * status 130 (143 for SIGTERM, 129 for SIGHUP); output already written is whole (JSON is written in one piece).
 * Inside a guarded step (a token is being created and its secret delivered), the signal is noted,
 * the step finishes, and the step's owner undoes what the user would otherwise lose (it deletes a
 * token whose secret was not shown). A second signal stops at once, saying what may be left.
 */
import { EXIT } from "./errors.js";

export type Signal = "SIGINT" | "SIGTERM" | "SIGHUP";

const STATUS: Record<Signal, number> = {
  SIGINT: EXIT.interrupted,
  SIGTERM: EXIT.terminated,
  SIGHUP: EXIT.hangup,
};

let received: Signal | undefined;
let guard: { leftBehind: () => string } | undefined;
let write: (text: string) => void = () => {};

/** Installs the handlers once (bin.ts); `stderr` receives the one line. */
let installed = false;

export function handleSignals(stderr: (text: string) => void): void {
  write = stderr;
  if (installed) return;
  installed = true;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (guard && received === undefined) {
        received = signal;
        write("\nstopping: finishing the current step safely (press Ctrl-C again to quit at once)\n");
        return;
      }
      const left = guard ? ` ${guard.leftBehind()}` : "";
      write(`\nerror: interrupted.${left}\n`);
      process.exit(STATUS[signal]);
    });
  }
}

/** The signal received during the current guarded step, if any. */
export const interruption = (): Signal | undefined => received;

/** The exit status for a signal. */
export const signalStatus = (signal: Signal): number => STATUS[signal];

/**
 * Runs `step` with signals deferred: a first Ctrl-C is only noted (see {@link interruption}); a
 * second quits and prints `leftBehind()`, which says what may exist now and how to check.
 */
export async function guarded<T>(leftBehind: () => string, step: () => Promise<T>): Promise<T> {
  guard = { leftBehind };
  try {
    return await step();
  } finally {
    guard = undefined;
  }
}

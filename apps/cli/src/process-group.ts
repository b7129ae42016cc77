/**
 * Commands the CLI runs (exec: credential sources and sinks) start in a process group of their own
 * (`detached`), so that stopping one stops everything it started, not only its shell. A group is
 * not in the terminal's foreground group, so Ctrl-C no longer reaches it by itself: every group
 * still running when the CLI exits, however it exits, is killed then.
 */
import type { ChildProcess } from "node:child_process";

const running = new Set<number>();
let hooked = false;

/** Sends a signal to the whole group; a group that is already gone is fine. */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {} // ESRCH: nothing left in the group
}

/** Kills the child's group when the CLI exits before the child's streams have closed. */
export function killGroupOnExit(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined) return;
  running.add(pid);
  child.once("close", () => running.delete(pid));
  if (!hooked) {
    hooked = true;
    process.once("exit", () => {
      for (const group of running) signalGroup(group, "SIGKILL");
    });
  }
}

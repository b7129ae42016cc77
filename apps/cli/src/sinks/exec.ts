/**
 * `exec:COMMAND`: runs COMMAND with sh, the secret on its standard input (a pipe) (never in its argv or
 * environment: the CLI's own credential variables are removed from it, and so is every variable
 * holding a Dynatrace secret, such as a config file's `env:VAR` credential). Delivered only when COMMAND read its standard
 * input to the end and exited 0; a non-zero exit, a signal, a failure to start or unread input is
 * a failed delivery; its output is shown only then, redacted. If the CLI dies (even by SIGKILL),
 * the command's process group is killed too: a watchdog in the group waits on a pipe the CLI holds.
 * An interruption (the abort signal: Ctrl-C, SIGTERM) or running past `timeoutMs` stops the
 * command's whole process group: SIGTERM, then SIGKILL 3 s later if it is still running.
 */
import { spawn } from "node:child_process";
import { redact } from "@dt-tokens/client";
import { SECRET_VARS } from "../env-credentials.js";
import type { Env } from "../io.js";
import { killGroupOnExit, signalGroup } from "../process-group.js";
import { withoutSecret } from "../secrets.js";
import type { Sink } from "./sink.js";

/** How much of a failing command's output is kept (its last lines are shown). */
const KEEP_OUTPUT = 64_000;
/** The status the wrapper exits with when COMMAND exited 0 without reading all of its input. */
const UNREAD = 86;
/**
 * The wrapper, run by sh: a watchdog (killing the group when the CLI's end of fd 3 closes), then
 * `cat` moves the secret into a real pipe (Node gives a child a socket as stdin, which /dev/stdin
 * cannot open: kubectl --from-file, aws file:///dev/stdin), then COMMAND (an argument, so the secret
 * stays on stdin), then a check that COMMAND left nothing unread.
 */
const WRAPPER = [
  "(read -r _ <&3; kill -KILL 0) </dev/null >/dev/null 2>&1 &",
  "w=$!",
  "exec 3<&-",
  `cat | { /bin/sh -c "$1"; s=$?; if [ $s -eq 0 ] && { IFS= read -r rest || [ -n "$rest" ]; }; then exit ${UNREAD}; fi; exit $s; }`,
  "s=$?",
  "kill $w 2>/dev/null",
  "exit $s",
].join("\n");
const INTERRUPTED = "stopped (the rotation was interrupted)";
/** How long a stopped command has after SIGTERM before its group gets SIGKILL. */
const KILL_AFTER_MS = 3_000;

export function execSink(command: string, env: Env, timeoutMs = Number.POSITIVE_INFINITY): Sink {
  return {
    label: `exec:${command}`,
    replayable: true,
    place: async () => ({ kind: "command", text: command }),
    deliver: (secret, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(new Error(INTERRUPTED));
        const childEnv = { ...env };
        // The CLI's credential variables, and any variable holding a Dynatrace secret (a config
        // file's `env:VAR` credential has any name).
        for (const name of SECRET_VARS) delete childEnv[name];
        for (const [name, value] of Object.entries(childEnv))
          if (value && redact(value) !== value) delete childEnv[name];
        const child = spawn("/bin/sh", ["-c", WRAPPER, "dt-tokens-sink", command], {
          env: childEnv,
          stdio: ["pipe", "pipe", "pipe", "pipe"],
          // Its own process group, so that an interruption stops the whole pipeline, not only sh.
          detached: true,
        });
        killGroupOnExit(child);
        let stopped: string | undefined;
        let killer: NodeJS.Timeout | undefined;
        const stop = (why = INTERRUPTED) => {
          if (stopped) return;
          stopped = why;
          signalGroup(child.pid, "SIGTERM");
          // A command that ignores SIGTERM must not hold the rotation (and its new token) forever.
          killer = setTimeout(() => signalGroup(child.pid, "SIGKILL"), KILL_AFTER_MS);
        };
        const onAbort = () => stop();
        signal?.addEventListener("abort", onAbort, { once: true });
        const timer = Number.isFinite(timeoutMs)
          ? setTimeout(
              () => stop(`stopped: it ran longer than ${timeoutMs / 1000} s (--sink-timeout)`),
              timeoutMs,
            )
          : undefined;
        let output = "";
        let cut = false;
        const keep = (chunk: Buffer) => {
          output += chunk.toString("utf8");
          if (output.length > 2 * KEEP_OUTPUT) [output, cut] = [output.slice(-KEEP_OUTPUT), true];
        };
        child.stdout.on("data", keep);
        child.stderr.on("data", keep);
        child.stdin.on("error", () => {}); // a command that does not read stdin: its exit status decides
        child.on("error", (e) => reject(new Error(`could not run sh: ${e.message}`)));
        child.on("close", (code, killedBy) => {
          signal?.removeEventListener("abort", onAbort);
          clearTimeout(timer);
          clearTimeout(killer);
          (child.stdio[3] as NodeJS.WritableStream | null)?.end();
          if (stopped) return reject(new Error(stopped));
          if (code === 0) return resolve();
          const shown = shownOutput(output, cut, secret);
          const status = killedBy
            ? `was killed by ${killedBy}`
            : code === UNREAD
              ? `exited 0 without reading its standard input (the secret) to the end, or with status ${UNREAD}`
              : `exited with status ${code}`;
          reject(new Error([status, ...shown.map((l) => `  | ${l}`)].join("\n")));
        });
        child.stdin.end(secret);
      }),
  };
}

/**
 * The last lines of a failing command's output, the secret redacted. When the start was cut off,
 * as much as a secret's length is dropped after the cut too: a secret cut in two would escape the
 * redaction.
 */
function shownOutput(output: string, cut: boolean, secret: string): string[] {
  const whole = cut ? output.slice(secret.length) : output;
  const text = withoutSecret(whole, secret).trim();
  return text ? text.split("\n").slice(-5) : [];
}

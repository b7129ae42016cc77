/**
 * `exec:COMMAND`: runs COMMAND with sh, the secret on its standard input (a pipe) (never in its argv or
 * environment: the CLI's own credential variables are removed from it too). A non-zero exit,
 * a signal or a failure to start is a failed delivery; its output is shown only then, redacted.
 * An interruption (the abort signal: Ctrl-C, SIGTERM) or running past `timeoutMs` stops the
 * command's whole process group: SIGTERM, then SIGKILL 3 s later if it is still running.
 */
import { spawn } from "node:child_process";
import { redact } from "@dt-tokens/client";
import { SECRET_VARS } from "../env-credentials.js";
import type { Env } from "../io.js";
import { killGroupOnExit, signalGroup } from "../process-group.js";
import type { Sink } from "./sink.js";

const KEEP_OUTPUT = 4_000;
const INTERRUPTED = "stopped (the rotation was interrupted)";
/** How long a stopped command has after SIGTERM before its group gets SIGKILL. */
const KILL_AFTER_MS = 3_000;

export function execSink(command: string, env: Env, timeoutMs = Number.POSITIVE_INFINITY): Sink {
  return {
    label: `exec:${command}`,
    deliver: (secret, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(new Error(INTERRUPTED));
        const childEnv = { ...env };
        for (const name of SECRET_VARS) delete childEnv[name];
        // Node gives a child a socket as stdin, which /dev/stdin cannot open (kubectl --from-file,
        // aws file:///dev/stdin): `cat` moves the secret into a real pipe. The command is an
        // argument of the inner sh; the secret stays on stdin.
        const child = spawn("/bin/sh", ["-c", 'cat | /bin/sh -c "$1"', "dt-tokens-sink", command], {
          env: childEnv,
          stdio: ["pipe", "pipe", "pipe"],
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
        const keep = (chunk: Buffer) => {
          output = (output + chunk.toString("utf8")).slice(-KEEP_OUTPUT);
        };
        child.stdout.on("data", keep);
        child.stderr.on("data", keep);
        child.stdin.on("error", () => {}); // a command that does not read stdin: its exit status decides
        child.on("error", (e) => reject(new Error(`could not run sh: ${e.message}`)));
        child.on("close", (code, killedBy) => {
          signal?.removeEventListener("abort", onAbort);
          clearTimeout(timer);
          clearTimeout(killer);
          if (stopped) return reject(new Error(stopped));
          if (code === 0) return resolve();
          const shown = redact(output.split(secret).join("[REDACTED]")).trim().split("\n").slice(-5);
          const status = killedBy ? `was killed by ${killedBy}` : `exited with status ${code}`;
          reject(new Error([status, ...shown.map((l) => `  | ${l}`)].join("\n")));
        });
        child.stdin.end(secret);
      }),
  };
}

/**
 * `exec:COMMAND`: runs COMMAND with sh, the secret on its standard input (never in its argv or
 * environment: DT_API_TOKEN and DYNATRACE_API_TOKEN are removed from it too). A non-zero exit,
 * a signal or a failure to start is a failed delivery; its output is shown only then, redacted.
 */
import { spawn } from "node:child_process";
import { redact } from "@dt-tokens/client";
import type { Env } from "../io.js";
import type { Sink } from "./sink.js";

const KEEP_OUTPUT = 4_000;

export function execSink(command: string, env: Env): Sink {
  return {
    label: `exec:${command}`,
    deliver: (secret) =>
      new Promise<void>((resolve, reject) => {
        const childEnv = { ...env };
        delete childEnv.DT_API_TOKEN;
        delete childEnv.DYNATRACE_API_TOKEN;
        const child = spawn("/bin/sh", ["-c", command], { env: childEnv, stdio: ["pipe", "pipe", "pipe"] });
        let output = "";
        const keep = (chunk: Buffer) => {
          output = (output + chunk.toString("utf8")).slice(-KEEP_OUTPUT);
        };
        child.stdout.on("data", keep);
        child.stderr.on("data", keep);
        child.stdin.on("error", () => {}); // a command that does not read stdin: its exit status decides
        child.on("error", (e) => reject(new Error(`could not run sh: ${e.message}`)));
        child.on("close", (code, signal) => {
          if (code === 0) return resolve();
          const shown = redact(output.split(secret).join("[REDACTED]")).trim().split("\n").slice(-5);
          const status = signal ? `was killed by ${signal}` : `exited with status ${code}`;
          reject(new Error([status, ...shown.map((l) => `  | ${l}`)].join("\n")));
        });
        child.stdin.end(secret);
      }),
  };
}

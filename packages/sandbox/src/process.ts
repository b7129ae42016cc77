/**
 * startSandboxProcess(): the `dt-tokens-sandbox` bin in a child process, for tests that need a
 * separate process (a client in another runtime, isolation, or killing the server mid-write).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { SandboxReadyLine } from "./cli.js";

/** A running sandbox child process. */
export interface SandboxProcess {
  /** The child process (e.g. `child.kill("SIGKILL")` to test durability). */
  child: ChildProcess;
  /** The JSON line the bin printed when it was ready; secrets only when it generated them. */
  ready: SandboxReadyLine;
  /** Everything the bin wrote to stdout and stderr (its request log) so far. */
  stdout: () => string;
  stderr: () => string;
  /** Resolves when the process has exited. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops it with SIGTERM (a clean shutdown) and waits for it. */
  close: () => Promise<void>;
}

const BIN = fileURLToPath(new URL("./bin.js", import.meta.url));

/**
 * Starts `dt-tokens-sandbox` with the given flags (e.g. `["--db", ":memory:", "--quiet"]`) and
 * resolves once it listens. Rejects, with what it wrote to stderr, if it exits first. Pass the
 * bootstrap token in `env.DT_SANDBOX_BOOTSTRAP_TOKEN` rather than a flag: argv is visible to others.
 */
export async function startSandboxProcess(
  args: readonly string[] = [],
  options: { env?: Record<string, string> } = {},
): Promise<SandboxProcess> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => {
    out += d;
  });
  child.stderr!.on("data", (d) => {
    err += d;
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const ready = await new Promise<SandboxProcess["ready"]>((resolve, reject) => {
    const onData = () => {
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        child.stdout!.off("data", onData);
        resolve(JSON.parse(out.slice(0, nl)));
      }
    };
    child.stdout!.on("data", onData);
    void exit.then(({ code }) =>
      reject(new Error(`dt-tokens-sandbox exited (${code}) before it was ready: ${err}`)),
    );
  });
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exit;
  };
  return { child, ready, stdout: () => out, stderr: () => err, exit, close };
}

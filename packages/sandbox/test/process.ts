/** Runs the built bin (dist/bin.js; turbo builds before testing) as a child process. */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

export interface RunningBin {
  child: ChildProcess;
  ready: { url: string; apiBase: string; bootstrapToken?: string };
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startBin(args: string[], env: Record<string, string> = {}): Promise<RunningBin> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build the package first (turbo does).`);
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
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
  const ready = await new Promise<RunningBin["ready"]>((resolve, reject) => {
    const onData = () => {
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        child.stdout!.off("data", onData);
        resolve(JSON.parse(out.slice(0, nl)));
      }
    };
    child.stdout!.on("data", onData);
    void exit.then(({ code }) => reject(new Error(`the bin exited (${code}) before it was ready: ${err}`)));
  });
  return { child, ready, stdout: () => out, stderr: () => err, exit };
}

/**
 * The built `dt-tokens` as a child process under the test's control: stdout to a pipe or a file
 * descriptor (/dev/full), signals sent when its output shows a given text, and a fake API server
 * (node:http on 127.0.0.1) whose answers the test releases, for the moments between two steps;
 * and the crash tests' runs, killed at a stage boundary or while a delivery is in progress.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CRASH_VAR, type CrashPoint } from "../src/rotation/test-hooks.js";
import { BIN, cliEnv } from "./helpers.js";

export interface Child {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once stderr contains `text`. */
  stderrShows: (text: string) => Promise<void>;
  exit: Promise<number | null>;
}

export function startCli(
  args: string[],
  env: Record<string, string>,
  stdout: "pipe" | number = "pipe",
): Child {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", stdout, "pipe"],
  });
  let out = "";
  let err = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout?.setEncoding("utf8").on("data", (d) => {
    out += d;
  });
  child.stderr!.setEncoding("utf8").on("data", (d) => {
    err += d;
    for (const w of waiters.splice(0)) {
      if (err.includes(w.text)) w.resolve();
      else waiters.push(w);
    }
  });
  const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    stderrShows: (text) =>
      err.includes(text) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text, resolve })),
    exit,
  };
}

export interface Ended {
  code: number | null;
  /** The signal it died of (SIGKILL at a crash point), or null. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CrashableOptions {
  /** The connection: DT_ENV_URL and DT_API_TOKEN. */
  url: string;
  token: string;
  /** XDG_STATE_HOME: where the rotation journals and locks go. */
  state: string;
  crashAt?: CrashPoint;
  killWhenFile?: string;
  signal?: NodeJS.Signals;
}

/**
 * The crash tests' run of `dt-tokens ...args` against a sandbox in another process: with `crashAt`
 * it kills itself with SIGKILL at that stage boundary (the CLI's crash hook); with `killWhenFile`
 * it is sent `signal` (SIGKILL) once that file exists (a delivery in progress); `kill` sends a
 * signal at any time. Rotation journals and locks go to `state`, which the test inspects.
 */
export function runCrashable(
  args: string[],
  options: CrashableOptions,
): { done: Promise<Ended>; kill: (signal?: NodeJS.Signals) => void } {
  const env = cliEnv(options);
  if (options.crashAt) env[CRASH_VAR] = options.crashAt;
  const cli = startCli(args, env);
  let watching: NodeJS.Timeout | undefined;
  if (options.killWhenFile) {
    const file = options.killWhenFile;
    watching = setInterval(() => {
      if (existsSync(file)) {
        clearInterval(watching);
        cli.child.kill(options.signal ?? "SIGKILL");
      }
    }, 10);
  }
  return {
    kill: (signal = "SIGKILL") => cli.child.kill(signal),
    done: cli.exit.then((code) => {
      clearInterval(watching);
      return { code, signal: cli.child.signalCode, stdout: cli.stdout(), stderr: cli.stderr() };
    }),
  };
}

export interface HeldRequest {
  method: string;
  url: string;
  body: string;
  respond: (status: number, body?: unknown) => void;
}

/** A fake API: every request is handed to the test (in arrival order) to answer when it wants. */
export async function fakeApi(): Promise<{
  url: string;
  next: () => Promise<HeldRequest>;
  requests: { method: string; url: string }[];
  close: () => Promise<void>;
}> {
  const queue: HeldRequest[] = [];
  const takers: ((r: HeldRequest) => void)[] = [];
  const requests: { method: string; url: string }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.setEncoding("utf8").on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      requests.push({ method: req.method ?? "", url: req.url ?? "" });
      const held: HeldRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        body,
        respond: (status, payload) => {
          res.writeHead(status, payload === undefined ? {} : { "content-type": "application/json" });
          res.end(payload === undefined ? undefined : JSON.stringify(payload));
        },
      };
      const taker = takers.shift();
      if (taker) taker(held);
      else queue.push(held);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    next: () => {
      const held = queue.shift();
      return held ? Promise.resolve(held) : new Promise((resolve) => takers.push(resolve));
    },
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

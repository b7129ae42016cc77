/**
 * Runs the built `dt-tokens` (dist/bin.js; turbo builds before testing) as a child process against
 * a sandbox, and checks after every test that no token secret appeared in any output, except the
 * one new secret that create and rotate print alone on stdout.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Sandbox, type SeededToken, type SeedToken, startSandbox } from "@dt-tokens/sandbox";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";

/** A config path that never exists: the default of every run. */
export const NO_CONFIG = join(tmpdir(), "dt-tokens-cli-test-no-such-dir", "config.yaml");
export const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
/** The state directory (rotation journals and locks) of the CLI runs of this test process. */
export const STATE_HOME = join(tmpdir(), `dt-tokens-cli-test-state-${process.pid}`);
export const SECRET = /^dt0c01\.[A-Z2-7]{24}\.[A-Z2-7]{64}$/;
export const ID = /^dt0c01\.[A-Z2-7]{24}$/;
export const AG_SECRET = /^dt0g02\.[A-Z2-7]{8}\.[A-Z2-7]{64}$/;

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Environment variables on top of a clean environment (PATH only) and the connection. */
  env?: Record<string, string | undefined>;
  /** Text (or bytes) written to stdin (then closed). */
  stdin?: string | Buffer;
  /** Run under a pseudo-terminal (`script`): stdin, stdout and stderr are a terminal, merged. */
  tty?: boolean;
  /** No DT_ENV_URL / DT_API_TOKEN from the suite. */
  bare?: boolean;
  /** Terminal width for tty runs (default 200). */
  columns?: number;
  /** tty runs: text to type once the output shows `when` (a prompt). */
  answer?: { when: string; send: string };
  /** create and rotate (API or ActiveGate tokens): stdout is exactly one new secret, which is then known (and banned elsewhere). */
  printsSecret?: boolean;
}

/** Every output of the current test, checked for secrets after it. */
interface Output {
  text: string;
  /** The secret this output may contain (the one create or rotate printed). */
  allowed?: string;
}

const known = new Set<string>();
let outputs: Output[] = [];

/** Registers secrets (seeded, bootstrap, created) that must not show up in any output. */
export function knowSecrets(...secrets: (string | undefined)[]): void {
  for (const s of secrets) if (s) known.add(s);
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const randomBase32 = (n: number) =>
  Array.from({ length: n }, () => BASE32[Math.floor(Math.random() * 32)]).join("");

/**
 * A made-up secret: `prefix`, a random public part of `publicLength` characters and a random
 * private part of 64, registered as known (it must not show up in any output); and its id.
 */
export function secretOf(prefix: string, publicLength: number): { secret: string; id: string } {
  const secret = `${prefix}.${randomBase32(publicLength)}.${randomBase32(64)}`;
  knowSecrets(secret);
  return { secret, id: secret.split(".").slice(0, 2).join(".") };
}

/**
 * The known secrets whose private part (64 characters) appears in `text`, except `allowed` (the one
 * secret create or rotate may print). Run on every output of every test.
 */
export function leaks(text: string, allowed?: string): string[] {
  return [...known].filter((secret) => secret !== allowed && text.includes(secret.split(".")[2]!));
}

/** The sandbox of a test file, reset before every test, and the secret check after every test. */
export function useSandbox(): { sandbox: () => Sandbox; seed: (tokens: SeedToken[]) => SeededToken[] } {
  let sandbox: Sandbox;
  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build the package first (turbo does).`);
    sandbox = await startSandbox({ host: "127.0.0.1", port: 0, database: ":memory:" });
    knowSecrets(sandbox.bootstrapToken);
  });
  afterAll(() => sandbox?.close());
  beforeEach(() => {
    sandbox.reset();
    outputs = [];
  });
  afterEach(() => {
    for (const output of outputs)
      expect(leaks(output.text, output.allowed), "a token secret appeared in the CLI's output").toEqual([]);
  });
  return {
    sandbox: () => sandbox,
    seed: (tokens) => {
      const seeded = sandbox.seed(tokens);
      knowSecrets(...seeded.map((t) => t.token));
      return seeded;
    },
  };
}

/**
 * The environment of a CLI run: PATH only, no config file (a developer's own ~/.config must not
 * change a test), rotation journals and locks in `state` (a directory of this test process by
 * default, never ~/.local/state), and the connection when one is given.
 */
export function cliEnv(
  options: { url?: string; token?: string; state?: string } = {},
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    DT_TOKENS_CONFIG: NO_CONFIG,
    XDG_STATE_HOME: options.state ?? STATE_HOME,
    ...(options.url && { DT_ENV_URL: options.url }),
    ...(options.token && { DT_API_TOKEN: options.token }),
  };
}

const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/** Runs `dt-tokens ...args` and resolves when it exits. */
export function run(
  sandbox: Sandbox | undefined,
  args: string[],
  options: RunOptions = {},
): Promise<RunResult> {
  for (const arg of args)
    for (const secret of known)
      if (arg.includes(secret.split(".")[2]!)) throw new Error("a test put a secret into argv");
  const env = cliEnv(sandbox && !options.bare ? { url: sandbox.url, token: sandbox.bootstrapToken! } : {});
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const command = options.tty
    ? [
        "script",
        [
          "-qfec",
          `stty cols ${options.columns ?? 200} rows 50 2>/dev/null; exec ${[process.execPath, BIN, ...args].map(quote).join(" ")}`,
          "/dev/null",
        ],
      ]
    : [process.execPath, [BIN, ...args]];
  const child = spawn(command[0] as string, command[1] as string[], { env, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let answered = false;
  child.stdout.setEncoding("utf8").on("data", (d) => {
    stdout += d;
    if (options.answer && !answered && stdout.includes(options.answer.when)) {
      answered = true;
      child.stdin.write(options.answer.send);
    }
  });
  child.stderr.setEncoding("utf8").on("data", (d) => {
    stderr += d;
  });
  child.stdin.on("error", () => {});
  if (options.stdin !== undefined) child.stdin.write(options.stdin);
  if (!options.tty) child.stdin.end();
  return new Promise((resolve) => {
    child.on("close", (code) => {
      child.stdin.destroy();
      let allowed: string | undefined;
      if (options.printsSecret) {
        // The secret alone, or the "token" of create's -o json.
        let printed = stdout.replace(/\n$/, "");
        try {
          printed = (JSON.parse(stdout) as { token?: string }).token ?? printed;
        } catch {}
        if ((SECRET.test(printed) || AG_SECRET.test(printed)) && !known.has(printed)) {
          allowed = printed;
          known.add(printed);
        }
      }
      outputs.push({ text: stdout, ...(allowed && { allowed }) }, { text: stderr });
      resolve({ code, stdout, stderr });
    });
  });
}

/** Output of a terminal run without colour codes and carriage returns. */
export const plain = (text: string) =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences
  text.replace(/\u001b\[[0-9;?]*[a-zA-Z]/g, "").replace(/\r/g, "");

export const DAY = 86_400_000;

/** Whether a text holds an ANSI colour code (SGR), as picocolors writes them. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences
export const hasColor = (text: string) => /\u001b\[\d+(;\d+)*m/.test(text);

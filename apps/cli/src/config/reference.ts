/**
 * References to secrets, the only way a config file names a credential: `env:VAR` (an environment
 * variable), `file:PATH` (the first line of a file; `~/` and paths relative to the config file work)
 * or `exec:COMMAND` (the first line a command prints, e.g. `op read ...`, `vault kv get
 * -field=token ...`, `pass show ...`). Resolving one never puts the secret in an error.
 */
import { spawn } from "node:child_process";
import { closeSync, constants, fstatSync, openSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, resolve } from "node:path";
import { redact } from "@dt-tokens/client";
import { killGroupOnExit, signalGroup } from "../process-group.js";

export const REFERENCE_HELP = "env:VAR, file:PATH or exec:COMMAND";

export type Reference =
  | { source: "env"; variable: string }
  | { source: "file"; path: string }
  | { source: "exec"; command: string };

const ENV_VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The reference a string holds, or undefined when it is not one (e.g. a pasted secret). */
export function parseReference(text: string): Reference | undefined {
  const m = /^(env|file|exec):(.+)$/s.exec(text.trim());
  if (!m) return undefined;
  const rest = m[2]!.trim();
  if (m[1] === "env") return ENV_VAR.test(rest) ? { source: "env", variable: rest } : undefined;
  if (m[1] === "file") return { source: "file", path: rest };
  return { source: "exec", command: rest };
}

/** A reference, and one that holds no token secret (`exec:echo dt0c01....` would hide one). */
export const isReference = (text: string) => parseReference(text) !== undefined && redact(text) === text;

/** A reference as written, for messages (never the secret: a reference holds none). */
export function describeReference(ref: Reference): string {
  if (ref.source === "env") return `env:${ref.variable}`;
  if (ref.source === "file") return `file:${ref.path}`;
  return `exec:${redact(ref.command)}`;
}

/** Why a reference could not be resolved (exit status 2); the message names the reference, never a secret. */
export class CredentialSourceError extends Error {
  override name = "CredentialSourceError";
}

export interface ResolveContext {
  env: Record<string, string | undefined>;
  /** The directory of the config file: relative file: paths start there. */
  baseDir: string;
  /** Called with a warning (e.g. a credential file others can read). */
  warn?: (text: string) => void;
  /** How long exec: may run (default 60 s). */
  execTimeoutMs?: number;
  /** Stops an exec: command (its whole process group). */
  signal?: AbortSignal;
}

/** The path a file: reference points at. */
export function referencedPath(path: string, baseDir: string): string {
  if (path === "~" || path.startsWith("~/")) return resolve(homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

const firstLine = (text: string) => (text.split(/\r?\n/).find((l) => l.trim() !== "") ?? "").trim();

/** The secret a reference points at (its first non-empty line, trimmed). */
export async function resolveReference(ref: Reference, ctx: ResolveContext): Promise<string> {
  const what = describeReference(ref);
  if (ref.source === "env") {
    const value = ctx.env[ref.variable]?.trim();
    if (!value) throw new CredentialSourceError(`${what}: ${ref.variable} is not set or empty`);
    return value;
  }
  if (ref.source === "file") {
    const path = referencedPath(ref.path, ctx.baseDir);
    const value = firstLine(readCredentialFile(path, what, ctx));
    if (!value) throw new CredentialSourceError(`${what}: ${path} is empty`);
    return value;
  }
  const value = firstLine(await runCommand(ref.command, what, ctx));
  if (!value) throw new CredentialSourceError(`${what}: the command printed nothing`);
  return value;
}

/** The most a credential file may hold: a secret is one line, this is far more. */
export const MAX_CREDENTIAL_FILE_BYTES = 64 * 1024;

/**
 * A credential file's text. Only a regular file of at most MAX_CREDENTIAL_FILE_BYTES is read:
 * a FIFO or a device (`/dev/zero`) would block or fill the memory of a process that cannot be
 * interrupted while it reads. Opened without blocking and checked on the open descriptor.
 */
function readCredentialFile(path: string, what: string, ctx: ResolveContext): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new CredentialSourceError(
      `${what}: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`,
    );
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile())
      throw new CredentialSourceError(
        `${what}: ${path} is not a regular file (${stat.isDirectory() ? "a directory" : "a pipe, socket or device"}); reference a file that holds the secret on its first line`,
      );
    if (stat.size > MAX_CREDENTIAL_FILE_BYTES)
      throw new CredentialSourceError(
        `${what}: ${path} has ${stat.size} bytes; a credential file holds the secret on its first line (at most ${MAX_CREDENTIAL_FILE_BYTES} bytes)`,
      );
    let text: string;
    try {
      text = readFileSync(fd, "utf8");
    } catch (error) {
      throw new CredentialSourceError(
        `${what}: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`,
      );
    }
    if ((stat.mode & 0o077) !== 0)
      ctx.warn?.(`${path} can be read by other users; restrict it with: chmod 600 '${path}'`);
    return text;
  } finally {
    closeSync(fd);
  }
}

/** A credential is one line: more than this on stdout is refused. */
const MAX_STDOUT_BYTES = 64 * 1024;
/** What is kept of stderr for the error message. */
const MAX_STDERR_CHARS = 4_000;

const duration = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);

/**
 * Runs the command with sh in a process group of its own and returns its stdout. On a timeout, an
 * abort or too much output the whole group is killed; when the shell exits, whatever it left
 * running in its group is killed too (it would hold the pipes open). A failure's message shows the
 * first line of stderr, with every line of stdout (the secret; lines of 4 characters or more) and
 * every token secret removed.
 */
function runCommand(command: string, what: string, ctx: ResolveContext): Promise<string> {
  const timeoutMs = ctx.execTimeoutMs ?? 60_000;
  return new Promise((done, fail) => {
    if (ctx.signal?.aborted) return fail(new CredentialSourceError(`${what}: the command was interrupted`));
    const child = spawn("/bin/sh", ["-c", command], {
      cwd: ctx.baseDir,
      env: ctx.env as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    killGroupOnExit(child);
    let stopped: string | undefined;
    const stop = (why: string) => {
      stopped ??= why;
      signalGroup(child.pid, "SIGKILL");
    };
    const timer = setTimeout(() => stop(`did not finish within ${duration(timeoutMs)}`), timeoutMs);
    const onAbort = () => stop("was interrupted");
    ctx.signal?.addEventListener("abort", onAbort, { once: true });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > MAX_STDOUT_BYTES)
        stop(`printed more than ${MAX_STDOUT_BYTES / 1024} KiB (a credential is one line)`);
      else stdout.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < MAX_STDERR_CHARS) stderr += chunk.toString("utf8");
    });
    child.once("exit", () => signalGroup(child.pid, "SIGKILL"));
    let failedToStart: Error | undefined;
    child.once("error", (error) => {
      failedToStart = error;
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      ctx.signal?.removeEventListener("abort", onAbort);
      const out = Buffer.concat(stdout).toString("utf8");
      if (stopped === undefined && failedToStart === undefined && code === 0) return done(out);
      let said = firstLine(stderr);
      for (const line of out.split(/\r?\n/).map((l) => l.trim()))
        if (line.length >= 4) said = said.split(line).join("[REDACTED]");
      said = redact(said).slice(0, 300);
      const why =
        stopped ??
        (failedToStart
          ? `could not be started (${(failedToStart as NodeJS.ErrnoException).code ?? failedToStart.message})`
          : signal
            ? `was killed by ${signal}`
            : `exited with status ${code}`);
      fail(new CredentialSourceError(`${what}: the command ${why}${said ? `: ${said}` : ""}`));
    });
  });
}

/** The directory relative file: paths start from. */
export const baseDirOf = (configPath: string) => dirname(configPath);

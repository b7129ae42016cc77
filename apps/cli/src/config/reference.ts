/**
 * References to secrets, the only way a config file names a credential: `env:VAR` (an environment
 * variable), `file:PATH` (the first line of a file; `~/` and paths relative to the config file work)
 * or `exec:COMMAND` (the first line a command prints, e.g. `op read ...`, `vault kv get
 * -field=token ...`, `pass show ...`). Resolving one never puts the secret in an error.
 */
import { execFile } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, resolve } from "node:path";
import { redact } from "@dt-tokens/client";

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
    let text: string;
    try {
      text = readFileSync(path, "utf8");
      if ((statSync(path).mode & 0o077) !== 0)
        ctx.warn?.(`${path} can be read by other users; restrict it with: chmod 600 '${path}'`);
    } catch (error) {
      throw new CredentialSourceError(
        `${what}: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`,
      );
    }
    const value = firstLine(text);
    if (!value) throw new CredentialSourceError(`${what}: ${path} is empty`);
    return value;
  }
  const value = firstLine(await runCommand(ref.command, what, ctx));
  if (!value) throw new CredentialSourceError(`${what}: the command printed nothing`);
  return value;
}

function runCommand(command: string, what: string, ctx: ResolveContext): Promise<string> {
  return new Promise((done, fail) => {
    execFile(
      "/bin/sh",
      ["-c", command],
      {
        cwd: ctx.baseDir,
        env: ctx.env as NodeJS.ProcessEnv,
        timeout: ctx.execTimeoutMs ?? 60_000,
        maxBuffer: 1024 * 1024,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        if (!error) return done(stdout);
        const said = redact(firstLine(stderr));
        const why = error.killed
          ? `did not finish within ${Math.round((ctx.execTimeoutMs ?? 60_000) / 1000)} s`
          : `exited with status ${error.code ?? "unknown"}`;
        fail(new CredentialSourceError(`${what}: the command ${why}${said ? `: ${said}` : ""}`));
      },
    );
  });
}

/** The directory relative file: paths start from. */
export const baseDirOf = (configPath: string) => dirname(configPath);

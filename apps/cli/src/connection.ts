/**
 * Where the CLI connects and with which token: --env-url, DT_ENV_URL or DYNATRACE_ENV_URL, and the
 * token from DT_API_TOKEN, DYNATRACE_API_TOKEN or stdin (--token-stdin). Never from an argument.
 */
import {
  type ApiTokensClient,
  createApiTokensClient,
  InvalidInputError,
  normalizeEnvironmentUrl,
  redact,
} from "@dt-tokens/client";
import { EXIT, ExitError, UsageError } from "./errors.js";
import type { Io } from "./io.js";
import { version } from "./version.js";

export interface GlobalOptions {
  envUrl?: string;
  tokenStdin?: boolean;
  debug?: boolean;
  color: boolean;
}

export const URL_VARS = ["DT_ENV_URL", "DYNATRACE_ENV_URL"] as const;
export const TOKEN_VARS = ["DT_API_TOKEN", "DYNATRACE_API_TOKEN"] as const;

export function environmentUrl(options: GlobalOptions, io: Io): { url: string; apiBase: string } {
  const fromVar = URL_VARS.find((v) => io.env[v]?.trim());
  const raw = options.envUrl?.trim() || (fromVar ? io.env[fromVar]!.trim() : "");
  const source = options.envUrl?.trim() ? "--env-url" : fromVar;
  if (!raw) {
    throw new UsageError("no environment URL: pass --env-url or set DT_ENV_URL (or DYNATRACE_ENV_URL)", [
      "hint: e.g. https://abc12345.live.dynatrace.com, https://<host>/e/<environment-id> or https://abc12345.apps.dynatrace.com/platform/classic/environment-api/v2",
    ]);
  }
  try {
    return { url: raw, apiBase: normalizeEnvironmentUrl(raw) };
  } catch {
    throw new UsageError(
      `${source}: "${redact(raw)}" is not an environment URL; expected https://<env-id>.live.dynatrace.com, https://<host>/e/<env-id>, or an API base ending in /api/v2 or /platform/classic/environment-api/v2`,
    );
  }
}

/** Reads stdin once (all of it, or one hidden line on a terminal); later calls reuse the lines. */
export class StdinReader {
  #lines: string[] | undefined;
  #next = 0;
  constructor(private readonly io: Io) {}

  /** The next line of stdin, or on a terminal a line typed without echo after `prompt`. */
  async line(prompt: string): Promise<string | undefined> {
    const stdin = this.io.stdin;
    if (stdin.isTTY) return readHidden(stdin, this.io.stderr, prompt);
    if (this.#lines === undefined) {
      let text = "";
      stdin.setEncoding("utf8");
      for await (const chunk of stdin) text += chunk;
      this.#lines = text.split(/\r?\n/).map((l) => l.trim());
      while (this.#lines.length > 0 && this.#lines.at(-1) === "") this.#lines.pop();
    }
    return this.#lines[this.#next++];
  }
}

/** Reads one line from a terminal without echoing it (for secrets). Ctrl-C cancels. */
function readHidden(stdin: NodeJS.ReadStream, stderr: Io["stderr"], prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = "";
    // Echo off before the prompt shows, so nothing typed after it is echoed.
    stdin.setRawMode(true);
    stderr.write(prompt);
    stdin.setEncoding("utf8");
    stdin.resume();
    const done = (error?: Error) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write("\n");
      if (error) reject(error);
      else resolve(value.trim());
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") return done();
        if (ch === "\u0003") return done(new ExitError("cancelled", EXIT.cancelled));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else if (ch >= " ") value += ch;
      }
    };
    stdin.on("data", onData);
  });
}

function checkToken(value: string, source: string): string {
  if (!/^[!-~]+$/.test(value)) {
    throw new UsageError(
      `${source} does not hold a token secret: expected the bare secret (dt0c01.<24 characters>.<64 characters>), without "Api-Token " or spaces`,
    );
  }
  return value;
}

/** The API token: --token-stdin, else DT_API_TOKEN, else DYNATRACE_API_TOKEN. */
export async function apiToken(
  options: GlobalOptions,
  io: Io,
  stdin: StdinReader,
  fallback?: { value: string; source: string },
): Promise<{ token: string; source: string }> {
  if (options.tokenStdin) {
    const line = await stdin.line("API token (input hidden): ");
    if (!line)
      throw new UsageError("--token-stdin: stdin held no token (expected the secret on the first line)");
    return { token: checkToken(line, "--token-stdin"), source: "--token-stdin" };
  }
  for (const name of TOKEN_VARS) {
    const value = io.env[name]?.trim();
    if (value) return { token: checkToken(value, name), source: name };
  }
  if (fallback) return { token: fallback.value, source: fallback.source };
  throw new UsageError(
    "no API token: set DT_API_TOKEN (or DYNATRACE_API_TOKEN), or pipe it in with --token-stdin",
    [
      "hint: tokens are never accepted as arguments (shell history and the process list would show them)",
      "hint: the token needs the scopes apiTokens.read (list, get, audit) and apiTokens.write (create, update, delete, rotate)",
    ],
  );
}

export interface Connection {
  client: ApiTokensClient;
  url: string;
}

export async function connect(
  options: GlobalOptions,
  io: Io,
  stdin: StdinReader,
  fallback?: { value: string; source: string },
): Promise<Connection> {
  const { url } = environmentUrl(options, io);
  const { token } = await apiToken(options, io, stdin, fallback);
  try {
    const client = createApiTokensClient({
      environmentUrl: url,
      token,
      userAgent: `dt-tokens-cli/${version}`,
      logger: options.debug
        ? {
            debug: (m, d) =>
              io.stderr.write(`debug: ${redact(m)}${d ? ` ${redact(JSON.stringify(d))}` : ""}\n`),
            warn: (m) => io.stderr.write(`warning: ${redact(m)}\n`),
          }
        : undefined,
    });
    return { client, url };
  } catch (error) {
    if (error instanceof InvalidInputError) throw new UsageError(redact(error.message));
    throw error;
  }
}

/**
 * Where the CLI connects and with which credential: --env NAME (the config file), --env-url,
 * DT_ENV_URL or DYNATRACE_ENV_URL with the token from DT_API_TOKEN, DYNATRACE_API_TOKEN or stdin
 * (--token-stdin), else the config file's current environment. Never from an argument.
 */
import {
  type ApiTokensClient,
  type ClientOptions,
  checkUrl,
  createApiTokensClient,
  InvalidInputError,
  REQUEST_DEFAULTS,
  redact,
} from "@dt-tokens/client";
import { type ActiveGateTokensClient, createActiveGateTokensClient } from "@dt-tokens/client/activegate";
import { parseDurationMs, secretKind } from "@dt-tokens/types";
import { checkCredential } from "./credential-check.js";
import { type Credential, checkSecret, clientAuth } from "./credentials.js";
import {
  API_TOKEN_VARS,
  credentialFromEnv,
  OAUTH_ENV_SOURCE,
  OAUTH_VARS,
  PLATFORM_TOKEN_VAR,
  SSO_TOKEN_URL_VAR,
} from "./env-credentials.js";
import { envNames, type NamedEnvironment, namedEnvironment, readConfig } from "./environments.js";
import { EXIT, ExitError, UsageError } from "./errors.js";
import type { Io } from "./io.js";
import { clientLogger } from "./retry-display.js";
import { cleartextMessage, HTTP_ONLY_LOOPBACK_HINT, urlText } from "./url-text.js";
import { version } from "./version.js";

export interface GlobalOptions {
  /** --env: a name of the config file (one; audit and list take a comma-separated list). */
  env?: string;
  envUrl?: string;
  tokenStdin?: boolean;
  debug?: boolean;
  /** --timeout as given (checked when parsed): how long each attempt waits for an answer (wins over the config file's). */
  timeout?: string;
  /** --show-retries: a line per retry even when stderr is not a terminal. */
  showRetries?: boolean;
  color: boolean;
  /** CSV cells that start like a formula get a leading ' (on unless --no-csv-guard). */
  csvGuard: boolean;
}

export const URL_VARS = ["DT_ENV_URL", "DYNATRACE_ENV_URL"] as const;
export const TOKEN_VARS = API_TOKEN_VARS;

export function environmentUrl(options: GlobalOptions, io: Io): { url: string; apiBase: string } {
  const fromVar = URL_VARS.find((v) => io.env[v]?.trim());
  const raw = options.envUrl?.trim() || (fromVar ? io.env[fromVar]!.trim() : "");
  const source = options.envUrl?.trim() ? "--env-url" : fromVar;
  if (!raw) {
    throw new UsageError("no environment URL: pass --env-url or set DT_ENV_URL (or DYNATRACE_ENV_URL)", [
      "hint: e.g. https://abc12345.live.dynatrace.com, https://<host>/e/<environment-id> or https://abc12345.apps.dynatrace.com/platform/classic/environment-api/v2",
    ]);
  }
  // The client's rule (checkUrl), worded for the flag or variable that was set.
  const answer = checkUrl("environmentUrl", raw);
  if (answer.ok) return { url: raw, apiBase: answer.url };
  if (answer.problem === "cleartext")
    throw new UsageError(cleartextMessage(`${source}`, raw), [HTTP_ONLY_LOOPBACK_HINT]);
  throw new UsageError(
    `${source}: "${urlText(raw)}" is not an environment URL; expected https://<env-id>.live.dynatrace.com, https://<host>/e/<env-id>, or an API base ending in /api/v2 or /platform/classic/environment-api/v2`,
  );
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

/** A token given without its kind (stdin): a platform token by its prefix, else a classic one. */
const kindOf = (secret: string): "platform-token" | "api-token" =>
  secretKind(secret) === "platform-token" ? "platform-token" : "api-token";

/**
 * The credential: --token-stdin, else the environment variables (DT_API_TOKEN or
 * DYNATRACE_API_TOKEN, DT_PLATFORM_TOKEN, or the OAuth client's DT_CLIENT_ID + DT_CLIENT_SECRET +
 * DT_ACCOUNT_URN), else the fallback.
 */
export async function apiToken(
  options: GlobalOptions,
  io: Io,
  stdin: StdinReader,
  fallback?: { value: string; source: string },
): Promise<Credential> {
  if (options.tokenStdin) {
    const line = await stdin.line("API token (input hidden): ");
    if (!line)
      throw new UsageError("--token-stdin: stdin held no token (expected the secret on the first line)");
    const secret = checkSecret(line, "--token-stdin");
    return { kind: kindOf(secret), secret, source: "--token-stdin" };
  }
  const fromEnv = credentialFromEnv(io.env);
  if (fromEnv) return fromEnv;
  if (fallback) return { kind: kindOf(fallback.value), secret: fallback.value, source: fallback.source };
  throw new UsageError(
    `no credential: set DT_API_TOKEN (or DYNATRACE_API_TOKEN), ${PLATFORM_TOKEN_VAR}, or an OAuth client's ${OAUTH_VARS.join(" + ")}; or pipe a token in with --token-stdin`,
    [
      "hint: tokens are never accepted as arguments (shell history and the process list would show them)",
      "hint: a classic token needs the scopes apiTokens.read (list, get, audit) and apiTokens.write (create, update, delete, rotate)",
      "hint: a platform token or OAuth client needs environment-api:api-tokens:read and environment-api:api-tokens:write",
    ],
  );
}

export interface Connection {
  client: ApiTokensClient;
  url: string;
  /** The config file's name of the environment, when it came from there. */
  name?: string;
  /** The id of the classic API token the CLI authenticates with, when it does (its secret's public part). */
  tokenId?: string;
  /** An ActiveGate-tokens client with the same credential (cleanup recovers ActiveGate-token rotations too). */
  activeGateClient(): ActiveGateTokensClient;
}

/**
 * The one environment of a command: --env NAME, else --env-url / DT_ENV_URL (credential from the
 * token variables or stdin), else the config file's current environment.
 */
export function selectEnvironment(
  options: GlobalOptions,
  io: Io,
  warn: (text: string) => void,
): { url: string; named?: NamedEnvironment } {
  if (options.env !== undefined) {
    if (options.envUrl !== undefined)
      throw new UsageError("--env and --env-url exclude each other; give one of them");
    const names = envNames(options.env);
    if (names.length > 1)
      throw new UsageError(
        `--env: this command works on one environment, got ${names.length} (audit and list take several)`,
      );
    const named = namedEnvironment(readConfig(io), names[0]!, io, warn);
    return { url: named.url, named };
  }
  if (options.envUrl?.trim() || URL_VARS.some((v) => io.env[v]?.trim())) return environmentUrl(options, io);
  const loaded = readConfig(io);
  if (loaded.config.current !== undefined) {
    const named = namedEnvironment(loaded, loaded.config.current, io, warn);
    return { url: named.url, named };
  }
  try {
    return environmentUrl(options, io);
  } catch (error) {
    if (error instanceof UsageError)
      throw new UsageError(error.message, [
        ...error.hints,
        `hint: or name environments in ${loaded.path}: dt-tokens env add <name> --url <url> --api-token-ref env:VAR`,
      ]);
    throw error;
  }
}

/**
 * How long each attempt waits for an answer: --timeout, else the environment's `timeout` in the
 * config file, else `fallbackMs` (a command's own, e.g. doctor's 10 s), else the client's default
 * (30 s). A chosen timeout keeps the whole call's limit long enough for every attempt:
 * REQUEST_DEFAULTS' deadline, or (retries + 2) times the timeout when that is longer.
 */
export function requestTimeout(
  options: Pick<GlobalOptions, "timeout">,
  named?: { timeoutMs?: number },
  fallbackMs?: number,
): Partial<ClientOptions> {
  const flagMs = options.timeout === undefined ? undefined : parseDurationMs(options.timeout);
  const timeoutMs = flagMs ?? named?.timeoutMs ?? fallbackMs;
  if (timeoutMs === undefined) return {};
  const deadlineMs = Math.max(REQUEST_DEFAULTS.deadlineMs, (REQUEST_DEFAULTS.maxRetries + 2) * timeoutMs);
  return { timeoutMs, deadlineMs };
}

/** A client for one environment and credential; the CLI's user agent, and --debug lines. */
export function createClient(
  url: string,
  credential: Credential,
  options: GlobalOptions,
  io: Io,
  extra: Partial<ClientOptions> = {},
  environment?: string,
): ApiTokensClient {
  return buildClient(createApiTokensClient, url, credential, options, io, extra, environment);
}

/** An ActiveGate-tokens client (`@dt-tokens/client/activegate`) built exactly as createClient builds its client. */
export function createActiveGateClient(
  url: string,
  credential: Credential,
  options: GlobalOptions,
  io: Io,
  extra: Partial<ClientOptions> = {},
  environment?: string,
): ActiveGateTokensClient {
  return buildClient(createActiveGateTokensClient, url, credential, options, io, extra, environment);
}

function buildClient<C>(
  factory: (options: ClientOptions) => C,
  url: string,
  credential: Credential,
  options: GlobalOptions,
  io: Io,
  extra: Partial<ClientOptions>,
  environment: string | undefined,
): C {
  // A secret of another kind than its slot (a platform token in DT_API_TOKEN, an OAuth client
  // secret as a token) is refused before anything is sent, in the words doctor uses.
  const checked = checkCredential(credential, environment);
  if (!checked.ok) throw new UsageError(checked.detail, [`hint: ${checked.fix}`]);
  try {
    return factory({
      environmentUrl: url,
      ...clientAuth(credential),
      userAgent: `dt-tokens-cli/${version}`,
      logger: clientLogger(options, io),
      ...extra,
    });
  } catch (error) {
    if (error instanceof InvalidInputError && error.param === "oauth.tokenUrl") {
      // The client names its option and a library's remedy; the user set a variable or a config field.
      const fromEnv = credential.kind === "oauth-client" && credential.source === OAUTH_ENV_SOURCE;
      const where = fromEnv ? SSO_TOKEN_URL_VAR : `environment ${environment ?? ""}: oauthClient.tokenUrl`;
      throw new UsageError(
        `${where}: ${error.reason}`,
        error.problem === "cleartext" ? [HTTP_ONLY_LOOPBACK_HINT] : [],
      );
    }
    if (error instanceof InvalidInputError) throw new UsageError(redact(error.message));
    throw error;
  }
}

export async function connect(
  options: GlobalOptions,
  io: Io,
  stdin: StdinReader,
  warn: (text: string) => void,
  fallback?: { value: string; source: string },
): Promise<Connection> {
  const { url, named } = selectEnvironment(options, io, warn);
  // --token-stdin wins over the config file's credential, as it wins over DT_API_TOKEN.
  const credential =
    named && !options.tokenStdin ? await named.credential() : await apiToken(options, io, stdin, fallback);
  const environment = named && !options.tokenStdin ? named.name : undefined;
  return {
    client: createClient(url, credential, options, io, requestTimeout(options, named), environment),
    url,
    activeGateClient: () =>
      createActiveGateClient(url, credential, options, io, requestTimeout(options, named)),
    ...(named && { name: named.name }),
    ...(credential.kind === "api-token" && { tokenId: credential.secret.split(".").slice(0, 2).join(".") }),
  };
}

/** The ActiveGate-tokens commands' connection: the same environment and credential rules as connect. */
export async function connectActiveGate(
  options: GlobalOptions,
  io: Io,
  stdin: StdinReader,
  warn: (text: string) => void,
): Promise<ActiveGateConnection> {
  const { url, named } = selectEnvironment(options, io, warn);
  const credential =
    named && !options.tokenStdin ? await named.credential() : await apiToken(options, io, stdin);
  const environment = named && !options.tokenStdin ? named.name : undefined;
  return {
    client: createActiveGateClient(url, credential, options, io, requestTimeout(options, named), environment),
    url,
    ...(named && { name: named.name }),
  };
}

export interface ActiveGateConnection {
  client: ActiveGateTokensClient;
  url: string;
  name?: string;
}

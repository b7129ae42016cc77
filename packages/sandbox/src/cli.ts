/**
 * The `dt-tokens-sandbox` command, reusable by other CLIs: `runSandboxCli(argv)` parses the same
 * flags, starts the sandbox, prints one JSON line and runs until SIGINT/SIGTERM (or an abort signal).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { generateDemoTokens, seedDemoActiveGates } from "./demo.js";
import { resolveEnvironmentIds } from "./environments.js";
import type { FaultOptions } from "./faults.js";
import { OAUTH_CLIENT_ID, revokeOAuthClient } from "./revoke.js";
import { type Sandbox, type SandboxOptions, startSandbox } from "./sandbox.js";
import { tokenIdOf } from "./secrets.js";
import type { SeedToken } from "./tokens.js";
import { writeDtTokensConfig } from "./write-config.js";

export const DEFAULT_DATABASE = ".sandbox/tokens.db";
export const BOOTSTRAP_ENV = "DT_SANDBOX_BOOTSTRAP_TOKEN";
export const PLATFORM_TOKEN_ENV = "DT_SANDBOX_PLATFORM_TOKEN";
export const OAUTH_CLIENT_SECRET_ENV = "DT_SANDBOX_OAUTH_CLIENT_SECRET";

export const SANDBOX_USAGE = `Usage: dt-tokens-sandbox [options]

A local Dynatrace-compatible API-tokens server (HTTP + SQLite). Prints one JSON line
{"url", "environmentId", "apiBase", "platformBase", "tokenUrl", "accountUrn", "bootstrapToken"?,
"platformToken"?, "oauthClientId"?, "oauthClientSecret"?} on stdout when it listens (secrets only
when it generated them); SIGINT or SIGTERM stop it. With --environments N, the line also lists them:
"environments": [{"id", "apiBase", "bootstrapToken"}]. Managed-style URLs /e/<id>/api/v2 serve
environmentId (the default environment) and the listed ids; any other id is a 404.

/api/v2 takes Authorization: Api-Token <API token>; /platform/classic/environment-api/v2 takes
Authorization: Bearer <platform token or OAuth access token>; POST /sso/oauth2/token issues
access tokens for OAuth clients (grant_type=client_credentials).

Options:
  --host <host>              interface to listen on (default 127.0.0.1)
  --port <port>              port, 0 for any free port (default 0)
  --db <file>                SQLite database (default ${DEFAULT_DATABASE}); :memory: for a throwaway one
  --bootstrap-token <secret> ensure this API token (owner admin, apiTokens.read + apiTokens.write);
                             prefer the ${BOOTSTRAP_ENV} environment variable (argv is visible to others)
  --access-token-ttl <s>     expires_in of OAuth access tokens in seconds (default 300)
  --no-platform              ensure no platform token and no OAuth client
                             (given ones come from ${PLATFORM_TOKEN_ENV} and
                             ${OAUTH_CLIENT_SECRET_ENV}; secrets are never flags)
  --environments <n>         also host n environments, Managed-style under /e/<id>/api/v2 (ids env01,
                             env02, ...), each with its own tokens and bootstrap token; with --db FILE
                             their databases are FILE's siblings (tokens.env01.db, ...)
  --write-config <file>      write a dt-tokens config (YAML) for the environments, their bootstrap
                             tokens in 0600 files beside it, referenced as file:<id>.token
  --seed-demo <count>        seed a realistic demo environment into an empty database (sandbox-only);
                             with --environments, into each environment (a different seed each)
  --demo-seed <n>            PRNG seed for --seed-demo (default 1)
  --seed-file <file.json>    seed a JSON array of tokens into an empty database (sandbox-only); with
                             --environments, a token with a chosen secret names its "environment"
  --cors-origin <origin>     allow a browser origin (repeatable; * for any)
  --throttle-rps <n>         throttle each token to n requests per second (429 + Retry-After)
  --throttle-burst <n>       requests allowed at once (default: max(1, rps))
  --fault-seed <n>           seed for fault injection (default 1)
  --fault-error-rate <0..1>  share of requests answered 500 or 503
  --fault-drop-rate <0..1>   share of requests whose connection is dropped
  --fault-after-commit-rate <0..1>
                             share of requests processed (writes committed) whose response is
                             then lost: a dropped connection or a 5xx
  --fault-latency-ms <n|a-b> added latency per request, fixed or a range
  --no-list-cache            compute every list page (no cache of repeated pages; for measuring)
  --quiet                    no request log on stderr
  -h, --help                 show this help

Instead of serving:
  --revoke-oauth-client <id> revoke the OAuth client <id> (dt0s02.<8 characters>) in the --db file
                             and exit; a sandbox running on that file refuses its access tokens
                             and grants from its next request on (takes only --db)
`;

export interface SandboxCliOptions {
  sandbox: SandboxOptions & { database: string };
  /** --revoke-oauth-client: revoke this OAuth client in the database and exit instead of serving. */
  revokeOAuthClient?: string;
  seedDemo?: { count: number; seed: number };
  seedFile?: string;
  writeConfig?: string;
}

export class UsageError extends Error {
  override name = "UsageError";
}

function number(
  name: string,
  raw: string | undefined,
  check: (n: number) => boolean,
  what: string,
): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || !check(n))
    throw new UsageError(`--${name} must be ${what}, got '${raw}'.`);
  return n;
}

/** Parses the bin's flags (and the bootstrap token from the environment). Throws UsageError. */
export function parseSandboxArgs(
  argv: readonly string[],
  env: Record<string, string | undefined> = process.env,
): SandboxCliOptions | "help" {
  let parsed: ReturnType<typeof parseSpec>;
  try {
    parsed = parseSpec(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  if (v.help) return "help";
  if (v["revoke-oauth-client"] !== undefined) return parseRevoke(v);
  const port =
    number("port", v.port, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, "a port from 0 to 65535") ?? 0;
  const bootstrap = v["bootstrap-token"] ?? (env[BOOTSTRAP_ENV] || undefined);
  if (bootstrap !== undefined && tokenIdOf(bootstrap) === undefined) {
    throw new UsageError(
      "The bootstrap token must be a sandbox secret: dt0c01.<24 characters>.<64 characters>, characters A-Z and 2-7.",
    );
  }
  const rate = (name: string, raw: string | undefined) =>
    number(name, raw, (n) => n >= 0 && n <= 1, "a number from 0 to 1");
  const faults: FaultOptions = {};
  const faultSeed = number("fault-seed", v["fault-seed"], Number.isInteger, "an integer");
  const errorRate = rate("fault-error-rate", v["fault-error-rate"]);
  const dropRate = rate("fault-drop-rate", v["fault-drop-rate"]);
  const afterCommitRate = rate("fault-after-commit-rate", v["fault-after-commit-rate"]);
  if (faultSeed !== undefined) faults.seed = faultSeed;
  if (errorRate !== undefined) faults.errorRate = errorRate;
  if (dropRate !== undefined) faults.dropRate = dropRate;
  if (afterCommitRate !== undefined) faults.afterCommitRate = afterCommitRate;
  if (v["fault-latency-ms"] !== undefined) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(v["fault-latency-ms"]);
    if (!m || (m[2] !== undefined && Number(m[2]) < Number(m[1]))) {
      throw new UsageError(
        `--fault-latency-ms must be a number of ms or a range like 50-200, got '${v["fault-latency-ms"]}'.`,
      );
    }
    faults.latencyMs = m[2] === undefined ? Number(m[1]) : [Number(m[1]), Number(m[2])];
  }
  const sandbox: SandboxCliOptions["sandbox"] = {
    host: v.host ?? "127.0.0.1",
    port,
    database: v.db ?? DEFAULT_DATABASE,
    log: !v.quiet,
  };
  if (v["no-list-cache"]) sandbox.listCache = false;
  if (bootstrap !== undefined) sandbox.bootstrapToken = bootstrap;
  const ttl = number(
    "access-token-ttl",
    v["access-token-ttl"],
    (n) => Number.isInteger(n) && n >= 1,
    "a whole number of seconds, at least 1",
  );
  if (ttl !== undefined) sandbox.accessTokenTtlSeconds = ttl;
  if (v["no-platform"]) {
    sandbox.platformToken = false;
    sandbox.oauthClientSecret = false;
  } else {
    const platformToken = env[PLATFORM_TOKEN_ENV] || undefined;
    const oauthClientSecret = env[OAUTH_CLIENT_SECRET_ENV] || undefined;
    if (platformToken !== undefined && !/^dt0s16\.[A-Z2-7]{8}\.[A-Z2-7]{64}$/.test(platformToken)) {
      throw new UsageError(
        `${PLATFORM_TOKEN_ENV} must be a platform token: dt0s16.<8 characters>.<64 characters>, characters A-Z and 2-7.`,
      );
    }
    if (oauthClientSecret !== undefined && !/^dt0s02\.[A-Z2-7]{8}\.[A-Z2-7]{64}$/.test(oauthClientSecret)) {
      throw new UsageError(
        `${OAUTH_CLIENT_SECRET_ENV} must be an OAuth client secret: dt0s02.<8 characters>.<64 characters>, characters A-Z and 2-7.`,
      );
    }
    if (platformToken !== undefined) sandbox.platformToken = platformToken;
    if (oauthClientSecret !== undefined) sandbox.oauthClientSecret = oauthClientSecret;
  }
  if (Object.keys(faults).length > 0) sandbox.faults = faults;
  const rps = number("throttle-rps", v["throttle-rps"], (n) => n > 0, "a number greater than 0");
  const burst = number("throttle-burst", v["throttle-burst"], (n) => n >= 1, "a number of at least 1");
  if (burst !== undefined && rps === undefined)
    throw new UsageError("--throttle-burst needs --throttle-rps.");
  if (rps !== undefined)
    sandbox.throttle = burst === undefined ? { requestsPerSecond: rps } : { requestsPerSecond: rps, burst };
  const origins = v["cors-origin"] ?? [];
  if (origins.length > 0) sandbox.cors = { origins: origins.includes("*") ? "*" : origins };
  const out: SandboxCliOptions = { sandbox };
  const demo = number("seed-demo", v["seed-demo"], (n) => Number.isInteger(n) && n >= 0, "a whole number");
  const demoSeed = number("demo-seed", v["demo-seed"], Number.isInteger, "an integer") ?? 1;
  if (demo !== undefined) out.seedDemo = { count: demo, seed: demoSeed };
  if (v["seed-file"] !== undefined) out.seedFile = v["seed-file"];
  const environments = number(
    "environments",
    v.environments,
    (n) => Number.isInteger(n) && n >= 1 && n <= 1000,
    "a whole number from 1 to 1000",
  );
  if (environments !== undefined) sandbox.environments = environments;
  if (v["write-config"] !== undefined) out.writeConfig = v["write-config"];
  return out;
}

/** `--revoke-oauth-client <id> --db FILE`: a file (another process's), an id and nothing else. */
function parseRevoke(v: ReturnType<typeof parseSpec>["values"]): SandboxCliOptions {
  const id = v["revoke-oauth-client"]!;
  if (!OAUTH_CLIENT_ID.test(id)) {
    // never echoed: it may be a secret pasted by mistake
    throw new UsageError(
      "--revoke-oauth-client takes an OAuth client id: dt0s02.<8 characters>, characters A-Z and 2-7 (the client secret's first two parts, never the secret).",
    );
  }
  const others = Object.keys(v).filter((k) => k !== "revoke-oauth-client" && k !== "db");
  if (others.length > 0) {
    throw new UsageError(`--revoke-oauth-client takes only --db; remove --${others.join(", --")}.`);
  }
  const database = v.db ?? DEFAULT_DATABASE;
  if (database === ":memory:") {
    throw new UsageError(
      "--revoke-oauth-client needs the --db file of the sandbox; a :memory: database cannot be reached from another process.",
    );
  }
  return { sandbox: { database }, revokeOAuthClient: id };
}

function parseSpec(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      db: { type: "string" },
      "bootstrap-token": { type: "string" },
      "access-token-ttl": { type: "string" },
      "no-platform": { type: "boolean" },
      "seed-demo": { type: "string" },
      "demo-seed": { type: "string" },
      "seed-file": { type: "string" },
      environments: { type: "string" },
      "write-config": { type: "string" },
      "cors-origin": { type: "string", multiple: true },
      "throttle-rps": { type: "string" },
      "throttle-burst": { type: "string" },
      "fault-seed": { type: "string" },
      "fault-error-rate": { type: "string" },
      "fault-drop-rate": { type: "string" },
      "fault-after-commit-rate": { type: "string" },
      "fault-latency-ms": { type: "string" },
      "no-list-cache": { type: "boolean" },
      quiet: { type: "boolean" },
      "revoke-oauth-client": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

/** The JSON line the bin prints when it listens. Secrets are there only when the sandbox generated them. */
export interface SandboxReadyLine {
  url: string;
  /** The default environment's own id: `<url>/e/<environmentId>/api/v2` serves it too, no other id does. */
  environmentId: string;
  apiBase: string;
  /** `<url>/platform/classic/environment-api/v2`: Bearer platform tokens and OAuth access tokens. */
  platformBase: string;
  /** `<url>/sso/oauth2/token`: the client-credentials grant. */
  tokenUrl: string;
  /** `urn:dtaccount:<uuid>`: the `resource` of the grant. */
  accountUrn: string;
  bootstrapToken?: string;
  platformToken?: string;
  oauthClientId?: string;
  oauthClientSecret?: string;
  /** With --environments N: the hosted environments. */
  environments?: { id: string; apiBase: string; bootstrapToken?: string }[];
}

export interface SandboxCliIo {
  env?: Record<string, string | undefined>;
  stdout?: { write(text: string): unknown };
  stderr?: { write(text: string): unknown };
  /** Stops the sandbox when aborted (in addition to SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Listen for SIGINT and SIGTERM. Default true. */
  handleSignals?: boolean;
  /** Called once the sandbox listens and the JSON line is out. */
  onReady?: (sandbox: Sandbox) => void;
}

/** The JSON line printed when the sandbox listens. */
export function readyLine(sandbox: Sandbox): SandboxReadyLine {
  const line: SandboxReadyLine = {
    url: sandbox.url,
    environmentId: sandbox.environmentId,
    apiBase: sandbox.apiBase,
    platformBase: sandbox.platformBase,
    tokenUrl: sandbox.tokenUrl,
    accountUrn: sandbox.accountUrn,
  };
  if (sandbox.bootstrapTokenGenerated && sandbox.bootstrapToken) line.bootstrapToken = sandbox.bootstrapToken;
  if (sandbox.platformCredentialsGenerated) {
    if (sandbox.platformToken) line.platformToken = sandbox.platformToken;
    if (sandbox.oauthClientId) line.oauthClientId = sandbox.oauthClientId;
    if (sandbox.oauthClientSecret) line.oauthClientSecret = sandbox.oauthClientSecret;
  }
  if (sandbox.environments.length > 0)
    line.environments = sandbox.environments.map((e) => ({
      id: e.id,
      apiBase: e.apiBase,
      ...(e.bootstrapToken !== undefined && { bootstrapToken: e.bootstrapToken }),
    }));
  return line;
}

/** A token of --seed-file: a seed token, and with --environments the environment it belongs to. */
type SeedFileToken = SeedToken & { environment?: string };

/**
 * With --environments, where each --seed-file token goes: a token with a chosen secret (`token`)
 * into the one environment it names (`environment`), so that its secret authenticates there only;
 * one without into every environment (each gets its own secret), or into the one it names. Throws
 * a UsageError for a secret without an environment, or an environment the sandbox does not host.
 */
export function seedFileByEnvironment(
  tokens: readonly SeedFileToken[],
  environmentIds: readonly string[] | undefined,
): (environmentId: string) => SeedToken[] {
  tokens.forEach((t, i) => {
    const named = (t as { environment?: unknown } | null)?.environment;
    if (named === undefined) {
      if (environmentIds !== undefined && t?.token !== undefined)
        throw new UsageError(
          `--seed-file tokens[${i}] has a chosen secret (token): with --environments, name the one environment it belongs to ("environment": "${environmentIds[0]}"); a secret seeded into every environment would authenticate in all of them.`,
        );
      return;
    }
    if (environmentIds === undefined)
      throw new UsageError(`--seed-file tokens[${i}].environment is only for --environments.`);
    if (typeof named !== "string" || !environmentIds.includes(named))
      throw new UsageError(
        `--seed-file tokens[${i}].environment must be the id of a hosted environment (${environmentIds[0]} to ${environmentIds.at(-1)}).`,
      );
  });
  return (environmentId) =>
    tokens
      .filter((t) => t.environment === undefined || t.environment === environmentId)
      .map(({ environment: _, ...token }) => token);
}

/** --seed-demo and --seed-file into each hosted environment whose database holds no other token. */
function seedEnvironments(
  sandbox: Sandbox,
  options: SandboxCliOptions,
  seedFileTokens: SeedFileToken[] | undefined,
  stderr: { write(text: string): unknown },
): void {
  if (options.seedDemo === undefined && seedFileTokens === undefined) return;
  const fileTokensOf = seedFileByEnvironment(
    seedFileTokens ?? [],
    sandbox.environments.map((e) => e.id),
  );
  let seeded = 0;
  sandbox.environments.forEach((env, i) => {
    if (env.tokenCount() > (env.bootstrapToken === undefined ? 0 : 1)) return;
    const tokens = [
      ...fileTokensOf(env.id),
      ...(options.seedDemo
        ? generateDemoTokens({ count: options.seedDemo.count, seed: options.seedDemo.seed + i + 1 })
        : []),
    ];
    env.seed(tokens);
    if (options.seedDemo) seedDemoActiveGates(env.activeGates);
    seeded++;
  });
  stderr.write(
    `dt-tokens-sandbox: seeded ${seeded} of ${sandbox.environments.length} environments${seeded < sandbox.environments.length ? " (the others already held tokens)" : ""}.\n`,
  );
}

/** --revoke-oauth-client: 0 when revoked, 1 when the file, a sandbox database in it, or the client is not there. */
function revoke(database: string, clientId: string, stderr: { write(text: string): unknown }): number {
  let outcome: ReturnType<typeof revokeOAuthClient>;
  try {
    outcome = revokeOAuthClient(database, clientId);
  } catch (error) {
    stderr.write(`dt-tokens-sandbox: cannot revoke in ${database}: ${(error as Error).message}\n`);
    return 1;
  }
  const said = {
    revoked: `revoked the OAuth client ${clientId} in ${database}; its access tokens and grants are refused from now on.`,
    "unknown-client": `${database} holds no OAuth client ${clientId}; nothing changed.`,
    "no-database": `no database at ${database}; nothing changed (give the --db file of the sandbox).`,
    "not-a-sandbox-database": `${database} is not a sandbox database with OAuth clients; nothing changed.`,
  }[outcome];
  stderr.write(`dt-tokens-sandbox: ${said}\n`);
  return outcome === "revoked" ? 0 : 1;
}

/** Runs the bin: resolves with the exit code (0 after a clean shutdown, 1 on failure, 2 on bad usage). */
export async function runSandboxCli(argv: readonly string[], io: SandboxCliIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let options: SandboxCliOptions | "help";
  try {
    options = parseSandboxArgs(argv, io.env ?? process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr.write(`dt-tokens-sandbox: ${error.message}\n\n${SANDBOX_USAGE}`);
    return 2;
  }
  if (options === "help") {
    stdout.write(SANDBOX_USAGE);
    return 0;
  }
  if (options.revokeOAuthClient !== undefined) {
    return revoke(options.sandbox.database, options.revokeOAuthClient, stderr);
  }
  let seedFileTokens: SeedFileToken[] | undefined;
  if (options.seedFile !== undefined) {
    try {
      seedFileTokens = JSON.parse(readFileSync(options.seedFile, "utf8")) as SeedFileToken[];
      if (!Array.isArray(seedFileTokens)) throw new Error("expected a JSON array of tokens");
    } catch (error) {
      stderr.write(
        `dt-tokens-sandbox: cannot read --seed-file ${options.seedFile}: ${(error as Error).message}\n`,
      );
      return 2;
    }
  }
  if (seedFileTokens !== undefined) {
    // before anything starts: a secret must not authenticate in every hosted environment
    const environments = options.sandbox.environments;
    try {
      seedFileByEnvironment(
        seedFileTokens,
        environments === undefined ? undefined : resolveEnvironmentIds(environments),
      );
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      stderr.write(`dt-tokens-sandbox: ${error.message}\n`);
      return 2;
    }
  }
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox(options.sandbox);
  } catch (error) {
    stderr.write(`dt-tokens-sandbox: cannot start: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    const others = sandbox.tokenCount() - (sandbox.bootstrapToken === undefined ? 0 : 1);
    const wantsSeed = options.seedDemo !== undefined || seedFileTokens !== undefined;
    // With --environments the seeds go into the hosted environments, not the default one.
    if (sandbox.environments.length > 0) seedEnvironments(sandbox, options, seedFileTokens, stderr);
    else if (wantsSeed && others > 0) {
      stderr.write(`dt-tokens-sandbox: the database already holds tokens; not seeding.\n`);
    } else if (wantsSeed) {
      const tokens = [
        ...(seedFileTokens ?? []),
        ...(options.seedDemo
          ? generateDemoTokens({ count: options.seedDemo.count, seed: options.seedDemo.seed })
          : []),
      ];
      sandbox.seed(tokens);
      if (options.seedDemo) seedDemoActiveGates(sandbox.activeGates);
      stderr.write(
        `dt-tokens-sandbox: seeded ${tokens.length} tokens${options.seedDemo ? ", 7 ActiveGate tokens and 4 ActiveGates" : ""}.\n`,
      );
    }
  } catch (error) {
    stderr.write(`dt-tokens-sandbox: cannot seed: ${(error as Error).message}\n`);
    await sandbox.close();
    return 1;
  }
  if (options.writeConfig !== undefined) {
    try {
      const written = writeDtTokensConfig(options.writeConfig, sandbox);
      stderr.write(`dt-tokens-sandbox: wrote ${options.writeConfig} (${written}).\n`);
    } catch (error) {
      stderr.write(
        `dt-tokens-sandbox: cannot write --write-config ${options.writeConfig}: ${(error as Error).message}\n`,
      );
      await sandbox.close();
      return 1;
    }
  }
  stdout.write(`${JSON.stringify(readyLine(sandbox))}\n`);
  io.onReady?.(sandbox);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      io.signal?.removeEventListener("abort", stop);
      resolve();
    };
    if (io.handleSignals !== false) {
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    }
    io.signal?.addEventListener("abort", stop, { once: true });
    if (io.signal?.aborted) stop();
  });
  await sandbox.close();
  return 0;
}

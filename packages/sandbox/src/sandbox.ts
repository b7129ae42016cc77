/** startSandbox(): the library entry point. */
import { existsSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { ActiveGate, ActiveGateTokenEnforcement } from "@dt-tokens/types";
import { serve } from "@hono/node-server";
import {
  ActiveGateStore,
  activeGatesOf,
  type SeedActiveGate,
  type SeedActiveGateToken,
  type SeededActiveGateToken,
} from "./activegates.js";
import { checkFileDescriptors, environmentDatabase, resolveEnvironmentIds } from "./environments.js";
import { type FaultOptions, Faults } from "./faults.js";
import { createApp } from "./http/app.js";
import type { AppState } from "./http/context.js";
import { createLogSink, type LogOption } from "./logger.js";
import { PageCache } from "./page-cache.js";
import {
  type NewOAuthClient,
  type NewPlatformToken,
  PLATFORM_SCOPES,
  PlatformStore,
} from "./platform-store.js";
import { generateTokenSecret, hashSecret, tokenIdOf } from "./secrets.js";
import { DEFAULT_ACCESS_TOKEN_TTL_SECONDS, SSO_TOKEN_PATH } from "./sso.js";
import { TokenStore } from "./store.js";
import { Throttle, type ThrottleOptions } from "./throttle.js";
import { type SeededToken, type SeedToken, seedRows, toApiToken } from "./tokens.js";

export interface CorsOptions {
  /** Origins allowed to call the sandbox from a browser (`https://app.example.com`), or `"*"` for any. */
  origins: readonly string[] | "*";
}

export interface SandboxOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port; 0 (default) picks a free one. */
  port?: number;
  /** SQLite file, created with its directory when missing; `:memory:` (default) for a throwaway database. */
  database?: string;
  /**
   * A secret (`dt0c01.<24>.<64>`) ensured at start as an enabled API token owned by `admin` with
   * `apiTokens.read` and `apiTokens.write`. When absent and the database has no tokens, one is
   * generated. `false`: ensure none.
   */
  bootstrapToken?: string | false;
  /**
   * A platform token (`dt0s16.<8>.<64>`) ensured at start, owned by `admin@example.com` with
   * `environment-api:api-tokens:read` and `:write`. When absent and the database has no platform
   * tokens and no OAuth clients, one is generated. `false`: ensure none.
   */
  platformToken?: string | false;
  /**
   * An OAuth client secret (`dt0s02.<8>.<64>`; the client id is `dt0s02.<8>`) ensured at start, acting
   * as the service user `service-user@example.com` with both platform scopes. Generated like
   * `platformToken`. `false`: ensure none.
   */
  oauthClientSecret?: string | false;
  /** `expires_in` of the access tokens the SSO endpoint issues, in seconds. Default 300, as Dynatrace. */
  accessTokenTtlSeconds?: number;
  /** Throttle each token to a number of requests per second (429 with Retry-After). */
  throttle?: ThrottleOptions;
  /** Inject errors, dropped connections and latency, from a seed. */
  faults?: FaultOptions;
  /** Allow browser apps from these origins. Default: no CORS headers. */
  cors?: CorsOptions;
  /** Request log: `false` (default) quiet, `true` JSON lines on stderr, or a function. Never shows secrets. */
  log?: LogOption;
  /** The clock (epoch ms) for dates, expiry and timeframes. Default `Date.now`. Lets tests move time. */
  now?: () => number;
  /**
   * How long a client may take to send a request's headers, and the whole request with its body,
   * before the connection is cut (408). Default `{ headersMs: 10_000, requestMs: 30_000 }`.
   */
  timeouts?: { headersMs?: number; requestMs?: number };
  /**
   * More environments in the same process, Managed-style under `/e/<id>/api/v2`: a count (ids
   * env01, env02, …) or the ids. Each has its own tokens and bootstrap token (generated when its
   * database is empty). Default none. The default environment is served under its own id too
   * (`environmentId`); any other `/e/<id>` is a 404.
   */
  environments?: number | readonly string[];
  /**
   * Serve a list page asked for again from a cache of serialized pages, per environment, dropped
   * on any change to the data and after a minute (see the README). Default true; false computes
   * every page (for measuring).
   */
  listCache?: boolean;
}

/** One of the environments a sandbox hosts under `/e/<id>/api/v2`. */
export interface SandboxEnvironment {
  readonly id: string;
  /** `<sandbox url>/e/<id>`: the environment URL to give a client. */
  readonly url: string;
  /** `<url>/api/v2`. */
  readonly apiBase: string;
  /** Its bootstrap secret, when it was generated (its database was empty). */
  readonly bootstrapToken: string | undefined;
  /** Inserts tokens into this environment only. */
  seed(tokens: readonly SeedToken[]): SeededToken[];
  /** Deletes every token of this environment except its bootstrap token, and its ActiveGate tokens and ActiveGates. */
  reset(): void;
  tokenCount(): number;
  /** ActiveGate tokens and simulated ActiveGates of this environment (see {@link ActiveGateControls}). */
  readonly activeGates: ActiveGateControls;
}

/** Sandbox-only control of an environment's ActiveGate tokens and simulated ActiveGates. */
export interface ActiveGateControls {
  /** Inserts ActiveGate tokens (in one transaction) and returns each one's metadata and secret. */
  seedTokens(tokens: readonly SeedActiveGateToken[]): SeededActiveGateToken[];
  /** Adds simulated ActiveGates, each connecting with the secret given as its `token`. */
  add(gates: readonly SeedActiveGate[]): ActiveGate[];
  /**
   * Makes an ActiveGate connect with another secret, as one restarted with a new
   * `authorization.properties` would (also `POST /sandbox/activeGates/{id}/connect`). Returns its
   * new state, or undefined for an unknown ActiveGate.
   */
  connect(activeGateId: string, secret: string): ActiveGate | undefined;
  /** Sets what GET /activeGates/tokenEnforcement answers. */
  setEnforcement(enforcement: ActiveGateTokenEnforcement): void;
}

const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface Sandbox {
  /** `http://<host>:<port>`: the environment URL to give a client. */
  readonly url: string;
  /**
   * The default environment's own id (8 hex digits, fixed per database): it is also served
   * Managed-style under `<url>/e/<environmentId>/api/v2`; any other id there is a 404.
   */
  readonly environmentId: string;
  /** `<url>/api/v2`. */
  readonly apiBase: string;
  /** `<url>/platform/classic/environment-api/v2`, the prefix Dynatrace's SDK uses. */
  readonly platformApiBase: string;
  /** The same as `platformApiBase`: the API base for `Bearer` platform tokens and OAuth access tokens. */
  readonly platformBase: string;
  /** `<url>/sso/oauth2/token`: the SSO endpoint of the client-credentials grant. */
  readonly tokenUrl: string;
  /** `urn:dtaccount:<uuid>`: the `resource` of the grant (fixed per database). */
  readonly accountUrn: string;
  /** The platform token, when one was given or generated. */
  readonly platformToken: string | undefined;
  /** The OAuth client's id and secret, when one was given or generated. */
  readonly oauthClientId: string | undefined;
  readonly oauthClientSecret: string | undefined;
  /** True when the sandbox generated the platform token and OAuth client (the bin prints their secrets only then). */
  readonly platformCredentialsGenerated: boolean;
  /** Creates a platform token (sandbox-only) and returns its id and secret. */
  createPlatformToken(token: NewPlatformToken): { id: string; token: string };
  /** Creates an OAuth client (sandbox-only) and returns its id and secret. */
  createOAuthClient(client: NewOAuthClient): { clientId: string; clientSecret: string };
  /** Disables (revokes) or re-enables a platform token. False when unknown. */
  setPlatformTokenEnabled(id: string, enabled: boolean): boolean;
  /** Revokes (false) or re-enables (true) an OAuth client and every access token it holds. False when unknown. */
  setOAuthClientEnabled(clientId: string, enabled: boolean): boolean;
  readonly host: string;
  readonly port: number;
  /** The bootstrap secret, when one was given or generated. */
  readonly bootstrapToken: string | undefined;
  /** True when the sandbox generated the bootstrap token (the bin prints it only then). */
  readonly bootstrapTokenGenerated: boolean;
  /** Inserts tokens directly (sandbox-only, in one transaction) and returns each one's metadata and secret. */
  seed(tokens: readonly SeedToken[]): SeededToken[];
  /** Deletes every token except the bootstrap token. */
  reset(): void;
  /** How many tokens the database holds (the bootstrap token included). */
  tokenCount(): number;
  /** ActiveGate tokens and simulated ActiveGates of the default environment. */
  readonly activeGates: ActiveGateControls;
  /** Turns throttling on (options) or off (undefined) while running. */
  setThrottle(options: ThrottleOptions | undefined): void;
  /** Turns fault injection on (options, with a fresh PRNG from the seed) or off (undefined) while running. */
  setFaults(options: FaultOptions | undefined): void;
  /** The environments under `/e/<id>/api/v2` (the `environments` option); empty by default. */
  readonly environments: readonly SandboxEnvironment[];
  /** Stops listening, drops open connections and closes the databases. Idempotent. */
  close(): Promise<void>;
}

export const BOOTSTRAP_OWNER = "admin";
export const BOOTSTRAP_NAME = "sandbox-bootstrap";
export const BOOTSTRAP_SCOPES = ["apiTokens.read", "apiTokens.write"] as const;

/** Ensures the bootstrap token in a store; returns the secret and whether it was generated. */
function ensureBootstrap(
  store: TokenStore,
  given: string | false | undefined,
  now: number,
): { token: string | undefined; generated: boolean } {
  if (given === false) return { token: undefined, generated: false };
  if (given !== undefined && tokenIdOf(given) === undefined) {
    throw new TypeError(
      "The bootstrap token must be a sandbox secret: dt0c01.<24 characters>.<64 characters>, characters A-Z and 2-7.",
    );
  }
  // One write transaction: a second process starting on the same fresh database waits, then sees the first's token.
  return store.exclusively(() => {
    let token = given;
    let generated = false;
    if (token === undefined) {
      if (store.count() > 0) return { token: undefined, generated: false };
      token = generateTokenSecret();
      generated = true;
    }
    store.ensure({
      id: tokenIdOf(token)!,
      secret_hash: hashSecret(token),
      name: BOOTSTRAP_NAME,
      owner: BOOTSTRAP_OWNER,
      personal: 0,
      enabled: 1,
      scopes: JSON.stringify(BOOTSTRAP_SCOPES),
      creation_ms: now,
      expiration_ms: null,
      last_used_ms: null,
      last_used_ip: null,
      modified_ms: null,
      metadata: null,
    });
    return { token, generated };
  });
}

export const PLATFORM_OWNER = "admin@example.com";
export const OAUTH_SERVICE_USER = "service-user@example.com";

interface PlatformCredentials {
  platformToken: string | undefined;
  oauthClientId: string | undefined;
  oauthClientSecret: string | undefined;
  generated: boolean;
}

/**
 * Ensures the platform token and the OAuth client in a store. Each is generated when not given
 * (and not `false`) and the database holds no platform credentials yet.
 */
export function ensurePlatformCredentials(
  platform: PlatformStore,
  given: { platformToken?: string | false | undefined; oauthClientSecret?: string | false | undefined },
  now: number,
): PlatformCredentials {
  const empty = platform.count() === 0;
  const generate = (value: string | false | undefined) => value === undefined && empty;
  const out: PlatformCredentials = {
    platformToken: undefined,
    oauthClientId: undefined,
    oauthClientSecret: undefined,
    generated: generate(given.platformToken) || generate(given.oauthClientSecret),
  };
  if (typeof given.platformToken === "string" || generate(given.platformToken)) {
    const input: NewPlatformToken = {
      owner: PLATFORM_OWNER,
      scopes: PLATFORM_SCOPES,
      name: "sandbox platform token",
    };
    if (typeof given.platformToken === "string") input.token = given.platformToken;
    out.platformToken = platform.putPlatformToken(input, now).token;
  }
  if (typeof given.oauthClientSecret === "string" || generate(given.oauthClientSecret)) {
    const input: NewOAuthClient = {
      owner: OAUTH_SERVICE_USER,
      scopes: PLATFORM_SCOPES,
      name: "sandbox OAuth client",
    };
    if (typeof given.oauthClientSecret === "string") input.clientSecret = given.oauthClientSecret;
    const client = platform.putOAuthClient(input, now);
    out.oauthClientId = client.clientId;
    out.oauthClientSecret = client.clientSecret;
  }
  return out;
}

/**
 * Revokes (or re-enables) an OAuth client in a database file without starting a server
 * (sandbox-only), e.g. while `dt-tokens-sandbox --db` runs on it. False when the client is unknown.
 */
export function setOAuthClientEnabled(database: string, clientId: string, enabled: boolean): boolean {
  const store = new TokenStore(database);
  try {
    return new PlatformStore(store).setOAuthClientEnabled(clientId, enabled);
  } finally {
    store.close();
  }
}

/** The sandbox-only ActiveGate controls of one environment's store. */
function activeGateControls(store: TokenStore, now: () => number): ActiveGateControls {
  const gates = () => activeGatesOf(store);
  return {
    seedTokens: (tokens) => gates().seedTokens(tokens, now()),
    add: (list) => gates().seedActiveGates(list, now()),
    connect: (id, secret) => gates().connect(id, secret, now()),
    setEnforcement: (enforcement) => gates().setEnforcement(enforcement),
  };
}

/** Seeds tokens into a store in one transaction. */
function seedStore(store: TokenStore, tokens: readonly SeedToken[], now: number): SeededToken[] {
  const { rows, secrets } = seedRows(tokens, now);
  const inserted = store.insertMany(rows);
  return inserted.map((row, i) => ({ ...toApiToken(row), id: row.id, token: secrets[i]! }));
}

/**
 * Seeds tokens into a database file without starting a server (sandbox-only), e.g. before
 * `dt-tokens-sandbox --db` runs on it. Returns each token's metadata and secret.
 */
export function seedTokens(database: string, tokens: readonly SeedToken[]): SeededToken[] {
  const store = new TokenStore(database);
  try {
    return seedStore(store, tokens, Date.now());
  } finally {
    store.close();
  }
}

/**
 * Seeds ActiveGate tokens into a database file without starting a server (sandbox-only), e.g. while
 * `dt-tokens-sandbox --db` runs on it. Returns each token's metadata and secret.
 */
export function seedActiveGateTokens(
  database: string,
  tokens: readonly SeedActiveGateToken[],
): SeededActiveGateToken[] {
  const store = new TokenStore(database);
  try {
    return new ActiveGateStore(store).seedTokens(tokens, Date.now());
  } finally {
    store.close();
  }
}

/**
 * Adds simulated ActiveGates to a database file without starting a server (sandbox-only); each
 * connects with the ActiveGate token secret given as its `token`.
 */
export function addActiveGates(database: string, gates: readonly SeedActiveGate[]): ActiveGate[] {
  const store = new TokenStore(database);
  try {
    return new ActiveGateStore(store).seedActiveGates(gates, Date.now());
  } finally {
    store.close();
  }
}

interface HostedEnvironment {
  id: string;
  store: TokenStore;
  bootstrapToken: string | undefined;
}

/** Opens the database of each hosted environment and ensures its bootstrap token. */
function openEnvironments(options: SandboxOptions, now: number): HostedEnvironment[] {
  const hosted: HostedEnvironment[] = [];
  const created: string[] = [];
  try {
    for (const id of resolveEnvironmentIds(options.environments ?? [])) {
      const path = environmentDatabase(options.database ?? ":memory:", id);
      if (path !== ":memory:" && !existsSync(path)) created.push(path);
      const store = new TokenStore(path);
      hosted.push({ id, store, bootstrapToken: undefined });
      hosted.at(-1)!.bootstrapToken = ensureBootstrap(store, undefined, now).token;
    }
  } catch (error) {
    for (const e of hosted) e.store.close();
    // a start that fails leaves no database it created behind
    for (const path of created)
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
    throw error;
  }
  return hosted;
}

function environmentHandle(e: HostedEnvironment, sandboxUrl: string, now: () => number): SandboxEnvironment {
  const bootstrapId = e.bootstrapToken === undefined ? undefined : tokenIdOf(e.bootstrapToken);
  const url = `${sandboxUrl}/e/${e.id}`;
  return {
    id: e.id,
    url,
    apiBase: `${url}/api/v2`,
    bootstrapToken: e.bootstrapToken,
    seed: (tokens) => seedStore(e.store, tokens, now()),
    reset: () => {
      e.store.deleteAllExcept(bootstrapId ? [bootstrapId] : []);
      activeGatesOf(e.store).reset();
    },
    tokenCount: () => e.store.count(),
    activeGates: activeGateControls(e.store, now),
  };
}

/** Starts a sandbox and resolves once it listens. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? "127.0.0.1";
  const now = options.now ?? Date.now;
  const ids = resolveEnvironmentIds(options.environments ?? []);
  const database = options.database ?? ":memory:";
  const onFile = environmentDatabase(database, "x") !== ":memory:";
  if (onFile) checkFileDescriptors(ids.length);
  const createdDefault = onFile && !existsSync(database);
  const store = new TokenStore(database);
  const ttl = options.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS;
  let bootstrap: { token: string | undefined; generated: boolean };
  let platform: PlatformStore;
  let platformCredentials: PlatformCredentials;
  try {
    if (!Number.isInteger(ttl) || ttl < 1) {
      throw new TypeError(`accessTokenTtlSeconds must be a whole number of seconds, at least 1; got ${ttl}.`);
    }
    bootstrap = ensureBootstrap(store, options.bootstrapToken, now());
    platform = new PlatformStore(store);
    platformCredentials = ensurePlatformCredentials(platform, options, now());
  } catch (error) {
    store.close();
    throw error;
  }
  const bootstrapId = bootstrap.token === undefined ? undefined : tokenIdOf(bootstrap.token);
  let hosted: HostedEnvironment[];
  try {
    hosted = openEnvironments(options, now());
  } catch (error) {
    store.close();
    if (createdDefault)
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${database}${suffix}`, { force: true });
    throw error;
  }
  const state: AppState = {
    store,
    environments: new Map([[store.environmentId, store], ...hosted.map((e) => [e.id, e.store] as const)]),
    now,
    throttle: options.throttle ? new Throttle(options.throttle) : undefined,
    failedAuths: options.throttle ? new Throttle(options.throttle) : undefined,
    faults: options.faults ? new Faults(options.faults) : undefined,
    log: createLogSink(options.log),
    corsOrigins: options.cors?.origins,
    platform,
    accessTokenTtlSeconds: ttl,
    listPages: options.listCache === false ? undefined : new PageCache(),
  };
  const app = createApp(state);
  let info: AddressInfo;
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const headersTimeout = options.timeouts?.headersMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
    const requestTimeout = Math.max(
      headersTimeout,
      options.timeouts?.requestMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    );
    const serverOptions = {
      headersTimeout,
      requestTimeout,
      // how often Node checks those two; its default (30 s) would let a slow client overstay them
      connectionsCheckingInterval: Math.min(1000, Math.ceil(headersTimeout / 2)),
    };
    const s = serve(
      { fetch: app.fetch, hostname: host, port: options.port ?? 0, serverOptions },
      (address) => {
        info = address;
        resolve(s);
      },
    );
    s.once("error", (error) => {
      store.close();
      for (const e of hosted) e.store.close();
      reject(error);
    });
  });
  const port = info!.port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    environmentId: store.environmentId,
    apiBase: `${url}/api/v2`,
    platformApiBase: `${url}/platform/classic/environment-api/v2`,
    platformBase: `${url}/platform/classic/environment-api/v2`,
    tokenUrl: `${url}${SSO_TOKEN_PATH}`,
    accountUrn: platform.accountUrn,
    platformToken: platformCredentials.platformToken,
    oauthClientId: platformCredentials.oauthClientId,
    oauthClientSecret: platformCredentials.oauthClientSecret,
    platformCredentialsGenerated: platformCredentials.generated,
    createPlatformToken: (token) => platform.putPlatformToken(token, now()),
    createOAuthClient: (client) => platform.putOAuthClient(client, now()),
    setPlatformTokenEnabled: (id, enabled) => platform.setPlatformTokenEnabled(id, enabled),
    setOAuthClientEnabled: (id, enabled) => platform.setOAuthClientEnabled(id, enabled, now()),
    host,
    port,
    bootstrapToken: bootstrap.token,
    bootstrapTokenGenerated: bootstrap.generated,
    seed: (tokens) => seedStore(store, tokens, now()),
    reset: () => {
      store.deleteAllExcept(bootstrapId ? [bootstrapId] : []);
      activeGatesOf(store).reset();
    },
    tokenCount: () => store.count(),
    activeGates: activeGateControls(store, now),
    setThrottle: (t) => {
      state.throttle = t ? new Throttle(t) : undefined;
      state.failedAuths = t ? new Throttle(t) : undefined;
    },
    setFaults: (f) => {
      state.faults = f ? new Faults(f) : undefined;
    },
    environments: hosted.map((e) => environmentHandle(e, url, now)),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          store.close();
          for (const e of hosted) e.store.close();
          resolve();
        });
        if ("closeAllConnections" in server) server.closeAllConnections();
      });
      return closing;
    },
  };
}

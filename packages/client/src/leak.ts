/**
 * Leak response as library functions: `locate` finds which environments hold a leaked secret and
 * `contain` switches it off there. Both work through each environment's own (admin) client and
 * never authenticate with the leaked secret: that would overwrite its last-use evidence (date and IP
 * address). Browser-safe, no `node:` imports; the CLI's `dt-tokens leak` is built on them.
 *
 * Locating asks by id first (the public part, `GET /apiTokens/{id}`), and sends the secret
 * (`POST /apiTokens/lookup`) only to the environments where that id exists, to confirm that the
 * leaked text is that token's secret and not a made-up one with a real id.
 *
 * An ActiveGate token (`dt0g02`) has no lookup: `locateActiveGateToken` asks by id only (the secret
 * is sent nowhere) and reads which ActiveGates use it (`GET /activeGates`), because it cannot be
 * disabled and deleting it cuts those ActiveGates off; `containActiveGateToken` deletes it.
 */
import {
  type ActiveGate,
  type ActiveGateToken,
  type ApiToken,
  parseSecret,
  parseSecretId,
  type SecretKind,
  secretHome,
} from "@dt-tokens/types";
import type { ActiveGateTokensClient } from "./activegate.js";
import { AbortError, ApiTokensError, NotFoundError } from "./errors.js";
import { expected } from "./invalid-input.js";
import type { ApiTokensClient } from "./types.js";

/** An environment to look in: a name for the report, and its admin client (made when first needed). */
export interface LeakEnvironment {
  name: string;
  /** The environment's API-tokens client with an admin credential (apiTokens.read, and .write to contain). */
  apiTokens: ApiTokensClient | (() => ApiTokensClient | Promise<ApiTokensClient>);
  /**
   * Its ActiveGate-tokens client with an admin credential (activeGateTokenManagement.read and
   * activeGates.read, and activeGateTokenManagement.write to delete); needed to locate ActiveGate tokens.
   */
  activeGateTokens?:
    | ActiveGateTokensClient
    | (() => ActiveGateTokensClient | Promise<ActiveGateTokensClient>);
}

/** What one environment answered about a leaked secret. */
export type EnvironmentAnswer =
  /** The id exists and the secret is its secret: `token` is its metadata (from lookup). */
  | { environment: string; status: "found"; token: ApiToken }
  /** No token with this id. */
  | { environment: string; status: "absent" }
  /** A token with this id exists, but the leaked text is not its secret (nothing to contain). */
  | { environment: string; status: "mismatch" }
  /** The environment could not be asked (down, credential refused, ...): `error` says why. */
  | { environment: string; status: "failed"; error: unknown };

/** Where a leaked secret was looked for and what each environment answered. */
export interface Location {
  kind: SecretKind;
  /** `<prefix>.<public part>`; undefined for a JWT. */
  id: string | undefined;
  /**
   * `located`: environments were asked (see `answers`); `account`: the kind lives in Account
   * Management (platform tokens, OAuth clients, access tokens), which no environment API manages;
   * `unsupported`: a kind `locate` does not locate (an ActiveGate token: see `locateActiveGateToken`); `unrecognized`: not a whole secret.
   */
  status: "located" | "account" | "unsupported" | "unrecognized";
  answers: EnvironmentAnswer[];
}

export interface LocateOptions {
  /** Environments asked at once (default 16). */
  concurrency?: number;
  signal?: AbortSignal;
  /** Called with each environment's answer as it arrives (for progress). */
  onAnswer?: (answer: EnvironmentAnswer) => void;
}

/** Runs `job` over `items`, `limit` at a time, keeping the order of `items` in the results. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  job: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await job(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

const clientOf = async (env: LeakEnvironment) =>
  typeof env.apiTokens === "function" ? await env.apiTokens() : env.apiTokens;

/** What one environment answered about a token id. */
export type IdAnswer =
  /** A token with this id exists: `token` is its metadata. */
  | { environment: string; status: "present"; token: ApiToken }
  | { environment: string; status: "absent" }
  | { environment: string; status: "failed"; error: unknown };

/** Asks one environment whether a token id exists (`GET /apiTokens/{id}`); never throws but for an abort. */
async function askById(env: LeakEnvironment, id: string, signal: AbortSignal | undefined): Promise<IdAnswer> {
  const environment = env.name;
  try {
    const client = await clientOf(env);
    const token: ApiToken = await client.get(id, signal ? { signal } : {});
    return { environment, status: "present", token };
  } catch (error) {
    if (error instanceof NotFoundError) return { environment, status: "absent" };
    if (error instanceof AbortError) throw error;
    return { environment, status: "failed", error };
  }
}

/** Confirms where the id exists that the leaked text is its secret (`POST /apiTokens/lookup`). */
async function confirm(
  env: LeakEnvironment,
  id: string,
  secret: string,
  signal: AbortSignal | undefined,
): Promise<EnvironmentAnswer> {
  const environment = env.name;
  try {
    const client = await clientOf(env);
    const token: ApiToken = await client.lookup(secret, signal ? { signal } : {});
    return token.id === id ? { environment, status: "found", token } : { environment, status: "mismatch" };
  } catch (error) {
    // Dynatrace answers a secret it does not know with 404 (some versions with 400).
    if (error instanceof NotFoundError) return { environment, status: "mismatch" };
    if (error instanceof ApiTokensError && error.status === 400) return { environment, status: "mismatch" };
    if (error instanceof AbortError) throw error;
    return { environment, status: "failed", error };
  }
}

/**
 * Asks every environment whether an API token id exists, in parallel (`concurrency` at a time),
 * with their own clients; sends no secret. An environment that cannot be asked is a `failed` answer.
 */
export async function locateById(
  id: string,
  environments: readonly LeakEnvironment[],
  options: LocateOptions = {},
): Promise<IdAnswer[]> {
  return mapLimit(environments, options.concurrency ?? 16, (env) => askById(env, id, options.signal));
}

/**
 * Finds which of the environments hold a leaked secret, asking them in parallel with their own
 * clients (never with the secret itself). An environment that cannot be asked is an answer with
 * status `failed`, and the others are still asked. Platform tokens, OAuth client secrets and access
 * tokens live in Account Management: they get status `account` and no environment is asked.
 */
export async function locate(
  secret: string,
  environments: readonly LeakEnvironment[],
  options: LocateOptions = {},
): Promise<Location> {
  const parts = parseSecret(secret);
  if (!parts) return { kind: "unknown", id: undefined, status: "unrecognized", answers: [] };
  const { kind, id } = parts;
  if (secretHome(kind) === "account") return { kind, id, status: "account", answers: [] };
  if (kind !== "api-token" || id === undefined) return { kind, id, status: "unsupported", answers: [] };
  const answers = await mapLimit(environments, options.concurrency ?? 16, async (env) => {
    const byId = await askById(env, id, options.signal);
    const answer: EnvironmentAnswer =
      byId.status === "present" ? await confirm(env, id, secret, options.signal) : byId;
    options.onAnswer?.(answer);
    return answer;
  });
  return { kind, id, status: "located", answers };
}

/** What containing a token does: `disable` (reversible, the token and its record stay) or `delete`. */
export type ContainAction = "disable" | "delete";

/** What containing did in one environment. */
export interface Containment {
  environment: string;
  id: string;
  action: ContainAction;
  /** `done`: it is disabled (or deleted) now; `already`: it was disabled before; `failed`: see `error`. */
  status: "done" | "already" | "failed";
  /** When the change was confirmed (ISO 8601). */
  at: string;
  error?: unknown;
}

export interface ContainOptions {
  /** `disable` (default) or `delete`. */
  action?: ContainAction;
  signal?: AbortSignal;
}

/**
 * Switches off a located API token in its environment with that environment's client: disables it
 * (default; reversible, the token's record and last-use evidence stay) or deletes it. A token found
 * disabled already is left as it is (`already`) unless it is to be deleted.
 */
export async function contain(
  env: LeakEnvironment,
  token: Pick<ApiToken, "id" | "enabled">,
  options: ContainOptions = {},
): Promise<Containment> {
  const action = options.action ?? "disable";
  const id = token.id!;
  const base = { environment: env.name, id, action };
  const at = () => new Date().toISOString();
  if (action === "disable" && token.enabled === false) return { ...base, status: "already", at: at() };
  try {
    const client = await clientOf(env);
    const request = options.signal ? { signal: options.signal } : {};
    if (action === "delete") await client.delete(id, request);
    else await client.update(id, { enabled: false }, request);
    return { ...base, status: "done", at: at() };
  } catch (error) {
    if (error instanceof AbortError) throw error;
    // Deleted in the meantime: what delete was asked to do is done.
    if (action === "delete" && error instanceof NotFoundError) return { ...base, status: "done", at: at() };
    return { ...base, status: "failed", at: at(), error };
  }
}

/** An ActiveGate that uses a located ActiveGate token, from `GET /activeGates` (the ActiveGate join). */
export interface ActiveGateUse {
  id: string | undefined;
  hostname: string | undefined;
  /** The token's state as this ActiveGate reports it: VALID, EXPIRING, INVALID, ... */
  tokenState: string | undefined;
  /** When it went offline (ISO 8601); undefined while it is online. */
  offlineSince: string | undefined;
}

/** What one environment answered about a leaked ActiveGate token's id. */
export type ActiveGateAnswer =
  /**
   * A token with this id exists: `token` is its metadata, `activeGates` those that use it, or
   * undefined when they could not be read (`activeGatesError` says why).
   */
  | {
      environment: string;
      status: "found";
      token: ActiveGateToken;
      activeGates: ActiveGateUse[] | undefined;
      activeGatesError?: unknown;
    }
  | { environment: string; status: "absent" }
  /** The environment could not be asked (down, no ActiveGate client, credential refused, ...). */
  | { environment: string; status: "failed"; error: unknown };

/** Where a leaked ActiveGate token was looked for, by id, and what each environment answered. */
export interface ActiveGateLocation {
  kind: "activegate-token";
  /** `dt0g02.<public part>`. */
  id: string;
  answers: ActiveGateAnswer[];
}

const activeGateClientOf = async (env: LeakEnvironment) => {
  const client =
    typeof env.activeGateTokens === "function" ? await env.activeGateTokens() : env.activeGateTokens;
  if (client === undefined) throw new Error(`${env.name}: no ActiveGate-tokens client was given`);
  return client;
};

/** The ActiveGates of a list that use a token id. */
function usersOf(gates: readonly ActiveGate[], id: string): ActiveGateUse[] {
  return gates.flatMap((gate) =>
    (gate.activeGateTokens ?? [])
      .filter((t) => t.id === id)
      .map((t) => ({
        id: gate.id,
        hostname: gate.hostname,
        tokenState: t.state,
        offlineSince:
          typeof gate.offlineSince === "number" ? new Date(gate.offlineSince).toISOString() : undefined,
      })),
  );
}

/** Asks one environment for an ActiveGate token by id and, where it exists, which ActiveGates use it. */
async function askActiveGate(
  env: LeakEnvironment,
  id: string,
  signal: AbortSignal | undefined,
): Promise<ActiveGateAnswer> {
  const environment = env.name;
  const request = signal ? { signal } : {};
  let client: ActiveGateTokensClient;
  let token: ActiveGateToken;
  try {
    client = await activeGateClientOf(env);
    token = await client.get(id, request);
  } catch (error) {
    if (error instanceof NotFoundError) return { environment, status: "absent" };
    if (error instanceof AbortError) throw error;
    return { environment, status: "failed", error };
  }
  try {
    const gates = await client.activeGates({}, request);
    return { environment, status: "found", token, activeGates: usersOf(gates, id) };
  } catch (error) {
    if (error instanceof AbortError) throw error;
    return { environment, status: "found", token, activeGates: undefined, activeGatesError: error };
  }
}

/**
 * Finds which environments hold a leaked ActiveGate token, by its id (`GET /activeGateTokens/{id}`,
 * in parallel, each with its own admin client), and which ActiveGates use it there (`GET
 * /activeGates`). Dynatrace has no lookup for ActiveGate tokens, so the secret is sent nowhere and
 * the leaked text is not checked against the token: a made-up secret with a real id is found too.
 * Takes the whole secret or its id; anything else is an InvalidInputError.
 */
export async function locateActiveGateToken(
  secretOrId: string,
  environments: readonly LeakEnvironment[],
  options: Omit<LocateOptions, "onAnswer"> & { onAnswer?: (answer: ActiveGateAnswer) => void } = {},
): Promise<ActiveGateLocation> {
  const parts = parseSecret(secretOrId) ?? parseSecretId(secretOrId);
  // never shown: it may be the secret
  if (parts?.kind !== "activegate-token" || parts.id === undefined)
    expected("secretOrId", "an ActiveGate token (dt0g02.<8>.<64>) or its id (dt0g02.<8>)");
  const id = parts.id;
  const answers = await mapLimit(environments, options.concurrency ?? 16, async (env) => {
    const answer = await askActiveGate(env, id, options.signal);
    options.onAnswer?.(answer);
    return answer;
  });
  return { kind: "activegate-token", id, answers };
}

/**
 * Deletes a located ActiveGate token in its environment (it cannot be disabled). This cuts off every
 * ActiveGate that uses it (see `ActiveGateAnswer.activeGates`): call it only when they have moved to
 * another token, or when cutting them off is the lesser harm. A token already gone counts as done.
 */
export async function containActiveGateToken(
  env: LeakEnvironment,
  id: string,
  options: Pick<ContainOptions, "signal"> = {},
): Promise<Containment> {
  const base = { environment: env.name, id, action: "delete" as const };
  const at = () => new Date().toISOString();
  try {
    const client = await activeGateClientOf(env);
    await client.delete(id, options.signal ? { signal: options.signal } : {});
    return { ...base, status: "done", at: at() };
  } catch (error) {
    if (error instanceof AbortError) throw error;
    if (error instanceof NotFoundError) return { ...base, status: "done", at: at() };
    return { ...base, status: "failed", at: at(), error };
  }
}

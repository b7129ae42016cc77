/**
 * Leak response as library functions: `locate` finds which environments hold a leaked secret and
 * `contain` switches it off there. Both work through each environment's own (admin) client and
 * never authenticate with the leaked secret: that would overwrite its last-use evidence (date and IP
 * address). Browser-safe, no `node:` imports; the CLI's `dt-tokens leak` is built on them.
 *
 * Locating asks by id first (the public part, `GET /apiTokens/{id}`), and sends the secret
 * (`POST /apiTokens/lookup`) only to the environments where that id exists, to confirm that the
 * leaked text is that token's secret and not a made-up one with a real id.
 */
import { type ApiToken, parseSecret, type SecretKind, secretHome } from "@dt-tokens/types";
import { AbortError, ApiTokensError, NotFoundError } from "./errors.js";
import type { ApiTokensClient } from "./types.js";

/** An environment to look in: a name for the report, and its admin client (made when first needed). */
export interface LeakEnvironment {
  name: string;
  /** The environment's API-tokens client with an admin credential (apiTokens.read, and .write to contain). */
  apiTokens: ApiTokensClient | (() => ApiTokensClient | Promise<ApiTokensClient>);
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
   * `unsupported`: a kind this library cannot locate yet; `unrecognized`: not a whole secret.
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

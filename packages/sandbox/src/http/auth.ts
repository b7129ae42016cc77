/**
 * Authentication: one step per API prefix turns a request into a Caller (who is calling, with
 * which scopes) or a 401. `/api/v2` and its aliases take `Api-Token`; a prefix that accepts
 * another scheme (`Bearer`) gets its own step producing the same Caller.
 */
import { getConnInfo } from "@hono/node-server/conninfo";
import { createMiddleware } from "hono/factory";
import { HttpError } from "../errors.js";
import { secretMatches, tokenIdOf } from "../secrets.js";
import type { TokenRow } from "../store.js";
import type { AppState, Caller, Ctx, Env } from "./context.js";

const SCOPE_TITLES = { "apiTokens.read": "Read API tokens", "apiTokens.write": "Write API tokens" } as const;
type ApiTokensScope = keyof typeof SCOPE_TITLES;

/** The client's IP address (IPv4-mapped IPv6 as plain IPv4), or null outside a Node server. */
function clientAddress(c: Ctx): string | null {
  if (!c.env?.incoming) return null;
  try {
    const address = getConnInfo(c).remote.address;
    if (!address) return null;
    return address.startsWith("::ffff:") ? address.slice(7) : address;
  } catch {
    return null;
  }
}

const API_TOKEN_HEADER = /^api-token\s+(\S+)$/i;

/** The credential of a request: the `Authorization: Api-Token` header wins over `api-token` in the query. */
function apiTokenCredential(c: Ctx): string {
  const header = c.req.header("authorization")?.trim();
  if (header !== undefined && header !== "") {
    const match = API_TOKEN_HEADER.exec(header);
    if (!match) {
      throw new HttpError(401, "Invalid authorization header: use 'Authorization: Api-Token <token>'.");
    }
    return match[1]!;
  }
  const query = c.req.query("api-token");
  if (query !== undefined && query !== "") return query;
  throw new HttpError(401, "Missing authorization parameter.");
}

/**
 * Runs an authentication attempt, counting failures per client address when throttling is on: an
 * address whose failures emptied its bucket gets 429 without its credential being looked at, so a
 * guesser neither spends a token owner's budget nor gets unlimited attempts.
 */
function countingFailures<T>(state: AppState, address: string | null, attempt: () => T): T {
  const limiter = state.failedAuths;
  if (!limiter) return attempt();
  const key = address ?? "unknown";
  const wait = limiter.check(key, Date.now());
  if (wait !== undefined) {
    throw new HttpError(429, `Too many failed authentications from this address. Retry in ${wait} s.`, [], {
      "retry-after": String(wait),
    });
  }
  try {
    return attempt();
  } catch (error) {
    if (error instanceof HttpError && error.status === 401) limiter.take(key, Date.now());
    throw error;
  }
}

function callerOf(row: TokenRow): Caller {
  return {
    id: row.id,
    owner: row.owner,
    personal: row.personal === 1,
    scopes: new Set(JSON.parse(row.scopes) as string[]),
    tokenSeq: row.seq,
  };
}

/** `Api-Token` authentication: a known, enabled, unexpired API token; records its use. */
export function apiTokenAuth(state: AppState) {
  return createMiddleware<Env>(async (c, next) => {
    const address = clientAddress(c);
    const row = countingFailures(state, address, () => {
      const credential = apiTokenCredential(c);
      const id = tokenIdOf(credential);
      const found = id === undefined ? undefined : c.var.store.findById(id);
      if (!found || !secretMatches(found.secret_hash, credential)) {
        throw new HttpError(401, "Token Authentication failed.");
      }
      return found;
    });
    const now = state.now();
    if (row.enabled !== 1) throw new HttpError(401, "Token is disabled.");
    if (row.expiration_ms !== null && row.expiration_ms <= now) throw new HttpError(401, "Token is expired.");
    c.var.store.touch(row.seq, now, address);
    c.set("caller", callerOf(row));
    await next();
  });
}

/** 403 unless the caller holds the scope. */
export function requireScope(scope: ApiTokensScope) {
  return createMiddleware<Env>(async (c, next) => {
    if (!c.var.caller.scopes.has(scope)) {
      throw new HttpError(
        403,
        `Token is missing required scope. Use one of: ${scope} (${SCOPE_TITLES[scope]})`,
      );
    }
    await next();
  });
}

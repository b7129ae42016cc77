/**
 * Authentication: one step per API prefix turns a request into a Caller (who is calling, with
 * which scopes) or a 401. `/api/v2` and `/e/{id}/api/v2` take only `Api-Token`; the platform prefix
 * takes only `Bearer` (platform tokens, OAuth access tokens), as Dynatrace does. A wrong scheme gets
 * a 401 that names the scheme and the prefix to use.
 */
import { getConnInfo } from "@hono/node-server/conninfo";
import { createMiddleware } from "hono/factory";
import { HttpError } from "../errors.js";
import { authenticateBearer } from "../platform-auth.js";
import { secretMatches, tokenIdOf } from "../secrets.js";
import type { TokenRow } from "../store.js";
import type { AppState, Caller, Ctx, Env } from "./context.js";
import { API_TOKEN_SCOPE_TITLES, type RouteScopes } from "./routes.js";

const PLATFORM_PREFIX = "/platform/classic/environment-api/v2";

/** The client's IP address (IPv4-mapped IPv6 as plain IPv4), or null outside a Node server. */
export function clientAddress(c: Ctx): string | null {
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
      throw new HttpError(
        401,
        /^bearer\s/i.test(header)
          ? `Invalid authorization header: this API accepts only 'Authorization: Api-Token <API token>'. Platform tokens and OAuth access tokens (Bearer) are accepted under ${PLATFORM_PREFIX}.`
          : "Invalid authorization header: use 'Authorization: Api-Token <token>'.",
      );
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
    kind: "api-token",
    id: row.id,
    owner: row.owner,
    personal: row.personal === 1,
    scopes: new Set(JSON.parse(row.scopes) as string[]),
    tokenSeq: row.seq,
  };
}

/** `Api-Token` authentication: a known, enabled, unexpired API token (its use is recorded by recordUse). */
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
    c.set("caller", callerOf(row));
    await next();
  });
}

const BEARER_HEADER = /^bearer\s+(\S+)$/i;

/** The credential of a platform request: only `Authorization: Bearer`, never the `api-token` query parameter. */
function bearerCredential(c: Ctx): string {
  const header = c.req.header("authorization")?.trim();
  const match = header ? BEARER_HEADER.exec(header) : null;
  if (match) return match[1]!;
  const hint = `Use 'Authorization: Bearer <platform token or OAuth access token>'; API tokens (Api-Token) are accepted under /api/v2.`;
  if (header) throw new HttpError(401, `Invalid authorization header: this API accepts only Bearer. ${hint}`);
  if (c.req.query("api-token")) {
    throw new HttpError(401, `The api-token query parameter is not accepted here. ${hint}`);
  }
  throw new HttpError(401, `Missing authorization header. ${hint}`);
}

/** `Bearer` authentication: a platform token, or an access token of an OAuth client that is not revoked. */
export function bearerAuth(state: AppState) {
  return createMiddleware<Env>(async (c, next) => {
    const platformCaller = countingFailures(state, clientAddress(c), () =>
      authenticateBearer(state.platform, bearerCredential(c), state.now()),
    );
    c.set("caller", {
      kind: platformCaller.kind,
      id: platformCaller.id,
      owner: platformCaller.owner,
      personal: false,
      scopes: new Set(platformCaller.scopes),
    });
    await next();
  });
}

/** 403 unless the caller holds the scope the route needs under its scheme (null: any caller). */
export function requireScope(scopes: RouteScopes) {
  return createMiddleware<Env>(async (c, next) => {
    const caller = c.var.caller;
    const needed = caller.kind === "api-token" ? scopes.apiToken : scopes.platform;
    const anyOf = needed === null ? [] : typeof needed === "string" ? [needed] : needed;
    if (anyOf.length > 0 && !anyOf.some((scope) => caller.scopes.has(scope))) {
      const named = anyOf.map((scope) => {
        const title = caller.kind === "api-token" ? API_TOKEN_SCOPE_TITLES[scope] : undefined;
        return `${scope}${title === undefined ? "" : ` (${title})`}`;
      });
      throw new HttpError(403, `Token is missing required scope. Use one of: ${named.join(", ")}`);
    }
    await next();
  });
}

/**
 * Records the use of the calling API token (lastUsedDate, lastUsedIpAddress), once the request is
 * authenticated, not throttled and in scope: a refused request writes nothing.
 */
export function recordUse(state: AppState) {
  return createMiddleware<Env>(async (c, next) => {
    const seq = c.var.caller.tokenSeq;
    if (seq !== undefined) c.var.store.touch(seq, state.now(), clientAddress(c));
    await next();
  });
}

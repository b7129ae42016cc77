/** The six operations. Each runs after authentication, throttling, the scope check and body reading. */
import type {
  ApiToken,
  ApiTokenCreate,
  ApiTokenCreated,
  ApiTokenField,
  ApiTokenList,
  ApiTokenUpdate,
} from "@dt-tokens/types";
import type { Handler } from "hono";
import { badRequest, HttpError, quoteInput, type Violation, violation } from "../errors.js";
import type { CachedPage, ShownUse } from "../page-cache.js";
import { encodePageKey } from "../pagekey.js";
import { type ListQuery, parseListQuery } from "../query.js";
import { generateTokenSecret, hashSecret, isTokenId, secretMatches, tokenIdOf } from "../secrets.js";
import { sortValue, type TokenRow, type TokenStore } from "../store.js";
import { columnsOf, FIELD_ORDER, toApiToken } from "../tokens.js";
import type { AppState, Caller, Env } from "./context.js";
import { json, serializedJson } from "./responses.js";
import {
  checkBoolean,
  checkExpirationDate,
  checkName,
  checkPathId,
  checkScopes,
  continuationOf,
} from "./validation.js";

function notFound(id: string): HttpError {
  return new HttpError(404, `Token with ID ${quoteInput(id)} not found.`);
}

/** A personal access token may change only tokens of its own owner. */
function checkOwnership(caller: Caller, target: TokenRow): void {
  if (caller.personal && caller.owner !== target.owner) {
    throw new HttpError(403, "A personal access token can only modify tokens of its own owner.");
  }
}

/** What an API-token page key carries: the query (with its snapshot bound) and the keyset position. */
interface ApiTokensCursor {
  q: ListQuery;
  a: [string | number, number];
}

/**
 * The query of a list request: parsed from the parameters of page one (without its snapshot bound,
 * which listTokens sets), or from its nextPageKey.
 */
function listRequestOf(
  store: TokenStore,
  params: Record<string, string>,
  now: number,
): { query: ListQuery; after?: { value: string | number; seq: number } } {
  const continued = continuationOf<ApiTokensCursor>(store, "apiTokens", params, now);
  if (continued) return { query: continued.q, after: { value: continued.a[0], seq: continued.a[1] } };
  const violations: Violation[] = [];
  const query = parseListQuery(params, now, violations);
  if (violations.length > 0) throw badRequest(violations);
  return { query };
}

/** Whether a query sorts or filters by last use, which every request let through changes. */
function ordersByLastUse(query: ListQuery): boolean {
  return (
    query.sort.field === "lastUsedDate" ||
    query.filter.fromMs !== undefined ||
    query.filter.toMs !== undefined
  );
}

/** Whether a page shows last use (then it is served with newer uses laid over it). */
function showsLastUse(query: ListQuery): boolean {
  return query.fields.includes("lastUsedDate") || query.fields.includes("lastUsedIpAddress");
}

/**
 * A cached page that shows last use, with the newer uses this process recorded since laid over it:
 * the page itself when none is newer, else a copy of its bytes in which only the objects of those
 * tokens are serialized again. Parsing and serializing the whole page instead cost more than
 * computing it (issue #26), and a request authenticated by a token on the page makes that token's
 * use newer on every call.
 */
function withNewerUses(store: TokenStore, query: ListQuery, page: CachedPage): CachedPage {
  const shown = page.shownUses;
  if (!shown) return page;
  const lastUseFields = new Set(LAST_USE_FIELDS.filter((f) => query.fields.includes(f)));
  const pieces: Buffer[] = [];
  const uses: ShownUse[] = [];
  let copiedTo = 0; // the end of the cached bytes already in pieces
  let shift = 0; // how much longer the new body is than the cached one, up to here
  for (const s of shown) {
    // the same rule as for rows read from the database: a last use only ever moves forward
    const row = store.withLastUse({ seq: s.seq, last_used_ms: s.ms, last_used_ip: null });
    if (row.last_used_ms === s.ms) {
      uses.push({ ...s, start: s.start + shift, end: s.end + shift });
      continue;
    }
    const token = JSON.parse(page.body.toString("utf8", s.start, s.end)) as ApiToken;
    // the last-use fields as a fresh page writes them; an address the use lacks stays as shown
    const bytes = Buffer.from(JSON.stringify(inFieldOrder({ ...token, ...toApiToken(row, lastUseFields) })));
    pieces.push(page.body.subarray(copiedTo, s.start), bytes);
    copiedTo = s.end;
    const start = s.start + shift;
    shift += bytes.length - (s.end - s.start);
    uses.push({ seq: s.seq, ms: row.last_used_ms, start, end: start + bytes.length });
  }
  if (pieces.length === 0) return page;
  pieces.push(page.body.subarray(copiedTo));
  return { ...page, body: Buffer.concat(pieces), shownUses: uses };
}

const LAST_USE_FIELDS = ["lastUsedDate", "lastUsedIpAddress"] as const satisfies ApiTokenField[];

/** A token's fields in the order responses show them (the order toApiToken writes them in). */
function inFieldOrder(token: ApiToken): ApiToken {
  const fields = token as Record<string, unknown>;
  return Object.fromEntries(FIELD_ORDER.filter((f) => f in fields).map((f) => [f, fields[f]])) as ApiToken;
}

/**
 * A page's body exactly as JSON.stringify writes it, with the byte range of each token's object in
 * it, so that one token can be serialized again without the others (withNewerUses).
 */
function serializePage(body: ApiTokenList): { bytes: Buffer<ArrayBuffer>; ranges: [number, number][] } {
  const { apiTokens, ...envelope } = body;
  // apiTokens is the last member: the envelope without its closing brace, then the array
  const pieces: Buffer[] = [Buffer.from(`${JSON.stringify(envelope).slice(0, -1)},"apiTokens":[`)];
  const ranges: [number, number][] = [];
  let offset = pieces[0]!.length;
  for (const token of apiTokens!) {
    if (ranges.length > 0) {
      pieces.push(Buffer.from(","));
      offset += 1;
    }
    const bytes = Buffer.from(JSON.stringify(token));
    pieces.push(bytes);
    ranges.push([offset, offset + bytes.length]);
    offset += bytes.length;
  }
  pieces.push(Buffer.from("]}"));
  return { bytes: Buffer.concat(pieces), ranges };
}

/** Reads and serializes one page; on page one, first fixes the snapshot the later pages keep to. */
function computePage(
  store: TokenStore,
  query: ListQuery,
  after: { value: string | number; seq: number } | undefined,
  now: number,
  stamp: string,
): CachedPage {
  if (after === undefined) query.filter.maxSeq = store.maxSeq();
  const rows = store.list({
    filter: query.filter,
    sort: query.sort,
    after,
    limit: query.pageSize + 1,
    columns: columnsOf(query.fields),
  });
  const more = rows.length > query.pageSize;
  const page = more ? rows.slice(0, query.pageSize) : rows;
  let nextPageKey: string | null = null;
  if (more) {
    const last = page[page.length - 1]!;
    const cursor: ApiTokensCursor = { q: query, a: [sortValue(last, query.sort.field), last.seq] };
    nextPageKey = encodePageKey(store, "apiTokens", cursor, now);
  }
  const fields = new Set<ApiTokenField>(query.fields);
  const body: ApiTokenList = {
    totalCount: store.countMatching(query.filter),
    pageSize: query.pageSize,
    nextPageKey,
    apiTokens: page.map((row) => toApiToken(row, fields)),
  };
  if (!showsLastUse(query)) return { stamp, body: Buffer.from(JSON.stringify(body)), computedAt: now };
  const { bytes, ranges } = serializePage(body);
  const shownUses = page.map((row, i) => {
    const [start, end] = ranges[i]!;
    return { seq: row.seq, ms: row.last_used_ms ?? null, start, end };
  });
  return { stamp, body: bytes, computedAt: now, shownUses };
}

/**
 * A page is served from the page cache when the same query (page one: its parameters as parsed,
 * relative times resolved; later pages: the key's query and position) was answered for the same
 * environment under the same data stamp within the last minute (see page-cache.ts).
 */
export function listTokens(state: AppState): Handler<Env> {
  return (c) => {
    const store = c.var.store;
    const now = state.now();
    const { query, after } = listRequestOf(store, c.req.query(), now);
    const cache = state.listPages;
    if (!cache || ordersByLastUse(query)) {
      return serializedJson(c, 200, computePage(store, query, after, now, "").body);
    }
    // the key is taken before computePage sets page one's snapshot bound: the stamp decides it
    const key = `${store.instanceId} ${JSON.stringify([query, after ?? null])}`;
    const stamp = store.dataStamp();
    const cached = cache.get(key, stamp, now);
    if (cached) {
      const served = withNewerUses(store, query, cached);
      if (served !== cached) cache.set(key, served);
      return serializedJson(c, 200, served.body);
    }
    const page = computePage(store, query, after, now, stamp);
    cache.set(key, page);
    return serializedJson(c, 200, page.body);
  };
}

export function createToken(state: AppState): Handler<Env> {
  return (c) => {
    const caller = c.var.caller;
    const body = c.var.body as Partial<Record<keyof ApiTokenCreate, unknown>>;
    const now = state.now();
    const violations: Violation[] = [];
    const name = checkName(body.name, true, violations);
    const scopes = checkScopes(body.scopes, true, violations);
    const personal = checkBoolean("personalAccessToken", body.personalAccessToken, violations);
    const expiration = checkExpirationDate(body.expirationDate, now, violations);
    if (violations.length > 0) throw badRequest(violations);
    const secret = generateTokenSecret();
    const row = c.var.store.insert({
      id: tokenIdOf(secret)!,
      secret_hash: hashSecret(secret),
      name: name!,
      owner: caller.owner,
      personal: personal ? 1 : 0,
      enabled: 1,
      scopes: JSON.stringify(scopes),
      creation_ms: now,
      expiration_ms: expiration,
      last_used_ms: null,
      last_used_ip: null,
      modified_ms: null,
      metadata: null,
    });
    const created: ApiTokenCreated = { id: row.id, token: secret };
    if (row.expiration_ms !== null) created.expirationDate = toApiToken(row).expirationDate!;
    return json(c, 201, created);
  };
}

export const lookupToken: Handler<Env> = (c) => {
  const secret = c.var.body.token;
  if (typeof secret !== "string" || secret === "") {
    throw badRequest([
      violation("token", "PAYLOAD_BODY", "must be a non-empty string: the token secret to look up"),
    ]);
  }
  const id = tokenIdOf(secret);
  const row = id === undefined ? undefined : c.var.store.findById(id);
  if (!row || !secretMatches(row.secret_hash, secret)) {
    throw new HttpError(404, "No token with this secret exists.");
  }
  const result: ApiToken = toApiToken(row);
  return json(c, 200, result);
};

export const getToken: Handler<Env> = (c) => {
  const id = c.req.param("id")!;
  checkPathId(id, false);
  const row = c.var.store.findById(id);
  if (!row) throw notFound(id);
  const result: ApiToken = toApiToken(row);
  return json(c, 200, result);
};

export function updateToken(state: AppState): Handler<Env> {
  return (c) => {
    const caller = c.var.caller;
    const store = c.var.store;
    const id = c.req.param("id")!;
    checkPathId(id, false);
    const body = c.var.body as Partial<Record<keyof ApiTokenUpdate, unknown>>;
    const violations: Violation[] = [];
    const name = checkName(body.name, false, violations);
    const enabled = checkBoolean("enabled", body.enabled, violations);
    const scopes = checkScopes(body.scopes, false, violations);
    if (violations.length > 0) throw badRequest(violations);
    const row = store.findById(id);
    if (!row) throw notFound(id);
    checkOwnership(caller, row);
    if (row.seq === caller.tokenSeq && enabled === false) {
      throw badRequest([
        violation("enabled", "PAYLOAD_BODY", "You can't disable the token you're using for this request."),
      ]);
    }
    const before = [...(JSON.parse(row.scopes) as string[])].sort().join("\n");
    const scopesChanged = scopes !== undefined && [...scopes].sort().join("\n") !== before;
    const nameChanged = name !== undefined && name !== row.name;
    store.update(row.seq, {
      name: name ?? null,
      scopes: scopes === undefined ? null : JSON.stringify(scopes),
      enabled: enabled === undefined ? null : enabled ? 1 : 0,
      modified_ms: nameChanged || scopesChanged ? state.now() : null,
    });
    return c.body(null, 204);
  };
}

export const deleteToken: Handler<Env> = (c) => {
  const caller = c.var.caller;
  const store = c.var.store;
  const param = c.req.param("id")!;
  checkPathId(param, true);
  const bySecret = !isTokenId(param);
  const id = bySecret ? tokenIdOf(param)! : param;
  const row = store.findById(id);
  if (!row || (bySecret && !secretMatches(row.secret_hash, param))) throw notFound(id);
  checkOwnership(caller, row);
  if (row.seq === caller.tokenSeq) {
    throw badRequest([violation("id", "PATH", "You can't delete the token you're using for this request.")]);
  }
  store.delete(row.seq);
  return c.body(null, 204);
};

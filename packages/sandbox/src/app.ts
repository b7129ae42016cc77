/**
 * The HTTP API on Hono, typed by @dt-tokens/types. Served under `/api/v2`,
 * `/platform/classic/environment-api/v2` (Dynatrace's SDK) and `/e/{environmentId}/api/v2` (Managed).
 */

import type {
  ApiToken,
  ApiTokenCreate,
  ApiTokenCreated,
  ApiTokenField,
  ApiTokenList,
  ApiTokenUpdate,
  ErrorEnvelope,
} from "@dt-tokens/types";
import { TOKEN_SCOPES } from "@dt-tokens/types";
import type { HttpBindings } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { type Context, Hono } from "hono";
import { cors } from "hono/cors";
import { badRequest, HttpError, quoteInput, type Violation, violation } from "./errors.js";
import type { Faults } from "./faults.js";
import type { RequestLogEntry } from "./logger.js";
import { safePath } from "./logger.js";
import { decodePageKey, encodePageKey, PAGE_KEY_TTL_MS } from "./pagekey.js";
import { type ListQuery, parseListQuery } from "./query.js";
import { generateTokenSecret, hashSecret, isTokenId, secretMatches, tokenIdOf } from "./secrets.js";
import { sortValue, type TokenRow, type TokenStore } from "./store.js";
import type { Throttle } from "./throttle.js";
import { parseTimeframe, TIMEFRAME_FORMATS } from "./time.js";
import { toApiToken } from "./tokens.js";

export const API_PREFIXES = [
  "/api/v2",
  "/platform/classic/environment-api/v2",
  "/e/:environmentId/api/v2",
] as const;
export const MAX_BODY_BYTES = 1024 * 1024;
const DRAIN_LIMIT = 64 * MAX_BODY_BYTES;
const JSON_TYPE = "application/json; charset=utf-8";
const ASSIGNABLE = new Set<string>(TOKEN_SCOPES);
const MAX_NAME_LENGTH = 1000;

/** The mutable state behind a running sandbox (throttle and faults can change while it runs). */
export interface AppState {
  store: TokenStore;
  now: () => number;
  throttle: Throttle | undefined;
  faults: Faults | undefined;
  log: ((entry: RequestLogEntry) => void) | undefined;
  corsOrigins: readonly string[] | "*" | undefined;
}

type Env = {
  Bindings: Partial<HttpBindings>;
  Variables: { caller: TokenRow; event: RequestLogEntry["event"]; body: Buffer };
};
type Ctx = Context<Env>;

const SCOPE_TITLES = { "apiTokens.read": "Read API tokens", "apiTokens.write": "Write API tokens" } as const;

function json<T extends object>(c: Ctx, status: 200 | 201, body: T): Response {
  return c.body(JSON.stringify(body), status, { "content-type": JSON_TYPE });
}

export function errorResponse(error: HttpError): Response {
  const body: ErrorEnvelope = error.toEnvelope();
  return new Response(JSON.stringify(body), {
    status: error.status,
    headers: { "content-type": JSON_TYPE, ...error.headers },
  });
}

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

/** The credential of a request: the `Authorization: Api-Token` header wins over `api-token` in the query. */
function credentialOf(c: Ctx): string {
  const header = c.req.header("authorization");
  if (header !== undefined && header.trim() !== "") {
    const match = /^api-token\s+(\S+)$/i.exec(header.trim());
    if (!match) {
      throw new HttpError(401, "Invalid authorization header: use 'Authorization: Api-Token <token>'.");
    }
    return match[1]!;
  }
  const query = c.req.query("api-token");
  if (query !== undefined && query !== "") return query;
  throw new HttpError(401, "Missing authorization parameter.");
}

function requireScope(caller: TokenRow, scope: keyof typeof SCOPE_TITLES): void {
  const scopes = JSON.parse(caller.scopes) as string[];
  if (!scopes.includes(scope)) {
    throw new HttpError(
      403,
      `Token is missing required scope. Use one of: ${scope} (${SCOPE_TITLES[scope]})`,
    );
  }
}

/** Reads a JSON object body: 415 for a non-JSON content type, 400 for an empty or malformed body. */
async function readJsonObject(c: Ctx): Promise<Record<string, unknown>> {
  const type = c.req.header("content-type");
  if (type !== undefined && type.trim() !== "") {
    const media = type.split(";")[0]!.trim().toLowerCase();
    if (media !== "application/json" && !/^application\/[a-z0-9.+-]+\+json$/.test(media)) {
      throw new HttpError(
        415,
        `Unsupported content type '${quoteInput(media)}': send application/json; charset=utf-8.`,
      );
    }
  }
  const text = c.get("body")?.toString("utf8") ?? "";
  if (text.trim() === "") {
    throw badRequest([violation("body", "PAYLOAD_BODY", "A JSON request body is required.")]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest([violation("body", "PAYLOAD_BODY", "The request body is not valid JSON.")]);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw badRequest([violation("body", "PAYLOAD_BODY", "The request body must be a JSON object.")]);
  }
  return value as Record<string, unknown>;
}

function checkName(value: unknown, required: boolean, out: Violation[]): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== "string" || value.trim() === "") {
    out.push(violation("name", "PAYLOAD_BODY", "must be a non-empty string"));
    return undefined;
  }
  if (value.length > MAX_NAME_LENGTH) {
    out.push(violation("name", "PAYLOAD_BODY", `must be at most ${MAX_NAME_LENGTH} characters`));
    return undefined;
  }
  return value;
}

function checkScopes(value: unknown, required: boolean, out: Violation[]): string[] | undefined {
  if (value === undefined && !required) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    out.push(violation("scopes", "PAYLOAD_BODY", "must be a non-empty array of scopes"));
    return undefined;
  }
  let ok = true;
  value.forEach((scope, i) => {
    if (typeof scope !== "string" || !ASSIGNABLE.has(scope)) {
      ok = false;
      out.push(
        violation(
          `scopes[${i}]`,
          "PAYLOAD_BODY",
          typeof scope === "string"
            ? `'${quoteInput(scope)}' is not an assignable scope (see TokenScope in the API's OpenAPI document)`
            : "must be a string",
        ),
      );
    }
  });
  return ok ? [...new Set(value as string[])] : undefined;
}

function checkBoolean(name: string, value: unknown, out: Violation[]): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") {
    out.push(violation(name, "PAYLOAD_BODY", "must be true or false"));
    return undefined;
  }
  return value;
}

function checkPathId(id: string, allowSecret: boolean): void {
  if (isTokenId(id) || (allowSecret && tokenIdOf(id) !== undefined)) return;
  throw badRequest([
    violation(
      "id",
      "PATH",
      allowSecret
        ? "must be a token id (dt0c01.<24 characters>) or a token secret"
        : "must be a token id (dt0c01.<24 characters>)",
    ),
  ]);
}

function notFound(id: string): HttpError {
  return new HttpError(404, `Token with ID ${quoteInput(id)} not found.`);
}

/** A personal access token may change only tokens of its own owner. */
function checkOwnership(caller: TokenRow, target: TokenRow): void {
  if (caller.personal === 1 && caller.owner !== target.owner) {
    throw new HttpError(403, "A personal access token can only modify tokens of its own owner.");
  }
}

export function createApp(state: AppState): Hono<Env> {
  const app = new Hono<Env>();

  // Logging (outermost, so that it sees every status).
  app.use("*", async (c, next) => {
    const started = performance.now();
    await next();
    if (!state.log) return;
    const caller = c.get("caller");
    const entry: RequestLogEntry = {
      time: new Date().toISOString(),
      method: c.req.method,
      path: safePath(c.req.path),
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    };
    if (caller) entry.tokenId = caller.id;
    const event = c.get("event");
    if (event) entry.event = event;
    state.log(entry);
  });

  app.use("*", async (c, next) => {
    if (state.corsOrigins === undefined) return next();
    const origins = state.corsOrigins;
    return cors({
      origin: origins === "*" ? "*" : [...origins],
      allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
      allowHeaders: ["Authorization", "Content-Type"],
      exposeHeaders: ["Retry-After"],
      maxAge: 600,
    })(c, next);
  });

  // Bodies are read whole here, before anything else looks at them: over 1 MiB the rest is read and
  // discarded (up to DRAIN_LIMIT) so that the client, done sending, reads a clean 413.
  app.use("*", async (c, next) => {
    const stream = c.req.raw.body;
    if (!stream) return next();
    const reader = stream.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size <= MAX_BODY_BYTES) chunks.push(value);
        else if (size > DRAIN_LIMIT) {
          c.env?.incoming?.socket.destroy();
          break;
        }
      }
    } catch {
      throw new HttpError(400, "The request body could not be read.");
    }
    if (size > MAX_BODY_BYTES) {
      throw new HttpError(413, `The request body is larger than ${MAX_BODY_BYTES} bytes (1 MiB).`);
    }
    c.set("body", Buffer.concat(chunks));
    return next();
  });

  // Faults: decided per request in arrival order. Most hit before anything is processed; an
  // after-commit fault lets the request be processed and then loses its response.
  app.use("*", async (c, next) => {
    const faults = state.faults;
    if (!faults || c.req.method === "OPTIONS") return next();
    const decision = faults.next();
    if (decision.latencyMs > 0) await new Promise((r) => setTimeout(r, decision.latencyMs));
    const injected = (status: number, message: string) =>
      errorResponse(
        new HttpError(
          status,
          message,
          [],
          status === 503 || status === 429 ? { "retry-after": String(faults.retryAfterSeconds) } : {},
        ),
      );
    if (decision.kind === "drop") {
      c.set("event", "fault-drop");
      c.env?.incoming?.socket.destroy();
      return errorResponse(new HttpError(503, "Injected fault: connection dropped."));
    }
    if (decision.kind === "error") {
      c.set("event", "fault-error");
      return injected(decision.status, `Injected fault (sandbox): ${decision.status}.`);
    }
    await next();
    const after = decision.afterCommit;
    if (!after) return;
    c.set("event", "fault-after-commit");
    if (after.kind === "drop") {
      c.env?.incoming?.socket.destroy();
      c.res = errorResponse(new HttpError(503, "Injected fault: connection dropped after processing."));
    } else {
      c.res = injected(after.status, `Injected fault (sandbox, after processing): ${after.status}.`);
    }
  });

  const api = new Hono<Env>();

  // Authentication (+ throttling per credential), then lastUsedDate / lastUsedIpAddress.
  // "/apiTokens/*" matches "/apiTokens" too: one registration covers every route
  api.use("/apiTokens/*", authenticate);
  async function authenticate(c: Ctx, next: () => Promise<void>): Promise<Response | undefined> {
    const allowed = ["GET", "POST", "PUT", "DELETE", "HEAD"];
    if (!allowed.includes(c.req.method)) {
      await next();
      return;
    }
    const credential = credentialOf(c);
    const now = state.now();
    if (state.throttle) {
      const key = tokenIdOf(credential) ?? `h:${hashSecret(credential).toString("base64url")}`;
      const wait = state.throttle.take(key, Date.now());
      if (wait !== undefined) {
        c.set("event", "throttled");
        throw new HttpError(429, `Too many requests: the token is throttled. Retry in ${wait} s.`, [], {
          "retry-after": String(wait),
        });
      }
    }
    const id = tokenIdOf(credential);
    const row = id === undefined ? undefined : state.store.findById(id);
    if (!row || !secretMatches(row.secret_hash, credential)) {
      throw new HttpError(401, "Token Authentication failed.");
    }
    if (row.enabled !== 1) throw new HttpError(401, "Token is disabled.");
    if (row.expiration_ms !== null && row.expiration_ms <= now) throw new HttpError(401, "Token is expired.");
    const ip = clientAddress(c);
    state.store.touch(row.seq, now, ip);
    c.set("caller", { ...row, last_used_ms: now, last_used_ip: ip ?? row.last_used_ip });
    await next();
  }

  api.get("/apiTokens", (c) => {
    const caller = c.get("caller");
    requireScope(caller, "apiTokens.read");
    const now = state.now();
    const params = c.req.query();
    const secret = state.store.pageKeySecret();
    let query: ListQuery;
    let after: { value: string | number; seq: number } | undefined;
    if (params.nextPageKey !== undefined) {
      const others = Object.keys(params).filter((k) => k !== "nextPageKey" && k !== "api-token");
      if (others.length > 0) {
        throw badRequest(
          others.map((k) =>
            violation(
              quoteInput(k),
              "QUERY",
              "must be omitted when nextPageKey is set: the key carries the query",
            ),
          ),
        );
      }
      const decoded = decodePageKey(secret, params.nextPageKey, now);
      if (!decoded.ok) {
        throw badRequest([
          violation(
            "nextPageKey",
            "QUERY",
            decoded.reason === "expired"
              ? `has expired (keys are valid for ${PAGE_KEY_TTL_MS / 60_000} minutes): list again from the first page`
              : "is not a key this sandbox issued: use nextPageKey from the previous page unchanged",
          ),
        ]);
      }
      query = decoded.cursor.query;
      after = decoded.cursor.after;
    } else {
      const violations: Violation[] = [];
      query = parseListQuery(params, now, violations);
      if (violations.length > 0) throw badRequest(violations);
      query.filter.maxSeq = state.store.maxSeq();
    }
    const rows = state.store.list({
      filter: query.filter,
      sort: query.sort,
      after,
      limit: query.pageSize + 1,
    });
    const more = rows.length > query.pageSize;
    const page = more ? rows.slice(0, query.pageSize) : rows;
    const fields = new Set<ApiTokenField>(query.fields);
    let nextPageKey: string | null = null;
    if (more) {
      const last = page[page.length - 1]!;
      nextPageKey = encodePageKey(secret, {
        query,
        after: { value: sortValue(last, query.sort.field), seq: last.seq },
        issuedAt: now,
      });
    }
    const body: ApiTokenList = {
      totalCount: state.store.countMatching(query.filter),
      pageSize: query.pageSize,
      nextPageKey,
      apiTokens: page.map((row) => toApiToken(row, fields)),
    };
    return json(c, 200, body);
  });

  api.post("/apiTokens", async (c) => {
    const caller = c.get("caller");
    requireScope(caller, "apiTokens.write");
    const body = (await readJsonObject(c)) as Partial<Record<keyof ApiTokenCreate, unknown>>;
    const violations: Violation[] = [];
    const name = checkName(body.name, true, violations);
    const scopes = checkScopes(body.scopes, true, violations);
    const personal = checkBoolean("personalAccessToken", body.personalAccessToken, violations);
    const now = state.now();
    let expiration: number | null = null;
    if (body.expirationDate !== undefined && body.expirationDate !== null) {
      const parsed =
        typeof body.expirationDate === "string" ? parseTimeframe(body.expirationDate, now) : undefined;
      if (parsed === undefined) {
        violations.push(
          violation("expirationDate", "PAYLOAD_BODY", `must be ${TIMEFRAME_FORMATS}, e.g. now+14d`),
        );
      } else if (parsed <= now) {
        violations.push(violation("expirationDate", "PAYLOAD_BODY", "must be in the future"));
      } else {
        expiration = parsed;
      }
    }
    if (violations.length > 0) throw badRequest(violations);
    const secretValue = generateTokenSecret();
    const row = state.store.insert({
      id: tokenIdOf(secretValue)!,
      secret_hash: hashSecret(secretValue),
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
    const created: ApiTokenCreated = { id: row.id, token: secretValue };
    if (row.expiration_ms !== null) created.expirationDate = toApiToken(row).expirationDate!;
    return json(c, 201, created);
  });

  api.post("/apiTokens/lookup", async (c) => {
    const body = await readJsonObject(c);
    if (typeof body.token !== "string" || body.token === "") {
      throw badRequest([
        violation("token", "PAYLOAD_BODY", "must be a non-empty string: the token secret to look up"),
      ]);
    }
    const id = tokenIdOf(body.token);
    const row = id === undefined ? undefined : state.store.findById(id);
    if (!row || !secretMatches(row.secret_hash, body.token)) {
      throw new HttpError(404, "No token with this secret exists.");
    }
    const caller = c.get("caller");
    const result: ApiToken = toApiToken(row.seq === caller.seq ? caller : row);
    return json(c, 200, result);
  });

  api.get("/apiTokens/:id", (c) => {
    requireScope(c.get("caller"), "apiTokens.read");
    const id = c.req.param("id");
    checkPathId(id, false);
    const caller = c.get("caller");
    const row = id === caller.id ? caller : state.store.findById(id);
    if (!row) throw notFound(id);
    const result: ApiToken = toApiToken(row);
    return json(c, 200, result);
  });

  api.put("/apiTokens/:id", async (c) => {
    const caller = c.get("caller");
    requireScope(caller, "apiTokens.write");
    const id = c.req.param("id");
    checkPathId(id, false);
    const body = (await readJsonObject(c)) as Partial<Record<keyof ApiTokenUpdate, unknown>>;
    const violations: Violation[] = [];
    const name = checkName(body.name, false, violations);
    const enabled = checkBoolean("enabled", body.enabled, violations);
    const scopes = checkScopes(body.scopes, false, violations);
    if (violations.length > 0) throw badRequest(violations);
    const row = state.store.findById(id);
    if (!row) throw notFound(id);
    checkOwnership(caller, row);
    if (row.seq === caller.seq && enabled === false) {
      throw badRequest([
        violation("enabled", "PAYLOAD_BODY", "You can't disable the token you're using for this request."),
      ]);
    }
    const patch: Parameters<TokenStore["update"]>[1] = {};
    let modified = false;
    if (name !== undefined && name !== row.name) {
      patch.name = name;
      modified = true;
    }
    if (scopes !== undefined) {
      const before = [...(JSON.parse(row.scopes) as string[])].sort();
      const after = [...scopes].sort();
      if (before.join("\n") !== after.join("\n")) modified = true;
      patch.scopes = JSON.stringify(scopes);
    }
    if (enabled !== undefined) patch.enabled = enabled ? 1 : 0;
    if (modified) patch.modified_ms = state.now();
    state.store.update(row.seq, patch);
    return c.body(null, 204);
  });

  api.delete("/apiTokens/:id", (c) => {
    const caller = c.get("caller");
    requireScope(caller, "apiTokens.write");
    const param = c.req.param("id");
    checkPathId(param, true);
    const bySecret = !isTokenId(param);
    const id = bySecret ? tokenIdOf(param)! : param;
    const row = state.store.findById(id);
    if (!row || (bySecret && !secretMatches(row.secret_hash, param))) throw notFound(id);
    checkOwnership(caller, row);
    if (row.seq === caller.seq) {
      throw badRequest([
        violation("id", "PATH", "You can't delete the token you're using for this request."),
      ]);
    }
    state.store.delete(row.seq);
    return c.body(null, 204);
  });

  // Known paths with other methods: 405 with Allow.
  const methodNotAllowed = (allow: string) => (c: Ctx) => {
    throw new HttpError(
      405,
      `Method ${quoteInput(c.req.method)} is not allowed here. Allowed: ${allow}.`,
      [],
      {
        allow,
      },
    );
  };
  api.all("/apiTokens", methodNotAllowed("GET, POST"));
  api.all("/apiTokens/lookup", methodNotAllowed("POST"));
  api.all("/apiTokens/:id", methodNotAllowed("GET, PUT, DELETE"));

  for (const prefix of API_PREFIXES) app.route(prefix, api);

  app.notFound((c) =>
    errorResponse(
      new HttpError(
        404,
        `No such resource: ${c.req.method} ${safePath(c.req.path)}. The API is served under /api/v2/apiTokens and /platform/classic/environment-api/v2/apiTokens.`,
      ),
    ),
  );
  app.onError((err) => {
    if (err instanceof HttpError) return errorResponse(err);
    return errorResponse(new HttpError(500, "Internal error in the sandbox."));
  });

  return app;
}

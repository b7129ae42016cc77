/**
 * ActiveGate tokens (list, create, get, delete), the ActiveGates that use them (GET /activeGates,
 * /activeGates/{agId}) and the enforcement status. Each runs after authentication, throttling, the
 * scope check and body reading, like the API-token operations.
 */
import {
  ACTIVEGATE_TOKENS_PAGE_SIZE,
  type ActiveGate,
  type ActiveGateList,
  type ActiveGateTokenCreate,
  type ActiveGateTokenCreated,
  type ActiveGateTokenList,
  type ActiveGateTokenState,
} from "@dt-tokens/types";
import type { Handler } from "hono";
import {
  activeGatesOf,
  activeGateTokenIdOf,
  isActiveGateTokenId,
  MAX_LIFETIME_MS,
  toActiveGateToken,
} from "../activegates.js";
import { badRequest, HttpError, quoteInput, type Violation, violation } from "../errors.js";
import { encodePageKey } from "../pagekey.js";
import { formatDate } from "../time.js";
import type { AppState, Env } from "./context.js";
import { json } from "./responses.js";
import { checkBoolean, checkExpirationDate, checkName, continuationOf } from "./validation.js";

const TYPES = ["ENVIRONMENT", "CLUSTER"] as const;

/** What an ActiveGate-token page key carries: page size, snapshot bound, keyset position. */
interface AgCursor {
  p: number;
  m: number;
  a?: [number, number];
}

/** The page size of page one: absent is the default; otherwise a whole number in range. */
function pageSizeOf(value: string | undefined): number {
  const { minimum: min, maximum: max } = ACTIVEGATE_TOKENS_PAGE_SIZE;
  if (value === undefined) return ACTIVEGATE_TOKENS_PAGE_SIZE.default;
  const n = /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= min && n <= max)) {
    throw badRequest([
      violation(
        "pageSize",
        "QUERY",
        `must be a whole number from ${min} to ${max}, got '${quoteInput(value)}'`,
      ),
    ]);
  }
  return n;
}

export function listActiveGateTokens(state: AppState): Handler<Env> {
  return (c) => {
    const store = c.var.store;
    const tokens = activeGatesOf(store);
    const now = state.now();
    const params = c.req.query();
    const cursor = continuationOf<AgCursor>(store, "activeGateTokens", params, now) ?? {
      p: pageSizeOf(params.pageSize),
      m: tokens.maxSeq(),
    };
    const rows = tokens.page(cursor.m, cursor.a, cursor.p + 1);
    const more = rows.length > cursor.p;
    const page = more ? rows.slice(0, cursor.p) : rows;
    const last = page.at(-1);
    const body: ActiveGateTokenList = {
      totalCount: tokens.count(cursor.m),
      pageSize: cursor.p,
      nextPageKey:
        more && last
          ? encodePageKey<AgCursor>(
              store,
              "activeGateTokens",
              { p: cursor.p, m: cursor.m, a: [last.creation_ms, last.seq] },
              now,
            )
          : null,
      activeGateTokens: page.map(toActiveGateToken),
    };
    return json(c, 200, body);
  };
}

export function createActiveGateToken(state: AppState): Handler<Env> {
  return (c) => {
    const body = c.var.body as Partial<Record<keyof ActiveGateTokenCreate, unknown>>;
    const now = state.now();
    const violations: Violation[] = [];
    const name = checkName(body.name, true, violations);
    const type = body.activeGateType;
    if (typeof type !== "string" || !(TYPES as readonly string[]).includes(type)) {
      violations.push(violation("activeGateType", "PAYLOAD_BODY", `must be one of ${TYPES.join(", ")}`));
    }
    const seed = checkBoolean("seedToken", body.seedToken, violations);
    const expiration = checkExpirationDate(body.expirationDate, now, violations);
    if (expiration !== null && expiration - now > MAX_LIFETIME_MS) {
      violations.push(
        violation("expirationDate", "PAYLOAD_BODY", "must not be more than 2 years in the future"),
      );
    }
    if (violations.length > 0) throw badRequest(violations);
    const { row, secret } = activeGatesOf(c.var.store).create(
      {
        name: name!,
        owner: c.var.caller.owner,
        type: type as (typeof TYPES)[number],
        seed: seed ?? false,
        expiration_ms: expiration,
      },
      now,
    );
    const created: ActiveGateTokenCreated = { id: row.id, token: secret };
    if (row.expiration_ms !== null) created.expirationDate = formatDate(row.expiration_ms);
    return json(c, 201, created);
  };
}

/** The path's token id: 400 unless it is `dt0g02.<8 characters>`. */
function pathTokenId(value: string): string {
  if (isActiveGateTokenId(value)) return value;
  throw badRequest([
    violation(
      "activeGateTokenIdentifier",
      "PATH",
      activeGateTokenIdOf(value) !== undefined
        ? "must be the token's id (dt0g02.<8 characters>), not its secret"
        : "must be an ActiveGate token id (dt0g02.<8 characters>)",
    ),
  ]);
}

function tokenNotFound(id: string): HttpError {
  return new HttpError(404, `ActiveGate token with ID ${quoteInput(id)} not found.`);
}

export const getActiveGateToken: Handler<Env> = (c) => {
  const id = pathTokenId(c.req.param("activeGateTokenIdentifier")!);
  const row = activeGatesOf(c.var.store).findById(id);
  if (!row) throw tokenNotFound(id);
  return json(c, 200, toActiveGateToken(row));
};

export const deleteActiveGateToken: Handler<Env> = (c) => {
  const id = pathTokenId(c.req.param("activeGateTokenIdentifier")!);
  const tokens = activeGatesOf(c.var.store);
  const row = tokens.findById(id);
  if (!row) throw tokenNotFound(id);
  tokens.delete(row.seq);
  return c.body(null, 204);
};

const STATES: readonly ActiveGateTokenState[] = [
  "ABSENT",
  "EXPIRING",
  "INVALID",
  "UNKNOWN",
  "UNSUPPORTED",
  "VALID",
];

/** The filters of GET /activeGates the sandbox applies, by name. */
const FILTERS: Record<string, (gate: ActiveGate, value: string, expirationSet: () => boolean) => boolean> = {
  hostname: (g, v) => (g.hostname ?? "").toLowerCase().includes(v.toLowerCase()),
  osType: (g, v) => g.osType === v,
  type: (g, v) => g.type === v,
  networkZone: (g, v) => (g.networkZone ?? "").toLowerCase().includes(v.toLowerCase()),
  group: (g, v) => (g.group ?? "").toLowerCase().includes(v.toLowerCase()),
  online: (g, v) => (g.offlineSince == null) === (v === "true"),
  containerized: (g, v) => g.containerized === (v === "true"),
  tokenState: (g, v) => (g.activeGateTokens ?? []).some((t) => t.state === v),
  tokenExpirationSet: (_g, v, expirationSet) => expirationSet() === (v === "true"),
};
const BOOLEAN_FILTERS = new Set(["online", "containerized", "tokenExpirationSet"]);
/** Filters Dynatrace documents that the sandbox does not simulate: a 400 says so instead of ignoring them. */
const UNSIMULATED = [
  "osArchitecture",
  "networkAddress",
  "loadBalancerAddress",
  "updateStatus",
  "versionCompareType",
  "version",
  "autoUpdate",
  "enabledModule",
  "disabledModule",
];

export function listActiveGates(state: AppState): Handler<Env> {
  return (c) => {
    const gates = activeGatesOf(c.var.store);
    const params = c.req.query();
    const violations: Violation[] = [];
    for (const [name, value] of Object.entries(params)) {
      if (UNSIMULATED.includes(name)) {
        violations.push(
          violation(name, "QUERY", "is a Dynatrace filter that this sandbox does not simulate"),
        );
      } else if (BOOLEAN_FILTERS.has(name) && value !== "true" && value !== "false") {
        violations.push(violation(name, "QUERY", "must be true or false"));
      } else if (name === "tokenState" && !(STATES as readonly string[]).includes(value)) {
        violations.push(violation(name, "QUERY", `must be one of ${STATES.join(", ")}`));
      }
    }
    if (violations.length > 0) throw badRequest(violations);
    const all = gates.gates(state.now());
    const chosen = all.filter((gate) =>
      Object.entries(params).every(([name, value]) => {
        const filter = FILTERS[name];
        return !filter || filter(gate, value, () => gates.tokenExpirationSet(gate));
      }),
    );
    const body: ActiveGateList = { activeGates: chosen };
    return json(c, 200, body);
  };
}

export function getActiveGate(state: AppState): Handler<Env> {
  return (c) => {
    const id = c.req.param("agId")!;
    const gate = activeGatesOf(c.var.store).gate(id, state.now());
    if (!gate) throw new HttpError(404, `ActiveGate with ID ${quoteInput(id)} not found.`);
    return json(c, 200, gate);
  };
}

export const getTokenEnforcement: Handler<Env> = (c) =>
  json(c, 200, activeGatesOf(c.var.store).enforcement());

/**
 * Sandbox-only: an ActiveGate connects with the secret in `Authorization: Api-Token <dt0g02 secret>`,
 * as one restarted with a new `authorization.properties` does. No other credential is needed (the
 * ActiveGate authenticates with its token); an unknown or wrong secret leaves it INVALID.
 */
export function connectActiveGate(state: AppState): Handler<Env> {
  return (c) => {
    const id = c.req.param("agId")!;
    const header = c.req.header("authorization")?.trim() ?? "";
    const secret = /^api-token\s+(\S+)$/i.exec(header)?.[1];
    if (secret === undefined || activeGateTokenIdOf(secret) === undefined) {
      throw new HttpError(
        401,
        "An ActiveGate connects with 'Authorization: Api-Token <ActiveGate token>' (dt0g02.<8 characters>.<64 characters>).",
      );
    }
    const gate = activeGatesOf(c.var.store).connect(id, secret, state.now());
    if (!gate) throw new HttpError(404, `ActiveGate with ID ${quoteInput(id)} not found.`);
    return json(c, 200, gate);
  };
}

/**
 * The routes of the API-tokens API and the scope each one needs, per authentication scheme: one
 * table, read by the app (which mounts it under every prefix) and mirrored by the README's table
 * (a test checks the README against the running bin, row by row). A route added here gets its
 * authentication, throttling, scope check and last-use recording from the table.
 */
import type { Handler } from "hono";
import {
  createActiveGateToken,
  deleteActiveGateToken,
  getActiveGate,
  getActiveGateToken,
  getTokenEnforcement,
  listActiveGates,
  listActiveGateTokens,
} from "./activegate-handlers.js";
import type { AppState, Env } from "./context.js";
import { createToken, deleteToken, getToken, listTokens, lookupToken, updateToken } from "./handlers.js";

/**
 * What a route needs from the caller: a scope, one of several scopes (a list), or `null` for any
 * caller that authenticates.
 */
export interface RouteScopes {
  /** Under `/api/v2` and `/e/{environmentId}/api/v2`: an API-token scope (`Api-Token`). */
  apiToken: string | readonly string[] | null;
  /** Under `/platform/classic/environment-api/v2`: a platform scope (`Bearer`). */
  platform: string | readonly string[] | null;
}

export interface Route {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Relative to the prefix; `:id` is a path parameter. */
  path: string;
  scopes: RouteScopes;
  /** Whether the route reads a JSON body. */
  body: boolean;
  handler: (state: AppState) => Handler<Env>;
}

/** The titles Dynatrace shows next to an API-token scope in a 403. */
export const API_TOKEN_SCOPE_TITLES: Readonly<Record<string, string>> = {
  "apiTokens.read": "Read API tokens",
  "apiTokens.write": "Write API tokens",
  "activeGateTokenManagement.read": "Read ActiveGate tokens",
  "activeGateTokenManagement.create": "Create ActiveGate tokens",
  "activeGateTokenManagement.write": "Write ActiveGate tokens",
  "activeGates.read": "Read ActiveGates",
};

const READ: RouteScopes = { apiToken: "apiTokens.read", platform: "environment-api:api-tokens:read" };
const WRITE: RouteScopes = { apiToken: "apiTokens.write", platform: "environment-api:api-tokens:write" };
// ActiveGate tokens: the platform scopes are the ones Dynatrace's SDK documents for these operations.
const AG_READ: RouteScopes = {
  apiToken: "activeGateTokenManagement.read",
  platform: "environment-api:activegate-tokens:read",
};
const AG_CREATE: RouteScopes = {
  apiToken: ["activeGateTokenManagement.create", "activeGateTokenManagement.write"],
  platform: ["environment-api:activegate-tokens:create", "environment-api:activegate-tokens:write"],
};
const AG_WRITE: RouteScopes = {
  apiToken: "activeGateTokenManagement.write",
  platform: "environment-api:activegate-tokens:write",
};
// The SDK documents environment-api:activegates:read for GET /activeGates; for tokenEnforcement,
// which it has no method for, the same scope is decided here (classic: activeGates.read for both).
const GATES_READ: RouteScopes = {
  apiToken: "activeGates.read",
  platform: "environment-api:activegates:read",
};

/**
 * Every route, in matching order (`/apiTokens/lookup` before `/apiTokens/:id`, which would take
 * "lookup" for an id), the routes of one path next to each other (its other methods get a 405). Lookup with an API token needs no scope (any valid token may look one up,
 * decided here); on the platform it needs the read scope, as Dynatrace's SDK documents.
 */
export const ROUTES: readonly Route[] = [
  { method: "GET", path: "/apiTokens", scopes: READ, body: false, handler: listTokens },
  { method: "POST", path: "/apiTokens", scopes: WRITE, body: true, handler: createToken },
  {
    method: "POST",
    path: "/apiTokens/lookup",
    scopes: { apiToken: null, platform: READ.platform },
    body: true,
    handler: () => lookupToken,
  },
  { method: "GET", path: "/apiTokens/:id", scopes: READ, body: false, handler: () => getToken },
  { method: "PUT", path: "/apiTokens/:id", scopes: WRITE, body: true, handler: updateToken },
  { method: "DELETE", path: "/apiTokens/:id", scopes: WRITE, body: false, handler: () => deleteToken },
  { method: "GET", path: "/activeGateTokens", scopes: AG_READ, body: false, handler: listActiveGateTokens },
  {
    method: "POST",
    path: "/activeGateTokens",
    scopes: AG_CREATE,
    body: true,
    handler: createActiveGateToken,
  },
  {
    method: "GET",
    path: "/activeGateTokens/:activeGateTokenIdentifier",
    scopes: AG_READ,
    body: false,
    handler: () => getActiveGateToken,
  },
  {
    method: "DELETE",
    path: "/activeGateTokens/:activeGateTokenIdentifier",
    scopes: AG_WRITE,
    body: false,
    handler: () => deleteActiveGateToken,
  },
  // before /activeGates/:agId, which would take "tokenEnforcement" for an id
  {
    method: "GET",
    path: "/activeGates/tokenEnforcement",
    scopes: GATES_READ,
    body: false,
    handler: () => getTokenEnforcement,
  },
  { method: "GET", path: "/activeGates", scopes: GATES_READ, body: false, handler: listActiveGates },
  { method: "GET", path: "/activeGates/:agId", scopes: GATES_READ, body: false, handler: getActiveGate },
];

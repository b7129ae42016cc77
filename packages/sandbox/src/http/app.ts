/**
 * The HTTP API on Hono: the routes and their middleware. Served under `/api/v2`,
 * `/platform/classic/environment-api/v2` (Dynatrace's platform and SDK) and `/e/{environmentId}/api/v2`
 * (Managed); the SSO token endpoint at `/sso/oauth2/token`.
 */
import { Hono, type MiddlewareHandler } from "hono";
import { every } from "hono/combine";
import { createMiddleware } from "hono/factory";
import { HttpError, quoteInput } from "../errors.js";
import { SSO_TOKEN_PATH } from "../sso.js";
import { connectActiveGate } from "./activegate-handlers.js";
import { apiTokenAuth, bearerAuth, recordUse, requireScope } from "./auth.js";
import { jsonBody } from "./body.js";
import type { AppState, Env } from "./context.js";
import {
  corsFor,
  injectFaults,
  methodNotAllowed,
  notFound,
  onError,
  requestLog,
  throttleCaller,
} from "./middleware.js";
import { eachQueryParameterOnce } from "./query-once.js";
import { ROUTES } from "./routes.js";
import { ssoToken } from "./sso.js";

export function createApp(state: AppState): Hono<Env> {
  const app = new Hono<Env>();
  app.use("*", requestLog(state), corsFor(state), injectFaults(state));
  app.route("/api/v2", tokensApi(state, apiTokenAuth(state)));
  app.route("/platform/classic/environment-api/v2", tokensApi(state, bearerAuth(state)));
  app.route("/e/:environmentId/api/v2", tokensApi(state, apiTokenAuth(state)));
  app.route("/sandbox", sandboxApi(state));
  app.route("/e/:environmentId/sandbox", sandboxApi(state));
  app.all(SSO_TOKEN_PATH, ssoToken(state));
  app.notFound(notFound);
  app.onError(onError);
  return app;
}

/**
 * The API-tokens routes under one prefix, from the route table. `authenticate` is the prefix's auth
 * step: it turns the request into a Caller (or a 401) before anything costly happens (throttling,
 * bodies, queries). A request is refused (401, 429, 400 for a repeated parameter, 403) before its
 * use is recorded: a refused request writes nothing.
 */
function tokensApi(state: AppState, authenticate: MiddlewareHandler<Env>): Hono<Env> {
  const api = new Hono<Env>();
  const caller = every(environment(state), authenticate, throttleCaller(state), eachQueryParameterOnce);
  ROUTES.forEach((route, i) => {
    const steps: MiddlewareHandler<Env>[] = [caller, requireScope(route.scopes), recordUse(state)];
    if (route.body) steps.push(jsonBody);
    api.on(route.method, route.path, every(...steps), route.handler(state));
    // after a path's last route, its other methods are a 405 (before a later path can match them)
    if (ROUTES[i + 1]?.path !== route.path) {
      const methods = ROUTES.filter((r) => r.path === route.path).map((r) => r.method);
      api.all(route.path, methodNotAllowed(methods.join(", ")));
    }
  });
  return api;
}

/**
 * Sandbox-only routes (no Dynatrace counterpart): `POST /sandbox/activeGates/{agId}/connect` makes a
 * simulated ActiveGate connect with the ActiveGate token in `Authorization: Api-Token <dt0g02…>`, as
 * one restarted with a new `authorization.properties` would (under `/e/{environmentId}/sandbox` for
 * a hosted environment).
 */
function sandboxApi(state: AppState): Hono<Env> {
  const api = new Hono<Env>();
  api.post("/activeGates/:agId/connect", environment(state), connectActiveGate(state));
  api.all("/activeGates/:agId/connect", methodNotAllowed("POST"));
  return api;
}

/**
 * The environment a request addresses: its token store. `/e/{environmentId}` picks an environment
 * by its own id (an unknown id is a 404, before any authentication: it names no id the sandbox
 * serves); the other prefixes address the default environment.
 */
function environment(state: AppState) {
  return createMiddleware<Env>(async (c, next) => {
    const id = c.req.param("environmentId");
    if (id === undefined) c.set("store", state.store);
    else {
      const store = state.environments.get(id);
      if (!store)
        throw new HttpError(
          404,
          `No environment "${quoteInput(id)}" in this sandbox: use an environment id from its ready line (environmentId, environments[].id).`,
        );
      c.set("store", store);
    }
    await next();
  });
}

/** The middleware around the API: request log, CORS, fault injection, throttling, errors. */

import type { ErrorHandler, NotFoundHandler } from "hono";
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { HttpError, quoteInput } from "../errors.js";
import { type RequestLogEntry, safePath } from "../logger.js";
import { redactSecrets } from "../secrets.js";
import { isBusy } from "../sqlite-busy.js";
import type { AppState, Env } from "./context.js";
import { errorResponse } from "./responses.js";

/** One log entry per request (outermost, so that it sees every status). */
export function requestLog(state: AppState) {
  return createMiddleware<Env>(async (c, next) => {
    const started = performance.now();
    await next();
    if (!state.log) return;
    const entry: RequestLogEntry = {
      time: new Date().toISOString(),
      method: c.req.method,
      path: safePath(c.req.path),
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    };
    const caller = c.var.caller;
    if (caller) entry.tokenId = caller.id;
    const event = c.var.event;
    if (event) entry.event = event;
    state.log(entry);
  });
}

/** CORS headers and preflights for the configured origins (none by default). */
export function corsFor(state: AppState) {
  return createMiddleware<Env>(async (c, next) => {
    const origins = state.corsOrigins;
    if (origins === undefined) return next();
    return cors({
      origin: origins === "*" ? "*" : [...origins],
      allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
      allowHeaders: ["Authorization", "Content-Type"],
      exposeHeaders: ["Retry-After"],
      maxAge: 600,
    })(c, next);
  });
}

/**
 * Faults, decided per request in arrival order. Most hit before anything is processed; an
 * after-commit fault lets the request be processed and then loses its response.
 */
export function injectFaults(state: AppState) {
  return createMiddleware<Env>(async (c, next) => {
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
}

/** Throttling per authenticated caller (after authentication: a wrong secret never spends an owner's budget). */
export function throttleCaller(state: AppState) {
  return createMiddleware<Env>(async (c, next) => {
    const wait = state.throttle?.take(c.var.caller.id, Date.now());
    if (wait !== undefined) {
      c.set("event", "throttled");
      throw new HttpError(429, `Too many requests: the token is throttled. Retry in ${wait} s.`, [], {
        "retry-after": String(wait),
      });
    }
    await next();
  });
}

/** A known path with another method: 405 with Allow. */
export function methodNotAllowed(allow: string) {
  return createMiddleware<Env>(async (c) => {
    throw new HttpError(
      405,
      `Method ${quoteInput(c.req.method)} is not allowed here. Allowed: ${allow}.`,
      [],
      {
        allow,
      },
    );
  });
}

export const notFound: NotFoundHandler<Env> = (c) =>
  errorResponse(
    new HttpError(
      404,
      `No such resource: ${c.req.method} ${safePath(c.req.path)}. The API is served under /api/v2/apiTokens and /platform/classic/environment-api/v2/apiTokens.`,
    ),
  );

/**
 * HttpErrors become their ErrorEnvelope; a locked database a 503 to retry; anything else is a bug:
 * a 500, and the error (secrets masked) on stderr.
 */
export const onError: ErrorHandler<Env> = (err, c) => {
  if (err instanceof HttpError) return errorResponse(err);
  if (isBusy(err)) {
    return errorResponse(
      new HttpError(503, "The database is locked by another process: retry.", [], { "retry-after": "1" }),
    );
  }
  const where = `${c.req.method} ${safePath(c.req.path)}`;
  process.stderr.write(
    `dt-tokens-sandbox: unexpected error on ${where}: ${redactSecrets(err.stack ?? String(err))}\n`,
  );
  return errorResponse(new HttpError(500, "Internal error in the sandbox."));
};

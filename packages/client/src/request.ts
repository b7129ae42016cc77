// The request loop: one call (a method or a raw request) and its attempts.
import type { Credentials } from "./credentials.js";
import { LONGEST_TIMER_MS, serverDelay } from "./delays.js";
import {
  errorFromResponse,
  keptHeaders,
  keptHeaderValue,
  type ResponseErrorContext,
} from "./error-from-response.js";
import {
  AbortError,
  ApiTokensError,
  AuthenticationError,
  ConnectionError,
  type ErrorRequest,
  InvalidInputError,
  RedirectError,
  TimeoutError,
  UnexpectedResponseError,
} from "./errors.js";
import { errorText } from "./network-error.js";
import { type CallSettings, MAX_SERVER_WAIT_MS } from "./options.js";
import { PreparedRequest } from "./prepared-request.js";
import { redact } from "./redact.js";
import { type AttemptOutcome, RETRY_STATUSES, type RetryDecision, retryDecision } from "./retry-policy.js";
import { isRedirect, redirectRefusal, type SecretOrigin, secretRefusal } from "./secret-origin.js";
import type { Logger } from "./types.js";
import { untilAborted } from "./until-aborted.js";

/** What every call of one client shares. @internal */
export interface Transport {
  fetch: typeof fetch;
  /** The Authorization value of each attempt; none for a request that carries its secret in the body (a token request). */
  credentials?: Credentials | undefined;
  /** Where the secrets of these calls may go (see secret-origin.ts). */
  origin: SecretOrigin;
  logger?: Logger | undefined;
  random: () => number;
}

// Connection failures that happen before a byte of the request is sent: safe to retry anything.
// A network error code that means the request never left (or "bad port": fetch refused the port
// before connecting, with no code).
const NEVER_SENT = /^(E(CONNREFUSED|NOTFOUND|AI_AGAIN|(HOST|NET)UNREACH)|bad port)$|CONNECT_TIMEOUT$/;
// The options of a Request that fetch honours besides method, headers, body and signal: a raw caller
// sets them per request, openapi-fetch puts them on the Request it builds, and they go on to fetch.
// Not `redirect`: every request is sent with `redirect: "manual"` (a secret never follows one).
const FORWARDED_INIT = [
  "cache",
  "credentials",
  "integrity",
  "keepalive",
  "mode",
  "referrer",
  "referrerPolicy",
] as const;

type Init = RequestInit & { headers: Headers };

/**
 * The init for fetch, built once per call: as prepared by a method, or from the Request openapi-fetch
 * built for `raw` (its body read once, so that a retry can send it again).
 */
async function initFrom(request: Request | PreparedRequest): Promise<Init> {
  if (request instanceof PreparedRequest) return { ...request.init, redirect: "manual" };
  const init: Init = {
    method: request.method,
    headers: new Headers(request.headers),
    body: request.body ? await request.arrayBuffer() : null,
  };
  for (const name of FORWARDED_INIT) Object.assign(init, { [name]: request[name] });
  init.redirect = "manual";
  return init;
}

/** One call with its attempts. See {@link startCall}. @internal */
export interface RequestCall {
  /** Sends the request, retrying as the rules allow: the fetch openapi-fetch calls. */
  send(request: Request | PreparedRequest): Promise<Response>;
  /** The typed error for a non-2xx response and its parsed body (by default Dynatrace's ErrorEnvelope). */
  errorForResponse(
    response: Response,
    body: unknown,
    build?: (response: Response, body: unknown, context: ResponseErrorContext) => ApiTokensError,
  ): ApiTokensError;
  /** The typed error for a 2xx answer whose body is not what the API sends; the body is never shown. */
  errorForBody(response: Response, what: string, hint?: string): ApiTokensError;
  /** The typed error for anything else thrown during the call (reading or parsing the body, a timeout, an abort). */
  errorFromThrown(thrown: unknown): ApiTokensError;
  /** Clears what the call armed: the attempt's timer, the deadline and the listener on the caller's signal. */
  finish(): void;
}

/**
 * Starts one call: the `Authorization` value per attempt from the credentials, a timeout per attempt
 * that also covers reading the body, a deadline for the whole call, the caller's signal, and retries
 * as retryDecision (retry-policy.ts) decides: GET, PUT, DELETE, lookup and token requests on 429,
 * 502, 503, 504, connection errors and timeouts; any other POST (create) only when the server cannot
 * have applied it. A response that is retried has its body cancelled. Every attempt goes only to
 * the transport's origin (secretRefusal) and never follows a redirect: a 3xx is a RedirectError.
 *
 * `send` returns the last response with its body unread and its attempt still armed: the caller reads
 * the body, then calls `finish()`. Every call gets its own RequestCall.
 * @internal
 */
export function startCall(settings: CallSettings, transport: Transport): RequestCall {
  const { signal, timeoutMs, deadlineMs, maxRetries, maxRetryDelayMs, retryDelayMs } = settings;
  const { logger } = transport;

  // What the call is, set by the first send.
  let method = "";
  let url = "";
  let idempotent = true;
  let changesState = false;
  // What the call learned, for the error it may throw.
  let attempts = 0;
  let outcomeUnknown = false;
  let retryAfterMs: number | undefined;
  let note: string | undefined;
  let lastResponse: Response | undefined;
  // The Authorization value of the last attempt, and whether a 401 already got fresh credentials.
  let lastAuthorization = "";
  let reauthorized = false;
  // Why the credentials are refused (a 401 to a fresh OAuth access token), for an OAuthError.
  let credentialsRefused: string | undefined;
  // What is armed.
  let stopped: "caller" | "deadline" | undefined;
  const startedAt = Date.now();
  let deadlineAt = Number.POSITIVE_INFINITY;
  let deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  let attemptControl: AbortController | undefined;
  let attemptTimer: ReturnType<typeof setTimeout> | undefined;
  let attemptTimedOut = false;
  let endWait: (() => void) | undefined;

  const line = () => `${method} ${redact(url)}`;
  const request = (): ErrorRequest => ({ method, url: redact(url) });
  const details = (cause?: unknown) => ({ request: request(), outcomeUnknown, cause });

  /** Stops the call: aborts the attempt in flight (or its body) and ends a wait. The first reason wins. */
  function stop(reason: "caller" | "deadline") {
    if (stopped) return;
    stopped = reason;
    attemptControl?.abort();
    endWait?.();
  }
  const onCallerAbort = () => stop("caller");

  function stoppedError(inFlight = false): ApiTokensError {
    const known = { request: request(), outcomeUnknown: outcomeUnknown || inFlight };
    if (stopped === "caller")
      return new AbortError(`${line()} was aborted`, { ...known, cause: signal?.reason });
    return Object.assign(new TimeoutError(`${line()} passed its deadline of ${deadlineMs} ms`, known), {
      deadlineMs,
    });
  }

  function throwIfStopped(inFlight = false) {
    if (stopped) throw stoppedError(inFlight);
  }

  /** Takes in the request of the first send and arms the caller's signal and the deadline. */
  function start(first: Request | PreparedRequest) {
    method = first.method;
    url = first.url;
    // A lookup reads; a token request (retrySafe) only mints an access token.
    const reads =
      (method === "POST" && url.endsWith("/apiTokens/lookup")) ||
      (first instanceof PreparedRequest && first.retrySafe);
    idempotent = method !== "POST" || reads;
    changesState = method !== "GET" && !reads;
    if (signal) {
      if (signal.aborted) stop("caller");
      signal.addEventListener("abort", onCallerAbort, { once: true });
    }
    if (deadlineMs <= LONGEST_TIMER_MS) {
      deadlineAt = Date.now() + deadlineMs;
      deadlineTimer = setTimeout(() => stop("deadline"), deadlineMs);
    }
  }

  /** One attempt: arms its timeout, gets its Authorization value, sends. Resolves to the response or to what fetch threw. */
  async function attempt(
    sendInit: Init,
    attemptNumber: number,
  ): Promise<{ response: Response } | { thrown: unknown }> {
    const control = new AbortController();
    attemptControl = control;
    attemptTimedOut = false;
    clearTimeout(attemptTimer);
    if (timeoutMs <= LONGEST_TIMER_MS) {
      attemptTimer = setTimeout(() => {
        attemptTimedOut = true;
        control.abort();
      }, timeoutMs);
    }
    let authorization = "";
    try {
      const pending =
        transport.credentials?.authorizationFor({ attempt: attemptNumber, signal: control.signal }) ?? "";
      // A fixed secret answers at once; credentials that are fetched are awaited up to the attempt's end.
      authorization = typeof pending === "string" ? pending : await untilAborted(pending, control.signal);
    } catch (thrown) {
      // Credentials that did not answer within the attempt's time: a timeout (nothing was sent).
      throwIfStopped();
      if (attemptTimedOut) throw failure(thrown, "waiting for the credentials");
      if (thrown instanceof ApiTokensError) throw thrown;
      // The caller's token function threw (a vault that is down): this attempt was not sent.
      throw new AuthenticationError(
        `${line()} was not sent: the token function failed: ${errorText(thrown)}`,
        details(thrown),
      );
    }
    // After the credentials (which may be awaited): a signal that fired meanwhile stops the call here.
    throwIfStopped();
    lastAuthorization = authorization;
    if (authorization) sendInit.headers.set("authorization", authorization);
    sendInit.signal = control.signal;
    logger?.debug(`${line()} (attempt ${attemptNumber})`);
    try {
      return { response: await transport.fetch(url, sendInit) };
    } catch (thrown) {
      return { thrown };
    }
  }

  /** The retry policy's decision for this attempt's outcome. */
  function decide(outcome: AttemptOutcome): RetryDecision {
    return retryDecision(outcome, {
      idempotent,
      retries: attempts - 1,
      maxRetries,
      retryDelayMs,
      maxRetryDelayMs,
      msLeft: deadlineAt - Date.now(),
      deadlineMs,
      random: transport.random(),
    });
  }

  /** The error for a redirect, which is never followed (see secret-origin.ts). */
  function redirectError(response: Response): ApiTokensError {
    const sent = response.headers.get("location");
    // Bounded as the headers an error keeps: a server's 8 kB Location makes no message of 8 kB.
    const location = sent === null ? null : keptHeaderValue(sent);
    // A browser answers a redirect under `redirect: "manual"` as an opaque one: status 0, no headers.
    const why =
      response.type === "opaqueredirect"
        ? "the request carries a secret (the browser hides the status and where it leads)"
        : redirectRefusal(url, sent, true);
    return new RedirectError(
      `${line()} answered ${response.status || "a redirect"}${location ? ` to ${location}` : ""}, not followed: ${why}; configure the URL it leads to, if it is yours`,
      { ...details(), status: response.status, location: location ?? undefined },
    );
  }

  /** Waits between attempts; the caller's signal or the deadline end the wait at once. */
  async function wait(what: string, waitMs: number) {
    throwIfStopped();
    // The details let a program show the retry without parsing the line (see Logger in types.ts).
    logger?.warn(`${line()} ${what}; retry ${attempts} of ${maxRetries} in ${waitMs} ms`, {
      request: request(),
      reason: what,
      retry: attempts,
      maxRetries,
      waitMs,
      timeoutMs,
      deadlineMs,
    });
    clearTimeout(attemptTimer);
    attemptControl = undefined;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => endWait?.(), waitMs);
      endWait = () => {
        clearTimeout(timer);
        endWait = undefined;
        resolve();
      };
    });
    throwIfStopped();
  }

  /** The error for a failed attempt: a timeout or a connection failure. */
  function failure(thrown: unknown, why: string | undefined): ApiTokensError {
    const suffix = why ? ` (${why})` : "";
    if (attemptTimedOut)
      // How long the call waited, for a message such as "3 attempts of 30 s each, 1 min 31 s in all".
      return Object.assign(
        new TimeoutError(`${line()} timed out after ${timeoutMs} ms${suffix}`, details(thrown)),
        { attempts, timeoutMs, elapsedMs: Date.now() - startedAt },
      );
    const reason = errorText(thrown);
    return new ConnectionError(`${line()} failed: ${reason}${suffix}`, { ...details(thrown), reason });
  }

  async function send(sent: Request | PreparedRequest): Promise<Response> {
    start(sent);
    throwIfStopped();
    // A raw request that middleware pointed elsewhere: its secret stays home.
    const refusal = secretRefusal(transport.origin, url);
    if (refusal) throw new InvalidInputError(`${line()} was not sent: ${refusal}`, { request: request() });
    // Built once: a retry sends the same method, headers, body and options.
    const init = await initFrom(sent);
    for (;;) {
      attempts++;
      const outcome = await attempt(init, attempts);
      if ("thrown" in outcome) {
        throwIfStopped(changesState);
        const neverSent = NEVER_SENT.test(errorText(outcome.thrown));
        if (changesState && !neverSent) outcomeUnknown = true;
        const next = decide({ failed: neverSent ? "before-sending" : "after-sending" });
        const error = failure(outcome.thrown, "note" in next ? next.note : undefined);
        if (!("waitMs" in next)) throw error;
        await wait(error.name, next.waitMs);
        continue;
      }
      const { response } = outcome;
      lastResponse = response;
      if (isRedirect(response)) {
        response.body?.cancel().catch(() => {});
        throw redirectError(response);
      }
      // A 401 to an access token that expired or was revoked early: one more attempt with a fresh
      // one (the server did not apply the request, so even a create may go again). A fresh token
      // refused too means the credentials are: no more attempts, and an OAuthError.
      if (response.status === 401) {
        const verdict = transport.credentials?.rejected?.(lastAuthorization, reauthorized);
        if (verdict === "retry" && !reauthorized) {
          reauthorized = true;
          response.body?.cancel().catch(() => {});
          logger?.warn(`${line()} 401; retrying once with a new access token`);
          continue;
        }
        if (typeof verdict === "object") credentialsRefused = verdict.refused;
      }
      // A write answered 2xx was applied: if its body is lost now (a timeout, a reset, an abort), the
      // caller cannot know what it got (a create's new secret). A 5xx may have been applied.
      if (changesState && (response.ok || response.status >= 500)) outcomeUnknown = true;
      const askedMs = RETRY_STATUSES.includes(response.status) ? serverDelay(response.headers) : undefined;
      const next = decide({ status: response.status, askedMs });
      if (!("waitMs" in next)) {
        // The answer stands: its body is the caller's to read, under this attempt's timeout.
        retryAfterMs = askedMs === undefined ? undefined : Math.min(askedMs, MAX_SERVER_WAIT_MS);
        note = next.note;
        return response;
      }
      response.body?.cancel().catch(() => {});
      await wait(String(response.status), next.waitMs);
    }
  }

  return {
    send,

    errorForResponse(response, body, build = errorFromResponse) {
      return build(response, body, {
        request: request(),
        outcomeUnknown,
        retryAfterMs,
        note: note ?? credentialsRefused,
        credentialsRefused: credentialsRefused !== undefined,
      });
    },

    errorForBody(response, what, hint = "is a proxy or login page in between?") {
      const headers = keptHeaders(response.headers);
      return new UnexpectedResponseError(
        `${line()} answered ${response.status} with ${headers["content-type"] || "no content type"}, ${what}; ${hint}`,
        { ...details(), status: response.status, headers },
      );
    },

    errorFromThrown(thrown) {
      if (thrown instanceof ApiTokensError) return thrown;
      if (stopped) return stoppedError();
      if (attemptTimedOut) return failure(thrown, "reading the response");
      if (thrown instanceof SyntaxError && lastResponse?.ok)
        return this.errorForBody(lastResponse, "not valid JSON");
      const reason = errorText(thrown);
      return new ConnectionError(`${line()} failed reading the response: ${reason}`, {
        ...details(thrown),
        reason,
      });
    },

    finish() {
      clearTimeout(attemptTimer);
      clearTimeout(deadlineTimer);
      signal?.removeEventListener("abort", onCallerAbort);
      endWait = undefined;
    },
  };
}

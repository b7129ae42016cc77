import type { ConstraintViolation } from "@dt-tokens/types";
import { redact, redactCause, redactValue } from "./redact.js";

/** The request an error belongs to: its method and URL, with any secret in the URL redacted. */
export interface ErrorRequest {
  method: string;
  url: string;
}

/** What the client knows about a failed request when it builds an error. */
export interface ErrorDetails {
  status?: number | undefined;
  code?: number | undefined;
  constraintViolations?: ConstraintViolation[] | undefined;
  request?: ErrorRequest | undefined;
  headers?: Record<string, string> | undefined;
  outcomeUnknown?: boolean | undefined;
  retryAfterMs?: number | undefined;
  missingScopes?: string[] | undefined;
  apiMessage?: string | undefined;
  /** The OAuth error code SSO answered (`invalid_client`, `invalid_scope`, …). */
  oauthError?: string | undefined;
  /** The Location of a redirect the client did not follow. */
  location?: string | undefined;
  /** A ConnectionError's network error code (`ECONNREFUSED`, …), or its message when it has none. */
  reason?: string | undefined;
  /** What caused it: the caller's abort reason, the network error. Kept redacted as `error.cause`. */
  cause?: unknown;
}

/** The text fields of ErrorDetails an error keeps as they are named (redacted). */
const TEXT_FIELDS = ["apiMessage", "oauthError", "location", "reason"] as const;

/**
 * The base class of every error the client throws. Nothing in it (message, properties, `cause`,
 * `toJSON()`, `util.inspect()`) contains a token secret: they are redacted when the error is built.
 */
export class ApiTokensError extends Error {
  /** The HTTP status, when the server answered. */
  declare readonly status?: number;
  /** Dynatrace's error code from the ErrorEnvelope (usually the HTTP status). */
  declare readonly code?: number;
  /** The constraint violations Dynatrace reported (400), otherwise empty. */
  readonly constraintViolations: ConstraintViolation[];
  /** Method and URL of the request (never its headers: the Authorization header is not kept). */
  declare readonly request?: ErrorRequest;
  /**
   * Response headers worth keeping, when the server answered: content type, request id, rate-limit
   * and retry headers. No others (no cookies).
   */
  declare readonly headers?: Record<string, string>;
  /**
   * `true` when the request changes state (create, update, delete) and may have been applied by the
   * server although this error was thrown: a timeout, a connection lost after the request was sent,
   * an abort while it was in flight, a 5xx, or a 2xx whose body was then lost (a timeout,
   * a reset or an abort while reading it). For a create, the token may exist: list to find out
   * before creating it again. `false` when the server certainly did not apply it.
   */
  readonly outcomeUnknown: boolean;
  /**
   * The wait the server asked for in its last answer (Retry-After or X-RateLimit-Reset), in ms, capped
   * at 10 minutes, when the client did not wait it.
   */
  declare readonly retryAfterMs?: number;
  /** Dynatrace's own message from the ErrorEnvelope (e.g. "Token is disabled."), when the server sent one. */
  declare readonly apiMessage?: string;

  constructor(message: string, details: ErrorDetails = {}) {
    super(redact(message), details.cause === undefined ? undefined : { cause: redactCause(details.cause) });
    this.constraintViolations = redactValue(details.constraintViolations ?? []) as ConstraintViolation[];
    this.outcomeUnknown = details.outcomeUnknown ?? false;
    if (details.status !== undefined) this.status = details.status;
    if (details.code !== undefined) this.code = details.code;
    if (details.request !== undefined) this.request = redactValue(details.request) as ErrorRequest;
    if (details.headers !== undefined) this.headers = redactValue(details.headers) as Record<string, string>;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
    // Every text field an error shows, redacted here, once, whichever class the error is.
    for (const field of TEXT_FIELDS) {
      const value = details[field];
      if (value !== undefined) Object.assign(this, { [field]: redact(value) });
    }
  }

  /** A plain, secret-free object for structured logs. */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { ...(this as object), name: this.name, message: this.message };
    const { cause } = this;
    // A copy of a value cause (bounded in depth: a reason that holds itself cannot break JSON.stringify).
    if (cause !== undefined)
      json.cause = cause instanceof Error ? `${cause.name}: ${cause.message}` : redactValue(cause);
    return json;
  }
}

/** What an InvalidInputError knows besides its message: which input, what was wrong, what to do. */
export interface InputDetails {
  /** The option or argument refused: `environmentUrl`, `oauth.tokenUrl`, `token`, `scopes`, … */
  param?: string | undefined;
  /** A stable word for what was wrong (`cleartext`, `scheme`, `user-info`, …), to switch on. */
  problem?: string | undefined;
  /** What was wrong, in words (never a secret). */
  reason?: string | undefined;
  /** What to do instead, when there is one thing to do (a URL to use, a form to follow). */
  suggestion?: string | undefined;
  /** The URL to use instead, when the suggestion names one (the platform URL for a platform token). */
  url?: string | undefined;
}

/**
 * Input rejected before any request was sent: the message says what was wrong and what is
 * accepted; `param`, `problem`, `reason` and `suggestion` say the same as fields, so that an app
 * words its own message without taking this one apart.
 */
export class InvalidInputError extends ApiTokensError {
  declare readonly param?: string;
  declare readonly problem?: string;
  declare readonly reason?: string;
  declare readonly suggestion?: string;
  declare readonly url?: string;

  constructor(message: string, details: ErrorDetails & InputDetails = {}) {
    super(message, details);
    // (`reason` is a text field of every error: ApiTokensError keeps it.)
    for (const key of ["param", "problem", "suggestion", "url"] as const)
      if (details[key] !== undefined) this[key] = redact(details[key]);
  }
}
/** 400: the request was invalid; `constraintViolations` says which parameter and why. */
export class BadRequestError extends ApiTokensError {}
/** 401: the token is missing, malformed, unknown, disabled or expired. */
export class AuthenticationError extends ApiTokensError {}
/**
 * SSO refused to issue an access token for the OAuth client: `oauthError` holds its code
 * (`invalid_client`: unknown client, wrong secret or a revoked client; `invalid_scope`: a scope the
 * client was not granted; `invalid_target`: another account). The message says what to check.
 */
export class OAuthError extends AuthenticationError {
  /** The OAuth 2.0 error code from SSO, when it sent one. */
  declare readonly oauthError?: string;
}
/** 403: the token lacks a scope; `missingScopes` lists the scopes Dynatrace asked for. */
export class PermissionDeniedError extends ApiTokensError {
  /** The scopes named in Dynatrace's message ("Use one of: apiTokens.read (...)"); any one of them is enough. */
  readonly missingScopes: string[];

  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details);
    this.missingScopes = details.missingScopes ?? [];
  }
}
/** 404: no such token. */
export class NotFoundError extends ApiTokensError {}
/** 429, after the retries or when the server asked for a wait longer than `maxRetryDelayMs` (see `retryAfterMs`). */
export class RateLimitError extends ApiTokensError {}
/** 5xx, after the retries. */
export class ServerError extends ApiTokensError {}
/**
 * A successful status with a body that is not what the API answers (not JSON, or empty): often a
 * proxy's login page. The message names the status and content type, never the body.
 */
export class UnexpectedResponseError extends ApiTokensError {}
/**
 * The server answered with a redirect, which the client never follows: every request it sends
 * carries a secret (the Authorization header, a token in a lookup's body or a delete's path, the
 * client secret in a token request). `status` is the redirect's (0 in a browser, which hides it),
 * `location` where it pointed (redacted).
 */
export class RedirectError extends UnexpectedResponseError {
  /** Where the redirect pointed, redacted; absent when the server (or a browser) did not say. */
  declare readonly location?: string;
}
/**
 * The connection failed (refused, reset, DNS, TLS) and the retries did not help; `cause` holds the
 * network error, `request` where it went (its URL's host is the host that failed).
 */
export class ConnectionError extends ApiTokensError {
  /**
   * What went wrong, to switch on: the network error's code (`ECONNREFUSED`, `ENOTFOUND`,
   * `EAI_AGAIN`, `ECONNRESET`, `UND_ERR_SOCKET`, a TLS code such as `CERT_HAS_EXPIRED` or
   * `DEPTH_ZERO_SELF_SIGNED_CERT`, …) or, when it has none, its message (`bad port`: a port fetch
   * refuses). Absent when the OAuth code could not be loaded.
   */
  declare readonly reason?: string;
}
/**
 * An attempt took longer than `timeoutMs` and the retries did not help, or the call passed its
 * `deadlineMs`. When attempts timed out, `attempts`, `timeoutMs` (each attempt's) and `elapsedMs`
 * (the whole call, waits between attempts included) say how long it waited, for a message such as
 * "3 attempts of 30 s each, 1 min 31 s in all". When the deadline ended the call, `deadlineMs` is
 * set instead.
 */
export class TimeoutError extends ApiTokensError {
  declare readonly attempts?: number;
  declare readonly timeoutMs?: number;
  declare readonly elapsedMs?: number;
  /** The call's deadline, when passing it ended the call. */
  declare readonly deadlineMs?: number;
}
/** The caller's `signal` aborted the call (in flight or during a backoff wait); `cause` holds its reason. */
export class AbortError extends ApiTokensError {}

// Names on the prototypes, spelled out: minifiers rename classes, and `name` must survive.
const CLASSES_BY_NAME = {
  ApiTokensError,
  InvalidInputError,
  BadRequestError,
  AuthenticationError,
  OAuthError,
  PermissionDeniedError,
  NotFoundError,
  RateLimitError,
  ServerError,
  UnexpectedResponseError,
  RedirectError,
  ConnectionError,
  TimeoutError,
  AbortError,
};
for (const [name, ErrorClass] of Object.entries(CLASSES_BY_NAME)) ErrorClass.prototype.name = name;

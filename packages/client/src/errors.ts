import type { ConstraintViolation, ErrorEnvelope } from "@dt-tokens/types";

/**
 * Removes token secrets from a text: every `dt0c01.<public>.<secret>` becomes
 * `dt0c01.<public>.[REDACTED]` (the token id stays readable), every `Api-Token <secret>` becomes
 * `Api-Token [REDACTED]` and every `api-token=<secret>` query parameter is blanked.
 * Use it before you log anything that may hold a secret.
 */
export function redact(text: string): string {
  return text.replace(/(dt0c01\.\w+)\.\w+|(Api-Token |api-token=)[^\s"',&#]+/gi, (_, id, pre) =>
    id ? `${id}.[REDACTED]` : `${pre}[REDACTED]`,
  );
}

const redactDeep = (value: unknown) => JSON.parse(redact(JSON.stringify(value ?? {})));

/** The request an error belongs to: its method and URL, with any secret in the URL redacted. */
export interface ErrorRequest {
  method: string;
  url: string;
}

/** What the client knows about a failed request when it builds an error. */
export interface ErrorDetails {
  status?: number;
  code?: number;
  constraintViolations?: ConstraintViolation[];
  request?: ErrorRequest;
  headers?: Record<string, string>;
  outcomeUnknown?: boolean;
  retryAfterMs?: number | undefined;
  missingScopes?: string[] | undefined;
  apiMessage?: string | undefined;
}

/**
 * The base class of every error the client throws. Nothing in it (message, properties, `toJSON()`,
 * `util.inspect()`) contains a token secret: they are redacted when the error is built.
 */
export class ApiTokensError extends Error {
  /** The HTTP status, when the server answered. */
  declare readonly status?: number;
  /** Dynatrace's error code from the ErrorEnvelope (usually the HTTP status). */
  declare readonly code?: number;
  /** The constraint violations Dynatrace reported (400), otherwise empty. */
  declare readonly constraintViolations: ConstraintViolation[];
  /** Method and URL of the request (never its headers: the Authorization header is not kept). */
  declare readonly request?: ErrorRequest;
  /** The response headers, when the server answered. */
  declare readonly headers?: Record<string, string>;
  /**
   * `true` when the request changes state (create, update, delete) and may have been applied by the
   * server although this error was thrown: a timeout, a connection lost after the request was sent,
   * an abort while it was in flight, or a 5xx. For a create, the token may exist: list to find out
   * before creating it again. `false` when the server certainly did not apply it.
   */
  declare readonly outcomeUnknown: boolean;
  /** The wait the server asked for (Retry-After or X-RateLimit-Reset), in ms, when it said and the client did not wait. */
  declare readonly retryAfterMs?: number;
  /** Dynatrace's own message from the ErrorEnvelope (e.g. "Token is disabled."), when the server sent one. */
  declare readonly apiMessage?: string;

  constructor(message: string, details?: ErrorDetails) {
    super(redact(message));
    Object.assign(this, { constraintViolations: [], outcomeUnknown: false }, redactDeep(details));
  }

  /** A plain, secret-free object for structured logs. */
  toJSON(): Record<string, unknown> {
    return { ...(this as object), name: this.name, message: this.message };
  }
}

/** Input rejected before any request was sent: the message says what was wrong and what is accepted. */
export class InvalidInputError extends ApiTokensError {}
/** 400: the request was invalid; `constraintViolations` says which parameter and why. */
export class BadRequestError extends ApiTokensError {}
/** 401: the token is missing, malformed, unknown, disabled or expired. */
export class AuthenticationError extends ApiTokensError {}
/** 403: the token lacks a scope; `missingScopes` lists the scopes Dynatrace asked for. */
export class PermissionDeniedError extends ApiTokensError {
  /** The scopes named in Dynatrace's message ("Use one of: apiTokens.read (...)"); any one of them is enough. */
  declare readonly missingScopes: string[];
}
/** 404: no such token. */
export class NotFoundError extends ApiTokensError {}
/** 429, after the retries or when the server asked for a wait longer than `maxRetryDelayMs` (see `retryAfterMs`). */
export class RateLimitError extends ApiTokensError {}
/** 5xx, after the retries. */
export class ServerError extends ApiTokensError {}
/** The connection failed (refused, reset, DNS) and the retries did not help. */
export class ConnectionError extends ApiTokensError {}
/** An attempt took longer than `timeoutMs`, and the retries did not help. */
export class TimeoutError extends ApiTokensError {}
/** The caller's `signal` aborted the call (while a request was in flight or during a backoff wait). */
export class AbortError extends ApiTokensError {}

// Names on the prototypes, spelled out: minifiers rename classes, and `name` must survive.
for (const [name, Class] of Object.entries({
  ApiTokensError,
  InvalidInputError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  RateLimitError,
  ServerError,
  ConnectionError,
  TimeoutError,
  AbortError,
}))
  Class.prototype.name = name;

const byStatus: Record<number, typeof ApiTokensError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  429: RateLimitError,
};

/** Throws an InvalidInputError. @internal */
export const fail = (message: string): never => {
  throw new InvalidInputError(message);
};

/** Throws an InvalidInputError: "<param>: expected <what>, got <value>" (the value only when given). @internal */
export const expected = (param: string, what: string, ...got: unknown[]): never => {
  throw new InvalidInputError(
    `${param}: expected ${what}${got.length ? `, got ${JSON.stringify(got[0])}` : ""}`,
  );
};

/** Builds the typed error for a non-2xx response. @internal */
export function errorFromResponse(
  response: Response,
  body: unknown,
  details: Omit<ErrorDetails, "status" | "code" | "constraintViolations" | "headers">,
): ApiTokensError {
  const { status, statusText, headers } = response;
  const { code, message, constraintViolations = [] } = (body as ErrorEnvelope)?.error ?? {};
  const text = [message ?? statusText, ...constraintViolations.map((v) => `${v.path}: ${v.message}`)].join(
    "; ",
  );
  return new (byStatus[status] ?? (status > 499 ? ServerError : ApiTokensError))(
    `${details.request?.method} ${details.request?.url} failed with ${status}: ${text}`,
    {
      ...details,
      status,
      code,
      constraintViolations,
      headers: Object.fromEntries(headers),
      apiMessage: message,
      // "Token is missing required scope. Use one of: apiTokens.read (Read API tokens)", also without
      // titles or in brackets: the names after "of:" that are not inside parentheses.
      missingScopes:
        status === 403 ? (message?.split("of:")[1]?.match(/[\w.]+(?![^(]*\))/g) ?? []) : undefined,
    },
  );
}

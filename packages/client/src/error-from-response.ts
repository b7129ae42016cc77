import type { ConstraintViolation } from "@dt-tokens/types";
import {
  ApiTokensError,
  AuthenticationError,
  BadRequestError,
  type ErrorDetails,
  NotFoundError,
  OAuthError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
} from "./errors.js";
import { isJsonObject } from "./json-object.js";
import { redact } from "./redact.js";

const CLASS_BY_STATUS: Record<number, typeof ApiTokensError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  429: RateLimitError,
};

// Response headers an error keeps: what helps to find the request in the server's logs and to act on
// a throttle. Everything else (cookies, server internals) is left out.
const KEPT_HEADERS =
  /^(content-type|date|retry-after|traceparent|x-(dynatrace-)?request-id|x-ratelimit-\w+)$/;
// A kept value longer than this (a hostile or broken server's) is cut, so that no error or message
// built from it grows with what the server sent.
const MAX_HEADER_LENGTH = 100;

// Beyond the cut, how much more is redacted with what is kept: more than the longest dt0 secret
// (96 characters, 106 with its dots written `\u002e`), so that one straddling the cut is found whole.
const SECRET_MARGIN = 200;

/**
 * The first `max` characters of a long text, redacted before it is cut: cut first, the part of a
 * secret before the cut would no longer look like one, and stay. Only what is kept (and the
 * margin) is redacted: a text of megabytes costs no more than a short one.
 */
function redactedStart(value: string, max: number): string {
  return redact(value.slice(0, max + SECRET_MARGIN)).slice(0, max);
}

/** A header value an error keeps: at most MAX_HEADER_LENGTH characters. @internal */
export function keptHeaderValue(value: string): string {
  return value.length > MAX_HEADER_LENGTH ? `${redactedStart(value, MAX_HEADER_LENGTH)}…` : value;
}

/** The response headers an error keeps (see KEPT_HEADERS), each at most MAX_HEADER_LENGTH characters. @internal */
export function keptHeaders(headers: Headers): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of headers) if (KEPT_HEADERS.test(name)) kept[name] = keptHeaderValue(value);
  return kept;
}

// What an error keeps from a body, however large the body: Dynatrace's messages are one line and it
// names a few violations. A body beyond that (a proxy's dump, a hostile server) must not make
// messages of megabytes or cost seconds to redact.
const MAX_TEXT_LENGTH = 1000;
const MAX_VIOLATIONS = 20;

/**
 * A text field of an error body (the API's or SSO's): kept when it is a string, cut to
 * MAX_TEXT_LENGTH characters.
 * @internal
 */
export function bodyText(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  if (value.length <= MAX_TEXT_LENGTH) return value;
  return `${redactedStart(value, MAX_TEXT_LENGTH)}… (${value.length - MAX_TEXT_LENGTH} more characters)`;
}

/** A constraint violation with only its documented fields, each kept when it is a string. */
function readViolation(violation: Record<string, unknown>): ConstraintViolation {
  const kept: Record<string, string> = {};
  for (const field of ["path", "message", "parameterLocation", "location"]) {
    const value = bodyText(violation[field]);
    if (value !== undefined) kept[field] = value;
  }
  return kept as ConstraintViolation;
}

/** Dynatrace's ErrorEnvelope, each part kept only when it has the documented type. */
function readErrorBody(body: unknown) {
  const envelope = isJsonObject(body) && isJsonObject(body.error) ? body.error : {};
  const { code, message, constraintViolations } = envelope;
  const violations = Array.isArray(constraintViolations) ? constraintViolations.filter(isJsonObject) : [];
  return {
    code: typeof code === "number" ? code : undefined,
    message: bodyText(message),
    constraintViolations: violations.slice(0, MAX_VIOLATIONS).map(readViolation),
    moreViolations: Math.max(violations.length - MAX_VIOLATIONS, 0),
  };
}

// "Token is missing required scope. Use one of: apiTokens.read (Read API tokens)", also without
// titles or in brackets, and platform scopes ("environment-api:api-tokens:write"): the names after
// "of:", once the parenthesized titles are taken out.
function scopesNamedIn(message: string | undefined): string[] {
  const named = message?.split("of:")[1];
  return named?.replace(/\([^)]*\)/g, " ").match(/[\w.:-]+/g) ?? [];
}

/** A violation for a message: `name: must not be null`, or what of it the server sent. */
function describeViolation({ path, message }: ConstraintViolation): string {
  if (path === undefined) return message ?? "a constraint violation";
  return `${path}: ${message ?? "invalid"}`;
}

/** What the request loop adds to an error built from a response. @internal */
export type ResponseErrorContext = Pick<ErrorDetails, "request" | "outcomeUnknown" | "retryAfterMs"> & {
  /** Why the client stopped retrying, when that is worth saying (e.g. a wait longer than it accepts). */
  note?: string | undefined;
  /** A 401 to credentials known to be refused (an OAuth client whose fresh access token was refused too): an OAuthError. */
  credentialsRefused?: boolean | undefined;
};

/** Builds the typed error for a non-2xx response and its parsed body (any shape). @internal */
export function errorFromResponse(
  response: Response,
  body: unknown,
  context: ResponseErrorContext,
): ApiTokensError {
  const { status, statusText } = response;
  const { code, message, constraintViolations, moreViolations } = readErrorBody(body);
  const violations = constraintViolations.map(describeViolation);
  if (moreViolations > 0) violations.push(`${moreViolations} more constraint violations`);
  const summary = [message ?? statusText, ...violations].join("; ");
  const { request, note } = context;
  const text = `${request?.method} ${request?.url} failed with ${status}: ${summary}${note ? ` (${note})` : ""}`;
  const ErrorClass =
    status === 401 && context.credentialsRefused
      ? OAuthError
      : (CLASS_BY_STATUS[status] ?? (status >= 500 ? ServerError : ApiTokensError));
  return new ErrorClass(text, {
    request,
    outcomeUnknown: context.outcomeUnknown,
    retryAfterMs: context.retryAfterMs,
    status,
    code,
    constraintViolations,
    headers: keptHeaders(response.headers),
    apiMessage: message,
    missingScopes: status === 403 ? scopesNamedIn(message) : undefined,
  });
}

import type { ConstraintViolation } from "@dt-tokens/types";
import {
  ApiTokensError,
  AuthenticationError,
  BadRequestError,
  type ErrorDetails,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
} from "./errors.js";
import { isJsonObject } from "./json-object.js";

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

/** The response headers an error keeps (see KEPT_HEADERS). @internal */
export function keptHeaders(headers: Headers): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of headers) if (KEPT_HEADERS.test(name)) kept[name] = value;
  return kept;
}

/** Dynatrace's ErrorEnvelope, each part kept only when it has the documented type. */
function readErrorBody(body: unknown) {
  const envelope = isJsonObject(body) && isJsonObject(body.error) ? body.error : {};
  const { code, message, constraintViolations } = envelope;
  return {
    code: typeof code === "number" ? code : undefined,
    message: typeof message === "string" ? message : undefined,
    constraintViolations: (Array.isArray(constraintViolations)
      ? constraintViolations.filter(isJsonObject)
      : []) as unknown as ConstraintViolation[],
  };
}

// "Token is missing required scope. Use one of: apiTokens.read (Read API tokens)", also without
// titles or in brackets, and platform scopes ("environment-api:api-tokens:write"): the names after
// "of:", once the parenthesized titles are taken out (a lookahead for them was quadratic in the
// message's length).
function scopesNamedIn(message: string | undefined): string[] {
  const named = message?.split("of:")[1];
  return named?.replace(/\([^)]*\)/g, " ").match(/[\w.:-]+/g) ?? [];
}

/** What the request loop adds to an error built from a response. @internal */
export type ResponseErrorContext = Pick<ErrorDetails, "request" | "outcomeUnknown" | "retryAfterMs"> & {
  /** Why the client stopped retrying, when that is worth saying (e.g. a wait longer than it accepts). */
  note?: string | undefined;
};

/** Builds the typed error for a non-2xx response and its parsed body (any shape). @internal */
export function errorFromResponse(
  response: Response,
  body: unknown,
  context: ResponseErrorContext,
): ApiTokensError {
  const { status, statusText } = response;
  const { code, message, constraintViolations } = readErrorBody(body);
  const violations = constraintViolations.map((v) => `${v.path}: ${v.message}`);
  const summary = [message ?? statusText, ...violations].join("; ");
  const { request, note } = context;
  const text = `${request?.method} ${request?.url} failed with ${status}: ${summary}${note ? ` (${note})` : ""}`;
  const ErrorClass = CLASS_BY_STATUS[status] ?? (status >= 500 ? ServerError : ApiTokensError);
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

import type { ConstraintViolation, ErrorEnvelope } from "@dt-tokens/types";
import { redactPlatformSecrets } from "./platform-secrets.js";
import { redactSecrets } from "./secrets.js";

type ParameterLocation = NonNullable<ConstraintViolation["parameterLocation"]>;

export interface Violation {
  path: string;
  message: string;
  parameterLocation: ParameterLocation;
}

/** An error that becomes an ErrorEnvelope response. Messages never contain a secret. */
export class HttpError extends Error {
  readonly status: number;
  readonly violations: readonly Violation[];
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    message: string,
    violations: readonly Violation[] = [],
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.violations = violations;
    this.headers = headers;
  }

  toEnvelope(): ErrorEnvelope {
    return envelope(this.status, this.message, this.violations);
  }
}

function envelope(code: number, message: string, violations: readonly Violation[] = []): ErrorEnvelope {
  const error: ErrorEnvelope["error"] = { code, message };
  if (violations.length > 0) {
    error.constraintViolations = violations.map((v) => ({
      path: v.path,
      message: v.message,
      parameterLocation: v.parameterLocation,
      location: v.parameterLocation,
    }));
  }
  return { error };
}

/** At most this many violations are reported one by one; one more says how many were left out. */
export const MAX_VIOLATIONS = 20;

/** A 400 "Constraints violated." with one violation per bad parameter (at most MAX_VIOLATIONS). */
export function badRequest(violations: readonly Violation[]): HttpError {
  if (violations.length <= MAX_VIOLATIONS) return new HttpError(400, "Constraints violated.", violations);
  const rest = violations.slice(MAX_VIOLATIONS);
  const summary = violation(
    rest[0]!.path,
    rest[0]!.parameterLocation,
    `and ${rest.length} more violations not listed (at most ${MAX_VIOLATIONS} are)`,
  );
  return new HttpError(400, "Constraints violated.", [...violations.slice(0, MAX_VIOLATIONS), summary]);
}

export function violation(path: string, parameterLocation: ParameterLocation, message: string): Violation {
  return { path, message, parameterLocation };
}

/** A piece of user input fit to quote in a message: secrets masked, at most 64 characters. */
export function quoteInput(value: string): string {
  const masked = redactPlatformSecrets(redactSecrets(value));
  return masked.length > 64 ? `${masked.slice(0, 61)}...` : masked;
}

import type { ConstraintViolation, ErrorEnvelope } from "@dt-tokens/types";
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

/** A 400 "Constraints violated." with one violation per bad parameter. */
export function badRequest(violations: readonly Violation[]): HttpError {
  return new HttpError(400, "Constraints violated.", violations);
}

export function violation(path: string, parameterLocation: ParameterLocation, message: string): Violation {
  return { path, message, parameterLocation };
}

/** A piece of user input fit to quote in a message: secrets masked, at most 64 characters. */
export function quoteInput(value: string): string {
  const masked = redactSecrets(value);
  return masked.length > 64 ? `${masked.slice(0, 61)}...` : masked;
}

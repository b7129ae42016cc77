// Consumer fixture: handling what responses carry. Enums that only responses carry are open: a
// switch names the known values and keeps a default for the ones Dynatrace adds.
import {
  type ApiTokenPage,
  type ConstraintViolation,
  InvalidInputError,
  type ResponseTokenScope,
} from "@dt-tokens/client";
import type { ErrorEnvelope } from "@dt-tokens/types";

export function where(v: ConstraintViolation): string {
  const location = v.parameterLocation;
  switch (location) {
    case "HEADER":
      return "a header";
    case "PATH":
      return "the path";
    case "PAYLOAD_BODY":
      return "the body";
    case "QUERY":
      return "the query";
    case undefined:
      return "somewhere";
    default:
      return location.toLowerCase();
  }
}

export function describeScope(scope: ResponseTokenScope): string {
  switch (scope) {
    case "metrics.read":
      return "reads metrics";
    case "ViewDashboard":
      return "a legacy scope";
    default:
      return scope;
  }
}

export const envelope: ErrorEnvelope = {
  error: {
    code: 400,
    message: "Constraints violated.",
    constraintViolations: [{ path: "pageSize", message: "too small", parameterLocation: "QUERY" }],
  },
};

export function count(page: ApiTokenPage): number {
  return page.totalCount + page.apiTokens.length + (page.nextPageKey ? 1 : 0);
}

export const isInput = (e: unknown): boolean => e instanceof InvalidInputError;

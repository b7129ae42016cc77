/** Validation of request bodies and path parameters: each check pushes violations and returns the value. */
import { TOKEN_SCOPES } from "@dt-tokens/types";
import { badRequest, quoteInput, type Violation, violation } from "../errors.js";
import { isTokenId, tokenIdOf } from "../secrets.js";
import { DATE_RANGE, inDateRange, parseTimeframe, TIMEFRAME_FORMATS } from "../time.js";

const ASSIGNABLE = new Set<string>(TOKEN_SCOPES);
const MAX_NAME_LENGTH = 1000;
/** Every assignable scope once, with room for repeats (which are dropped). */
const MAX_SCOPES = 2 * TOKEN_SCOPES.length;

export function checkName(value: unknown, required: boolean, out: Violation[]): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== "string" || value.trim() === "") {
    out.push(violation("name", "PAYLOAD_BODY", "must be a non-empty string"));
    return undefined;
  }
  if (value.length > MAX_NAME_LENGTH) {
    out.push(violation("name", "PAYLOAD_BODY", `must be at most ${MAX_NAME_LENGTH} characters`));
    return undefined;
  }
  return value;
}

export function checkScopes(value: unknown, required: boolean, out: Violation[]): string[] | undefined {
  if (value === undefined && !required) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    out.push(violation("scopes", "PAYLOAD_BODY", "must be a non-empty array of scopes"));
    return undefined;
  }
  if (value.length > MAX_SCOPES) {
    out.push(violation("scopes", "PAYLOAD_BODY", `must have at most ${MAX_SCOPES} items`));
    return undefined;
  }
  let ok = true;
  value.forEach((scope, i) => {
    if (typeof scope !== "string" || !ASSIGNABLE.has(scope)) {
      ok = false;
      out.push(
        violation(
          `scopes[${i}]`,
          "PAYLOAD_BODY",
          typeof scope === "string"
            ? `'${quoteInput(scope)}' is not an assignable scope (see TokenScope in the API's OpenAPI document)`
            : "must be a string",
        ),
      );
    }
  });
  return ok ? [...new Set(value as string[])] : undefined;
}

export function checkBoolean(name: string, value: unknown, out: Violation[]): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") {
    out.push(violation(name, "PAYLOAD_BODY", "must be true or false"));
    return undefined;
  }
  return value;
}

/** `expirationDate` of a create: absent or null is never; otherwise a timeframe in the future. */
export function checkExpirationDate(value: unknown, now: number, out: Violation[]): number | null {
  if (value === undefined || value === null) return null;
  const parsed = typeof value === "string" ? parseTimeframe(value, now) : undefined;
  if (parsed === undefined) {
    out.push(violation("expirationDate", "PAYLOAD_BODY", `must be ${TIMEFRAME_FORMATS}, e.g. now+14d`));
    return null;
  }
  if (!inDateRange(parsed)) {
    out.push(violation("expirationDate", "PAYLOAD_BODY", `must be a date ${DATE_RANGE}`));
    return null;
  }
  if (parsed <= now) {
    out.push(violation("expirationDate", "PAYLOAD_BODY", "must be in the future"));
    return null;
  }
  return parsed;
}

/** 400 unless the path's id is a token id (or, where allowed, a token secret). */
export function checkPathId(id: string, allowSecret: boolean): void {
  if (isTokenId(id) || (allowSecret && tokenIdOf(id) !== undefined)) return;
  throw badRequest([
    violation(
      "id",
      "PATH",
      allowSecret
        ? "must be a token id (dt0c01.<24 characters>) or a token secret"
        : "must be a token id (dt0c01.<24 characters>)",
    ),
  ]);
}

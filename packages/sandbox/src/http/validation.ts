/** Validation of request bodies and path parameters: each check pushes violations and returns the value. */
import { TOKEN_SCOPES } from "@dt-tokens/types";
import { badRequest, quoteInput, type Violation, violation } from "../errors.js";
import { decodePageKey, PAGE_KEY_TTL_MS, type PagedList } from "../pagekey.js";
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

/**
 * The cursor a list request continues from: undefined for page one (no nextPageKey). A nextPageKey
 * comes alone (the key carries the query) and only as this sandbox issued it for the same list;
 * anything else is a 400 naming the parameter.
 */
export function continuationOf<T>(
  store: Parameters<typeof decodePageKey>[0],
  list: PagedList,
  params: Record<string, string>,
  now: number,
): T | undefined {
  if (params.nextPageKey === undefined) return undefined;
  const others = Object.keys(params).filter((k) => k !== "nextPageKey" && k !== "api-token");
  if (others.length > 0) {
    throw badRequest(
      others.map((k) =>
        violation(
          quoteInput(k),
          "QUERY",
          "must be omitted when nextPageKey is set: the key carries the query",
        ),
      ),
    );
  }
  const decoded = decodePageKey<T>(store, list, params.nextPageKey, now);
  if (decoded.ok) return decoded.data;
  throw badRequest([
    violation(
      "nextPageKey",
      "QUERY",
      decoded.reason === "expired"
        ? `has expired (keys are valid for ${PAGE_KEY_TTL_MS / 60_000} minutes): list again from the first page`
        : "is not a key this sandbox issued: use nextPageKey from the previous page unchanged",
    ),
  ]);
}

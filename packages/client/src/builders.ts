import { type ApiTokenField, isSecret, parseSecret, type ResponseTokenScope } from "@dt-tokens/types";
import { expected, fail } from "./invalid-input.js";

/** The fields Dynatrace returns when `fields` is not given. */
export const DEFAULT_FIELDS = ["id", "name", "enabled", "owner", "creationDate"] as const;

/** The `fields` parameter: an exact list, additions/removals to the default set, or the raw string. */
export type FieldsInput =
  | readonly ApiTokenField[]
  | { readonly add?: readonly ApiTokenField[]; readonly remove?: readonly ApiTokenField[] }
  | string;

/**
 * Builds the `fields` query parameter. An array is the exact set (`id` is always included); an
 * object adds to and removes from the default set (`+scopes,-owner`); a string is passed through.
 */
export function fieldsParam(fields: FieldsInput): string {
  if (typeof fields === "string") return fields;
  // Names are checked for shape only: Dynatrace adds fields without a version bump, and the client
  // must not stand between you and a new one. TypeScript checks the known names; the server's 400
  // names an unknown one.
  const names = (list: readonly string[] = [], sign = "") =>
    list.map((f) => (/^[a-z]+$/i.test(f) ? sign + f : expected("fields", "field names such as scopes", f)));
  const { add, remove } = fields as { add?: string[]; remove?: string[] };
  // An empty exact list still means "only the id" (a missing parameter would mean the defaults);
  // an empty `{ add, remove }` means the defaults.
  return Array.isArray(fields)
    ? names(fields).join(",") || "id"
    : [...names(add, "+"), ...names(remove, "-")].join(",");
}

/** Criteria of the `apiTokenSelector` parameter; all given criteria must match. */
export interface SelectorInput {
  /** The owner (case-sensitive). */
  owner?: string | undefined;
  /** `true` for personal access tokens only, `false` for API tokens only. */
  personalAccessToken?: boolean | undefined;
  /** Tokens with any of these scopes. */
  scopes?: readonly ResponseTokenScope[] | undefined;
}

const quote = (s: string) => `"${String(s).replace(/[\\"]/g, "\\$&")}"`;

/**
 * Builds the `apiTokenSelector` parameter, quoting values and escaping `"` and `\` with a backslash:
 * `apiTokenSelector({ owner: 'a"b', scopes: ["metrics.read"] })` is `owner("a\"b"),scope("metrics.read")`.
 */
export function apiTokenSelector(input: SelectorInput): string {
  const { owner, personalAccessToken, scopes } = input ?? {};
  const valid =
    (owner === undefined || typeof owner === "string") &&
    (personalAccessToken === undefined || typeof personalAccessToken === "boolean") &&
    (scopes === undefined || (Array.isArray(scopes) && scopes.length > 0));
  if (!valid) expected("selector", "{ owner?: string, personalAccessToken?: boolean, scopes?: string[] }");
  const criteria: string[] = [];
  if (owner !== undefined) criteria.push(`owner(${quote(owner)})`);
  if (personalAccessToken !== undefined) criteria.push(`personalAccessToken(${personalAccessToken})`);
  if (scopes !== undefined) criteria.push(`scope(${scopes.map(quote).join(",")})`);
  return criteria.join(",");
}

/** A point in time for `from`, `to` or `expirationDate`: a Date, epoch milliseconds or a Dynatrace timeframe string. */
export type TimeframeInput = Date | number | string;

// The formats Dynatrace documents, held to the limits the server applies: epoch ms (up to 15
// digits); a date with optional time (`T` or a space; hours 00-23, minutes and seconds 00-59),
// fraction (up to 9 digits) and zone (up to ±18:59); `now`, `now-NU` or `now-NU/A` (`now+NU` for
// expirations), with amounts small enough to stay within the range of a Date.
const TIMEFRAME =
  /^(\d{1,15}|(\d{4})-(\d\d)-(\d\d)([T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?)?(Z|[+-](0\d|1[0-8])(:?[0-5]\d)?)?|now([+-](\d{1,9}[mh]|\d{1,5}[dwMy]))?(\/[mhdwMy])?)$/;

/**
 * Converts a timeframe to the string Dynatrace accepts, or throws naming `param` and the accepted
 * formats. A Date becomes `yyyy-MM-ddTHH:mm:ss.SSSZ`; numbers are epoch milliseconds; strings may be
 * epoch milliseconds, ISO-like dates (`2021-01-25`, `2021-01-25T05:57:01.123+01:00`, `T` or a space,
 * time, seconds, fraction and zone optional), `now` or `now-NU` / `now-NU/A` (units m h d w M y).
 * With `future: true` (expiration dates) relative strings go forward instead: `now+14d`.
 */
export function timeframe(value: TimeframeInput, param = "timeframe", future = false): string {
  const text = value instanceof Date ? dateText(value) : String(value).trim();
  const match = TIMEFRAME.exec(text);
  if (match && (match[2] ? dateExists(match) : pointsTheRightWay(text, future))) return text;
  return expected(
    param,
    `a Date, epoch ms, 2021-01-25T05:57:01Z or ${future ? "now+14d" : "now-1d/d"}`,
    value,
  );
}

/** A Date as `yyyy-MM-ddTHH:mm:ss.SSSZ`; "" (refused) for an invalid Date or one before 1970. */
function dateText(date: Date): string {
  return date.getTime() >= 0 ? date.toISOString() : "";
}

/** Date.UTC rolls Feb 30 into March: the date exists when the day and year survive the round trip. */
function dateExists([, , year, month, day]: RegExpExecArray): boolean {
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return date.getUTCFullYear() === Number(year) && date.getUTCDate() === Number(day);
}

/** Relative times point forward (`now+NU`) for expirations and backward (`now`, `now-NU`) otherwise. */
function pointsTheRightWay(text: string, future: boolean): boolean {
  if (!text.startsWith("now")) return true;
  return future === (text[3] === "+");
}

/**
 * The expiry that gives a replacement the old token's lifetime again, from now: a 30-day token
 * rotates into a new 30-day token; one that never expired gets `null` (never expires). Use it as
 * `rotate(id, { expirationDate: sameLifetime })`.
 */
export function sameLifetime(previous: { creationDate?: string; expirationDate?: string }): Date | null {
  const { creationDate, expirationDate } = previous;
  return expirationDate && creationDate
    ? new Date(Date.now() + Date.parse(expirationDate) - Date.parse(creationDate))
    : null;
}

/** The parts of a `dt0c01` token secret that are safe to show. */
export interface TokenSecretParts {
  /** Always `dt0c01`. */
  prefix: "dt0c01";
  /** The 24-character public part. */
  publicPart: string;
  /** The token id: `<prefix>.<publicPart>`. */
  id: string;
}

/** Whether `value` is a token secret in Dynatrace's current format (`dt0c01.<24>.<64>`, A-Z and 0-9). */
export function isTokenSecret(value: unknown): value is string {
  return isSecret(value, "api-token");
}

/**
 * Splits a `dt0c01` token secret into prefix, public part and id (never the private part), or throws
 * an error that describes the expected format without repeating the input. The format is
 * `@dt-tokens/types`' (`parseSecret`, `findSecrets` for other kinds and for secrets inside a text).
 */
export function parseTokenSecret(secret: string): TokenSecretParts {
  const parts = parseSecret(String(secret));
  return parts?.kind === "api-token"
    ? { prefix: "dt0c01", publicPart: parts.publicPart!, id: parts.id! }
    : fail("not a token secret: expected dt0c01.<24 chars>.<64 chars> of A-Z and 0-9");
}

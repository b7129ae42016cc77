import type { ApiTokenField, ResponseTokenScope } from "@dt-tokens/types";
import { fail } from "./errors.js";

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
  const names = (list: readonly string[] = [], sign = "") =>
    list.map((f) => (/^[a-z]+$/i.test(f) ? sign + f : fail(`fields: "${f}" is not a field name`)));
  const { add, remove } = fields as { add?: string[]; remove?: string[] };
  return (Array.isArray(fields) ? names(fields) : [...names(add, "+"), ...names(remove, "-")]).join(",");
}

/** The field names a typed `fields` value selects (`id` always); undefined for the raw string. @internal */
export function selectedFields(fields: FieldsInput | undefined): Set<string> | undefined {
  if (fields === undefined || typeof fields === "string") return;
  const { add = [], remove = [] } = fields as { add?: string[]; remove?: string[] };
  const set = new Set<string>(Array.isArray(fields) ? fields : [...DEFAULT_FIELDS, ...add]);
  if (!Array.isArray(fields)) for (const f of remove) set.delete(f);
  return set.add("id");
}

/** Criteria of the `apiTokenSelector` parameter; all given criteria must match. */
export interface SelectorInput {
  /** The owner (case-sensitive). */
  owner?: string;
  /** `true` for personal access tokens only, `false` for API tokens only. */
  personalAccessToken?: boolean;
  /** Tokens with any of these scopes. */
  scopes?: readonly ResponseTokenScope[];
}

const quote = (s: string) => `"${String(s).replace(/[\\"]/g, "\\$&")}"`;

/**
 * Builds the `apiTokenSelector` parameter, quoting values and escaping `"` and `\` with a backslash:
 * `apiTokenSelector({ owner: 'a"b', scopes: ["metrics.read"] })` is `owner("a\"b"),scope("metrics.read")`.
 */
export function apiTokenSelector(input: SelectorInput): string {
  const { owner, personalAccessToken: pat, scopes } = input ?? {};
  if (
    typeof (owner ?? "") !== "string" ||
    typeof (pat ?? true) !== "boolean" ||
    (scopes && !scopes.map?.(quote)[0])
  )
    fail("selector: expected { owner?: string, personalAccessToken?: boolean, scopes?: [...] }");
  return [
    owner !== undefined && `owner(${quote(owner)})`,
    pat !== undefined && `personalAccessToken(${pat})`,
    scopes && `scope(${scopes.map(quote)})`,
  ]
    .filter(Boolean)
    .join(",");
}

/** A point in time for `from`, `to` or `expirationDate`: a Date, epoch milliseconds or a Dynatrace timeframe string. */
export type TimeframeInput = Date | number | string;

const TIMEFRAME =
  /^(\d+|\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?|now([+-]\d+[mhdwMy](\/[mhdwMy])?)?)$/;

/**
 * Converts a timeframe to the string Dynatrace accepts, or throws naming `param` and the accepted
 * formats. A Date becomes `yyyy-MM-ddTHH:mm:ss.SSSZ`; numbers are epoch milliseconds; strings may be
 * epoch milliseconds, ISO-like date-times (`2021-01-25T05:57:01.123+01:00`, `T` or a space, zone,
 * seconds and fraction optional), `now` or `now-NU` / `now-NU/A` (units m h d w M y). With
 * `future: true` (expiration dates) relative strings go forward instead: `now+14d`.
 */
export function timeframe(value: TimeframeInput, param = "timeframe", future = false): string {
  const s = value instanceof Date ? (value.getTime() >= 0 ? value.toISOString() : "") : String(value).trim();
  // Relative: now-… (or plain now) for from/to, now+… for expirations.
  return TIMEFRAME.test(s) && (s[0] !== "n" || future === (s[3] === "+"))
    ? s
    : fail(
        `${param}: got ${JSON.stringify(value)}; expected a Date, epoch ms, 2021-01-25T05:57:01Z or ${future ? "now+14d" : "now-1d/d"}`,
      );
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

const SECRET_FORMAT = /^dt0c01\.([A-Z2-7]{24})\.[A-Z2-7]{64}$/;

/** Whether `value` is a token secret in Dynatrace's current format (`dt0c01.<24>.<64>`, base32). */
export function isTokenSecret(value: unknown): value is string {
  return SECRET_FORMAT.test(value as string);
}

/**
 * Splits a `dt0c01` token secret into prefix, public part and id (never the private part), or throws
 * an error that describes the expected format without repeating the input.
 */
export function parseTokenSecret(secret: string): TokenSecretParts {
  const m = SECRET_FORMAT.exec(String(secret));
  return m
    ? { prefix: "dt0c01", publicPart: m[1]!, id: `dt0c01.${m[1]}` }
    : fail("not a token secret: expected dt0c01.<24 chars>.<64 chars> of A-Z and 2-7");
}

/** Checks a secret before it is sent: anything but empty, whitespace or control characters. @internal */
export function checkSecret(value: unknown, param: string): string {
  return typeof value === "string" && /^[!-~]+$/.test(value)
    ? value
    : fail(`${param}: expected the bare secret, no "Api-Token " or whitespace`);
}

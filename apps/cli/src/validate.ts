/**
 * Checks of everything a person types, before anything is sent. Each failure says what was wrong
 * and what is accepted, and never repeats a token secret.
 */

import {
  API_TOKEN_FIELDS,
  isTokenSecret,
  KNOWN_RESPONSE_SCOPES,
  LIST_SORT_KEYS,
  type ListSort,
  TOKEN_SCOPES,
  type TokenScope,
  timeframe,
} from "@dt-tokens/client";
import { formatDate } from "@dt-tokens/client/display";
import {
  ACTIVEGATE_TOKEN_MAX_LIFETIME_MS,
  durationInOneUnit,
  isSecret,
  parseDurationMs,
  parseTimeframe,
  SECRET_FORMATS,
  type SecretFormat,
  type SecretKind,
} from "@dt-tokens/types";
import { closest, distance } from "fastest-levenshtein";
import { CHECKS, type Check } from "./audit.js";
import { UsageError } from "./errors.js";
import { looksLikeSecret } from "./secrets.js";

const LOWER = new Map<string, string>(KNOWN_RESPONSE_SCOPES.map((s) => [s.toLowerCase(), s]));

/** The closest known scope, if one is close enough to be a likely typo. */
export function suggestScope(
  input: string,
  known: readonly string[] = KNOWN_RESPONSE_SCOPES,
): string | undefined {
  const same = LOWER.get(input.toLowerCase());
  if (same && known.includes(same)) return same;
  const best = closest(input, known as string[]);
  return distance(input, best) <= Math.max(2, Math.floor(input.length / 4)) ? best : undefined;
}

/** Splits repeatable, comma-separated flag values: `--scope a,b --scope c` → a, b, c. */
export function splitList(values: readonly string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
}

/**
 * Scopes for create and update: each must be assignable (one of the 91 scopes Dynatrace accepts in
 * requests). `flag` names the option in the message.
 */
export function assignableScopes(values: readonly string[], flag: string): TokenScope[] {
  return checkScopes(values, flag, TOKEN_SCOPES) as TokenScope[];
}

/** Scopes for filters and removal: any scope a token can carry, legacy ones included. */
export function knownScopes(values: readonly string[], flag: string): string[] {
  return checkScopes(values, flag, KNOWN_RESPONSE_SCOPES);
}

function checkScopes(values: readonly string[], flag: string, known: readonly string[]): string[] {
  for (const scope of values) {
    if (known.includes(scope)) continue;
    const legacy = KNOWN_RESPONSE_SCOPES.includes(scope as never);
    if (legacy) {
      throw new UsageError(`${flag}: the legacy scope "${scope}" can no longer be assigned to a token`, [
        "hint: `dt-tokens scopes` lists the scopes that can be assigned",
      ]);
    }
    const hint = suggestScope(scope, known);
    throw new UsageError(`${flag}: unknown scope "${scope}"${hint ? `; did you mean "${hint}"?` : ""}`, [
      "hint: `dt-tokens scopes` lists every scope (names are case-sensitive)",
    ]);
  }
  return [...new Set(values)];
}

export const TIME_FORMATS =
  "accepted formats: 2025-01-31, 2025-01-31T13:45:00Z, 2025-01-31T13:45:00.123+01:00, epoch milliseconds";

/**
 * A relative time in the one duration grammar (@dt-tokens/types) as Dynatrace's relative times
 * take it: a bare duration is that long from now in the flag's direction (`--expires 90d` is
 * `now+90d`, `--used-to 90d` is `now-90d`), and a combined one is said in one unit (`now+1d12h` is
 * `now+36h`). Anything else is left as it is.
 */
function relativeTime(input: string, direction: "past" | "future"): string {
  const bare = parseDurationMs(input);
  if (bare !== undefined) {
    const one = durationInOneUnit(bare);
    return one === undefined ? input : `now${direction === "future" ? "+" : "-"}${one}`;
  }
  const relative = /^now([+-])([0-9smhdw]+)(\/[mhdwMy])?$/.exec(input);
  const ms = relative ? parseDurationMs(relative[2]!) : undefined;
  const one = ms === undefined ? undefined : durationInOneUnit(ms);
  return relative && one !== undefined ? `now${relative[1]}${one}${relative[3] ?? ""}` : input;
}

/**
 * A point in time for --used-from/--used-to (`past`) or --expires (`future`), as the API expects it.
 * A bare date (2025-01-31) means midnight UTC (the client and the API take it as it is).
 */
export function timeArg(value: string, flag: string, direction: "past" | "future"): string {
  const relative = direction === "future" ? "now+30d" : "now-90d";
  const formats = `${TIME_FORMATS}, relative ${relative} (units m h d w M y, m minutes and M months${direction === "past" ? ", /d to round down" : ""}), or a duration such as ${direction === "future" ? "90d or 1d12h from now" : "90d or 1d12h ago"}`;
  const input = relativeTime(value.trim(), direction);
  let result: string;
  try {
    result = timeframe(input, flag, direction === "future");
  } catch {
    if (/^now[+-]/.test(input) && (input[3] === "+") !== (direction === "future")) {
      throw new UsageError(
        `${flag}: "${value.trim()}" points ${input[3] === "+" ? "into the future" : "into the past"}; use ${relative}`,
      );
    }
    throw new UsageError(`${flag}: "${value.trim()}" is not a date or time; ${formats}`);
  }
  if (!result.startsWith("now")) {
    // Read as the API reads it (parseTimeframe: a time without a zone is UTC), not in this machine's zone.
    const now = Date.now();
    const ms = parseTimeframe(result, now);
    if (ms === undefined) throw new UsageError(`${flag}: "${value.trim()}" is not a valid date; ${formats}`);
    if (direction === "future" && ms <= now)
      throw new UsageError(
        `${flag}: "${value.trim()}" is in the past; a token's expiry must be in the future`,
      );
  }
  return result;
}

/**
 * --expires of create and rotate: a time in the future, or `never` for a token that never expires
 * (returned as "never": commander turns a parser's null into "").
 */
export function expiresArg(value: string): string {
  return value.trim() === "never" ? "never" : timeArg(value, "--expires", "future");
}

/** The longest an ActiveGate token may live, in whole days (from ACTIVEGATE_TOKEN_MAX_LIFETIME_MS of @dt-tokens/types). */
const ACTIVEGATE_MAX_DAYS = Math.floor(ACTIVEGATE_TOKEN_MAX_LIFETIME_MS / parseDurationMs("1d")!);

/**
 * An ActiveGate token's --expires: in the future (expiresArg) and at most
 * ACTIVEGATE_TOKEN_MAX_LIFETIME_MS ahead (2 years; `now+2y` is accepted), or never.
 */
export function activeGateExpiresArg(value: string, flag = "--expires"): string {
  const expires = expiresArg(value);
  if (expires === "never") return expires;
  const now = Date.now();
  const at = parseTimeframe(expires, now);
  if (at !== undefined && at - now > ACTIVEGATE_TOKEN_MAX_LIFETIME_MS)
    throw new UsageError(
      `${flag}: "${value.trim()}" (${formatDate(at)}) is more than ${ACTIVEGATE_MAX_DAYS} days from now; an ActiveGate token may expire at most ${ACTIVEGATE_MAX_DAYS} days from now`,
      ["hint: e.g. --expires now+1y, --expires now+90d, or --expires never"],
    );
  return expires;
}

/** A whole number within bounds. */
export function intArg(value: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || n < min || n > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER
        ? `a whole number of at least ${min}`
        : `a whole number from ${min} to ${max}`;
    throw new UsageError(`${flag}: expected ${range}, got "${value}"`);
  }
  return n;
}

export const SORT_KEYS = LIST_SORT_KEYS;
export type SortArg = ListSort;

export function sortArg(value: string): SortArg {
  const key = value.replace(/^[+-]/, "");
  if (!(SORT_KEYS as readonly string[]).includes(key)) {
    throw new UsageError(
      `--sort: unknown sort key "${value}"; expected one of ${SORT_KEYS.join(", ")}, optionally prefixed with - (descending) or + (ascending)`,
    );
  }
  return value as SortArg;
}

export type Field = (typeof API_TOKEN_FIELDS)[number];

/** The fields in the order people read them (API_TOKEN_FIELDS is in no particular order). */
const READING_ORDER: readonly Field[] = [
  "id",
  "name",
  "owner",
  "enabled",
  "personalAccessToken",
  "creationDate",
  "modifiedDate",
  "lastUsedDate",
  "lastUsedIpAddress",
  "expirationDate",
  "scopes",
  "additionalMetadata",
];

/** Every field: the ones above in reading order, then any the spec adds (from API_TOKEN_FIELDS). */
export const FIELD_ORDER: readonly Field[] = [
  ...READING_ORDER,
  ...API_TOKEN_FIELDS.filter((f) => !READING_ORDER.includes(f)),
];

/**
 * --fields: `a,b` replaces the default columns, `+a` adds, `-a` removes (mixable). `id` is always
 * first.
 */
export function fieldsArg(value: string, defaults: readonly Field[]): Field[] {
  const items = value
    .split(",")
    .map((f) => f.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`--fields: expected field names, e.g. name,owner,+scopes`);
  const relative = items.some((f) => /^[+-]/.test(f));
  const result = new Set<Field>(relative ? defaults : []);
  for (const item of items) {
    const name = item.replace(/^[+-]/, "");
    if (!(FIELD_ORDER as readonly string[]).includes(name)) {
      const hint = closest(name, [...FIELD_ORDER]);
      throw new UsageError(
        `--fields: unknown field "${name}"${distance(name, hint) <= 3 ? ` (did you mean "${hint}"?)` : ""}; fields are ${FIELD_ORDER.join(", ")}`,
      );
    }
    if (item.startsWith("-")) result.delete(name as Field);
    else result.add(name as Field);
  }
  result.delete("id");
  return ["id", ...result];
}

/** The longest name the API accepts (in UTF-16 code units, as the server counts). */
export const NAME_MAX_LENGTH = 1000;

/** A token name for create and update: not empty, at most {@link NAME_MAX_LENGTH} characters. */
export function nameArg(value: string, flag: string): string {
  const name = value.trim();
  if (!name) throw new UsageError(`${flag}: a token needs a name`);
  if (name.length > NAME_MAX_LENGTH)
    throw new UsageError(
      `${flag}: the name is ${name.length} characters long; Dynatrace accepts at most ${NAME_MAX_LENGTH}`,
    );
  return name;
}

/** The format of a kind of secret (@dt-tokens/types, the one home of prefixes and lengths). */
function formatOf(kind: SecretKind): SecretFormat {
  return SECRET_FORMATS.find((f) => f.kind === kind)!;
}

/** A format's id as the CLI accepts it: its prefix, a dot and its public part in the alphabet Dynatrace issues (A-Z, 2-7). */
function idSource(format: SecretFormat): string {
  return `${format.prefix}\\.[A-Z2-7]{${format.publicLength}}`;
}

const API_FORMAT = formatOf("api-token");
const ID_FORMAT = new RegExp(`^${idSource(API_FORMAT)}$`);
/** An id followed by a dot and more: a secret, perhaps cut short. */
const ID_AND_MORE = new RegExp(`^${idSource(API_FORMAT)}\\.\\S`);

/**
 * A token id argument: dt0c01. and 24 characters of A-Z and 2-7 (the format of @dt-tokens/types).
 * Secrets are refused (and not repeated): an argument shows up in shell history and the process list.
 */
export function idArg(value: string): string {
  const id = value.trim();
  if (isTokenSecret(id) || ID_AND_MORE.test(id) || looksLikeSecret(id)) {
    throw new UsageError(
      "that argument is a token secret, not a token id: secrets are never accepted as arguments",
      [
        `hint: pass the id (the first two parts, ${API_FORMAT.prefix}.<${API_FORMAT.publicLength} characters>); the secret may now be in your shell history`,
      ],
    );
  }
  if (!ID_FORMAT.test(id))
    throw new UsageError(
      `"${id}" is not a token id: expected ${API_FORMAT.prefix}. and ${API_FORMAT.publicLength} characters of A-Z and 2-7, like ${API_FORMAT.prefix}.ST2EY72KQINMH574WMNVI7YN`,
      ["hint: `dt-tokens list` shows the ids of existing tokens"],
    );
  return id;
}

/** --check: audit check names, comma-separated. */
export function checksArg(value: string): Check[] {
  const names = splitList([value]);
  for (const name of names)
    if (!(CHECKS as readonly string[]).includes(name))
      throw new UsageError(`--check: unknown check "${name}"; expected ${CHECKS.join(", ")}`);
  return names as Check[];
}

/** --used-from must not be after --used-to, read as the API reads them (parseTimeframe: UTC, calendar months). */
export function checkWindow(from: string | undefined, to: string | undefined): void {
  if (from === undefined || to === undefined) return;
  const now = Date.now();
  const start = parseTimeframe(from, now);
  const end = parseTimeframe(to, now);
  if (start !== undefined && end !== undefined && start > end)
    throw new UsageError(`--used-from (${from}) is after --used-to (${to}): the window is empty`);
}

const AG_FORMAT = formatOf("activegate-token");
const AG_ID_FORMAT = new RegExp(`^${idSource(AG_FORMAT)}$`);

/**
 * An ActiveGate token id argument: dt0g02. and 8 characters of A-Z and 2-7 (the format of
 * @dt-tokens/types). A secret is refused and not repeated, as by idArg.
 */
export function activeGateIdArg(value: string): string {
  const id = value.trim();
  if (isSecret(id) || looksLikeSecret(id))
    throw new UsageError(
      "that argument is a token secret, not a token id: secrets are never accepted as arguments",
      [
        `hint: pass the id (the first two parts, ${AG_FORMAT.prefix}.<${AG_FORMAT.publicLength} characters>); the secret may now be in your shell history`,
      ],
    );
  if (!AG_ID_FORMAT.test(id))
    throw new UsageError(
      `"${id}" is not an ActiveGate token id: expected ${AG_FORMAT.prefix}. and ${AG_FORMAT.publicLength} characters of A-Z and 2-7, like ${AG_FORMAT.prefix}.ABCDEFGH`,
      ["hint: `dt-tokens ag-tokens list` shows the ids of existing ActiveGate tokens"],
    );
  return id;
}

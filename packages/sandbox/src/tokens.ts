/** Conversions between stored rows and the API's shapes, and seeding. */
import type { ApiToken, ApiTokenField } from "@dt-tokens/types";
import { generateTokenSecrets, hashSecret, tokenIdOf } from "./secrets.js";
import type { ListedColumn, NewTokenRow, PageRow } from "./store.js";
import { DATE_RANGE, formatDate, inDateRange, parseTimeframe, TIMEFRAME_FORMATS } from "./time.js";

/** Every field in the order responses show them. */
export const FIELD_ORDER = [
  "id",
  "name",
  "enabled",
  "personalAccessToken",
  "owner",
  "creationDate",
  "expirationDate",
  "lastUsedDate",
  "lastUsedIpAddress",
  "modifiedDate",
  "scopes",
  "additionalMetadata",
] as const satisfies readonly ApiTokenField[];

export const DEFAULT_FIELDS: readonly ApiTokenField[] = ["id", "name", "enabled", "owner", "creationDate"];

/** The column each field is made of. */
const FIELD_COLUMNS: Record<(typeof FIELD_ORDER)[number], ListedColumn> = {
  id: "id",
  name: "name",
  enabled: "enabled",
  personalAccessToken: "personal",
  owner: "owner",
  creationDate: "creation_ms",
  expirationDate: "expiration_ms",
  lastUsedDate: "last_used_ms",
  lastUsedIpAddress: "last_used_ip",
  modifiedDate: "modified_ms",
  scopes: "scopes",
  additionalMetadata: "metadata",
};

/**
 * The columns a list page must read to show these fields. The address of the last use comes with
 * its date: which use is the latest (last use only moves forward, last-use.ts) decides the address
 * shown, also when the date is not.
 */
export function columnsOf(fields: Iterable<ApiTokenField>): ListedColumn[] {
  const columns = new Set([...fields].map((field) => FIELD_COLUMNS[field as keyof typeof FIELD_COLUMNS]));
  if (columns.has("last_used_ip")) columns.add("last_used_ms");
  return [...columns];
}

/**
 * A row as an ApiToken with the given fields; absent values (never used, never expires) are
 * omitted. The row must hold the columns of those fields (all of them for "all").
 */
export function toApiToken(row: PageRow, fields: ReadonlySet<ApiTokenField> | "all" = "all"): ApiToken {
  const want = (f: ApiTokenField) => fields === "all" || fields.has(f);
  const out: ApiToken = {};
  for (const field of FIELD_ORDER) {
    if (!want(field)) continue;
    switch (field) {
      case "id":
        out.id = row.id!;
        break;
      case "name":
        out.name = row.name!;
        break;
      case "enabled":
        out.enabled = row.enabled === 1;
        break;
      case "personalAccessToken":
        out.personalAccessToken = row.personal === 1;
        break;
      case "owner":
        out.owner = row.owner!;
        break;
      case "creationDate":
        out.creationDate = formatDate(row.creation_ms!);
        break;
      case "expirationDate":
        if (row.expiration_ms != null) out.expirationDate = formatDate(row.expiration_ms);
        break;
      case "lastUsedDate":
        if (row.last_used_ms != null) out.lastUsedDate = formatDate(row.last_used_ms);
        break;
      case "lastUsedIpAddress":
        if (row.last_used_ip != null) out.lastUsedIpAddress = row.last_used_ip;
        break;
      case "modifiedDate":
        if (row.modified_ms != null) out.modifiedDate = formatDate(row.modified_ms);
        break;
      case "scopes":
        out.scopes = JSON.parse(row.scopes!) as string[];
        break;
      case "additionalMetadata":
        if (row.metadata != null)
          out.additionalMetadata = JSON.parse(row.metadata) as ApiToken["additionalMetadata"];
        break;
    }
  }
  return out;
}

/** A date for seeding: a Date, epoch milliseconds, or any timeframe string the API accepts. */
export type SeedDate = Date | number | string;

/** A token to seed directly into the database (sandbox-only; not part of the Dynatrace API). */
export interface SeedToken {
  name: string;
  /** Default `admin`. */
  owner?: string;
  /** Any strings: legacy and unknown scopes are allowed here, as real environments have them. Default none. */
  scopes?: readonly string[];
  /** Default false. */
  personalAccessToken?: boolean;
  /** Default true. */
  enabled?: boolean;
  /** Default now. */
  creationDate?: SeedDate;
  lastUsedDate?: SeedDate | null;
  lastUsedIpAddress?: string | null;
  /** Absent or null: never expires. May be in the past (an expired token). */
  expirationDate?: SeedDate | null;
  modifiedDate?: SeedDate | null;
  additionalMetadata?: Record<string, unknown> | null;
  /** A chosen secret (`dt0c01.<24>.<64>`, base32); default a new one from the CSPRNG. */
  token?: string;
}

/** A seeded token: its full metadata plus its secret (`token`), which only the seeder ever sees. */
export type SeededToken = ApiToken & { id: string; token: string };

function seedDate(value: SeedDate, where: string, now: number): number {
  let ms: number | undefined;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === "number") ms = value;
  else if (typeof value === "string") ms = parseTimeframe(value, now) ?? Date.parse(value);
  if (ms === undefined || !Number.isFinite(ms)) {
    throw new TypeError(`${where} is not a date: use a Date, epoch milliseconds or ${TIMEFRAME_FORMATS}.`);
  }
  if (!inDateRange(ms)) throw new TypeError(`${where} must be a date ${DATE_RANGE}.`);
  return Math.trunc(ms);
}

function optionalDate(value: SeedDate | null | undefined, where: string, now: number): number | null {
  return value === undefined || value === null ? null : seedDate(value, where, now);
}

/** Validates seed tokens and turns them into rows; throws a TypeError naming the bad token and field. */
export function seedRows(
  tokens: readonly SeedToken[],
  now: number,
): { rows: NewTokenRow[]; secrets: string[] } {
  if (!Array.isArray(tokens)) throw new TypeError("seed() takes an array of tokens.");
  const fresh = generateTokenSecrets(tokens.filter((t) => t?.token === undefined).length);
  let next = 0;
  const rows: NewTokenRow[] = new Array(tokens.length);
  const secrets: string[] = new Array(tokens.length);
  const seen = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const at = `tokens[${i}]`;
    if (typeof t !== "object" || t === null) throw new TypeError(`${at} must be an object.`);
    if (typeof t.name !== "string" || t.name.trim() === "")
      throw new TypeError(`${at}.name must be a non-empty string.`);
    if (t.owner !== undefined && (typeof t.owner !== "string" || t.owner === "")) {
      throw new TypeError(`${at}.owner must be a non-empty string.`);
    }
    if (
      t.scopes !== undefined &&
      (!Array.isArray(t.scopes) || (t.scopes as unknown[]).some((s) => typeof s !== "string"))
    ) {
      throw new TypeError(`${at}.scopes must be an array of strings.`);
    }
    for (const flag of ["personalAccessToken", "enabled"] as const) {
      if (t[flag] !== undefined && typeof t[flag] !== "boolean")
        throw new TypeError(`${at}.${flag} must be a boolean.`);
    }
    if (
      t.lastUsedIpAddress !== undefined &&
      t.lastUsedIpAddress !== null &&
      typeof t.lastUsedIpAddress !== "string"
    ) {
      throw new TypeError(`${at}.lastUsedIpAddress must be a string.`);
    }
    if (
      t.additionalMetadata !== undefined &&
      t.additionalMetadata !== null &&
      (typeof t.additionalMetadata !== "object" || Array.isArray(t.additionalMetadata))
    ) {
      throw new TypeError(`${at}.additionalMetadata must be an object.`);
    }
    let secret: string;
    if (t.token !== undefined) {
      if (typeof t.token !== "string" || tokenIdOf(t.token) === undefined) {
        throw new TypeError(
          `${at}.token must be a sandbox secret: dt0c01.<24 chars>.<64 chars>, characters A-Z and 2-7.`,
        );
      }
      secret = t.token;
    } else {
      secret = fresh[next++]!;
    }
    const id = tokenIdOf(secret)!;
    if (seen.has(id)) throw new TypeError(`${at}.token repeats the id of an earlier token.`);
    seen.add(id);
    secrets[i] = secret;
    rows[i] = {
      id,
      secret_hash: hashSecret(secret),
      name: t.name,
      owner: t.owner ?? "admin",
      personal: t.personalAccessToken ? 1 : 0,
      enabled: t.enabled === false ? 0 : 1,
      scopes: JSON.stringify([...new Set(t.scopes ?? [])]),
      creation_ms: t.creationDate === undefined ? now : seedDate(t.creationDate, `${at}.creationDate`, now),
      expiration_ms: optionalDate(t.expirationDate, `${at}.expirationDate`, now),
      last_used_ms: optionalDate(t.lastUsedDate, `${at}.lastUsedDate`, now),
      last_used_ip: t.lastUsedIpAddress ?? null,
      modified_ms: optionalDate(t.modifiedDate, `${at}.modifiedDate`, now),
      metadata: t.additionalMetadata ? JSON.stringify(t.additionalMetadata) : null,
    };
  }
  return { rows, secrets };
}

/**
 * `nextPageKey`: an opaque, tamper-proof cursor that stays small whatever the query. The query
 * itself (filter with the timeframe resolved to absolute times and the snapshot bound, sort,
 * fields, page size) is kept in the database under a hash of its text; the key carries that hash,
 * the keyset position (sort value and sequence number of the last token on the page) and the time
 * it was issued, as base64url JSON signed with HMAC-SHA256 under a per-database key. A key that
 * does not verify is a 400.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { ListQuery } from "./query.js";

/** How long a nextPageKey stays valid after it was issued. */
export const PAGE_KEY_TTL_MS = 60 * 60 * 1000;

interface PageCursor {
  query: ListQuery;
  after: { value: string | number; seq: number };
  issuedAt: number;
}

/** Where the queries behind keys are kept (the token store). */
interface QueryMemory {
  pageKeySecret(): Buffer;
  rememberQuery(hash: Buffer, query: string, now: number): void;
  recallQuery(hash: Buffer): string | undefined;
}

interface Payload {
  v: 2;
  /** base64url of the first 16 bytes of the SHA-256 of the query's JSON */
  q: string;
  a: [string | number, number];
  i: number;
}

function sign(secret: Buffer, data: string): Buffer {
  return createHmac("sha256", secret).update(data).digest();
}

/** A query as page keys refer to it: its JSON text and the hash a key carries. */
export function pageQueryOf(query: ListQuery): { hash: Buffer; text: string } {
  const text = JSON.stringify(query);
  return { hash: createHash("sha256").update(text).digest().subarray(0, 16), text };
}

export function encodePageKey(memory: QueryMemory, cursor: PageCursor): string {
  const { hash, text } = pageQueryOf(cursor.query);
  memory.rememberQuery(hash, text, cursor.issuedAt);
  const payload: Payload = {
    v: 2,
    q: hash.toString("base64url"),
    a: [cursor.after.value, cursor.after.seq],
    i: cursor.issuedAt,
  };
  const data = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${data}.${sign(memory.pageKeySecret(), data).toString("base64url")}`;
}

/**
 * The longest key body this sandbox issues, with room to spare: a cursor on a 1000-character name
 * whose every character JSON escapes as `\uXXXX` is about 8,100 base64url characters.
 */
const MAX_KEY_DATA_CHARS = 12_000;
const KEY_PATTERN = new RegExp(`^([A-Za-z0-9_-]{1,${MAX_KEY_DATA_CHARS}})\\.([A-Za-z0-9_-]{43})$`);

type DecodeResult = { ok: true; cursor: PageCursor } | { ok: false; reason: "invalid" | "expired" };

/** Verifies and decodes a key. Only keys this database signed decode; their content is trusted. */
export function decodePageKey(memory: QueryMemory, key: string, now: number): DecodeResult {
  const invalid = { ok: false, reason: "invalid" } as const;
  const match = KEY_PATTERN.exec(key);
  if (!match) return invalid;
  const [, data, mac] = match;
  const expected = sign(memory.pageKeySecret(), data!);
  const presented = Buffer.from(mac!, "base64url");
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return invalid;
  // The last of the 43 characters has two padding bits: only the canonical spelling is the key we issued.
  if (presented.toString("base64url") !== mac) return invalid;
  let p: Payload;
  try {
    p = JSON.parse(Buffer.from(data!, "base64url").toString("utf8")) as Payload;
  } catch {
    return invalid;
  }
  if (p.v !== 2) return invalid;
  if (now - p.i > PAGE_KEY_TTL_MS || p.i - now > PAGE_KEY_TTL_MS) return { ok: false, reason: "expired" };
  const query = memory.recallQuery(Buffer.from(p.q, "base64url"));
  if (query === undefined) return { ok: false, reason: "expired" };
  return {
    ok: true,
    cursor: { query: JSON.parse(query) as ListQuery, after: { value: p.a[0], seq: p.a[1] }, issuedAt: p.i },
  };
}

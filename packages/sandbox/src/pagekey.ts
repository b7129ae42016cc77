/**
 * `nextPageKey`: an opaque, tamper-proof, self-contained cursor. It carries the query itself (filter
 * with the timeframe resolved to absolute times and the snapshot bound, sort, fields, page size),
 * the keyset position (sort value and sequence number of the last token on the page) and the time
 * it was issued, as deflated JSON in base64url, signed with HMAC-SHA256 under a per-database key.
 * Nothing is stored: a key is valid in every process serving the database and after a restart,
 * whatever held the database's write lock when it was issued. A key that does not verify is a 400.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { ListQuery } from "./query.js";

/** How long a nextPageKey stays valid after it was issued. */
export const PAGE_KEY_TTL_MS = 60 * 60 * 1000;

interface PageCursor {
  query: ListQuery;
  after: { value: string | number; seq: number };
  issuedAt: number;
}

/** Where the signing key lives (the token store: one per database). */
interface KeySecret {
  pageKeySecret(): Buffer;
}

interface Payload {
  v: 3;
  q: ListQuery;
  a: [string | number, number];
  i: number;
}

function sign(secret: Buffer, data: string): Buffer {
  return createHmac("sha256", secret).update(data).digest();
}

export function encodePageKey(memory: KeySecret, cursor: PageCursor): string {
  const payload: Payload = {
    v: 3,
    q: cursor.query,
    a: [cursor.after.value, cursor.after.seq],
    i: cursor.issuedAt,
  };
  const data = deflateRawSync(JSON.stringify(payload)).toString("base64url");
  return `${data}.${sign(memory.pageKeySecret(), data).toString("base64url")}`;
}

/**
 * The longest key body accepted. A request line cannot be longer than Node's header limit (16 KiB),
 * so no key that arrives is longer; the keys issued are about as long as the query they continue,
 * compressed.
 */
const MAX_KEY_DATA_CHARS = 16_384;
const KEY_PATTERN = new RegExp(`^([A-Za-z0-9_-]{1,${MAX_KEY_DATA_CHARS}})\\.([A-Za-z0-9_-]{43})$`);
/** A signed key inflates to what was deflated; the bound only guards against a bug. */
const MAX_PAYLOAD_BYTES = 1024 * 1024;

type DecodeResult = { ok: true; cursor: PageCursor } | { ok: false; reason: "invalid" | "expired" };

/** Verifies and decodes a key. Only keys this database signed decode; their content is trusted. */
export function decodePageKey(memory: KeySecret, key: string, now: number): DecodeResult {
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
    const json = inflateRawSync(Buffer.from(data!, "base64url"), { maxOutputLength: MAX_PAYLOAD_BYTES });
    p = JSON.parse(json.toString("utf8")) as Payload;
  } catch {
    return invalid;
  }
  if (p?.v !== 3) return invalid;
  if (now - p.i > PAGE_KEY_TTL_MS || p.i - now > PAGE_KEY_TTL_MS) return { ok: false, reason: "expired" };
  return { ok: true, cursor: { query: p.q, after: { value: p.a[0], seq: p.a[1] }, issuedAt: p.i } };
}

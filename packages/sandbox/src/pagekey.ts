/**
 * `nextPageKey`: an opaque, tamper-proof, self-contained cursor, one scheme for every list the sandbox
 * pages (API tokens, ActiveGate tokens). A key carries what the next page needs (for API tokens the
 * query itself, with the timeframe resolved to absolute times and the snapshot bound; the keyset
 * position of the last item on the page), the list it belongs to and the time it was issued, as
 * deflated JSON in base64url, signed with HMAC-SHA256 under a per-database key. Nothing is stored: a
 * key is valid in every process serving the database and after a restart, whatever held the
 * database's write lock when it was issued. A key that does not verify, or belongs to another list,
 * is a 400.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";

/** How long a nextPageKey stays valid after it was issued. */
export const PAGE_KEY_TTL_MS = 60 * 60 * 1000;

/** The lists that hand out page keys; a key of one never continues another. */
export type PagedList = "apiTokens" | "activeGateTokens";

/** Where the signing key lives (the token store: one per database). */
interface KeySecret {
  pageKeySecret(): Buffer;
}

interface Payload<T> {
  v: 4;
  l: PagedList;
  d: T;
  i: number;
}

function sign(secret: Buffer, data: string): Buffer {
  return createHmac("sha256", secret).update(data).digest();
}

/** A signed key for `data`, the cursor of one list. */
export function encodePageKey<T>(memory: KeySecret, list: PagedList, data: T, issuedAt: number): string {
  const payload: Payload<T> = { v: 4, l: list, d: data, i: issuedAt };
  const body = deflateRawSync(JSON.stringify(payload)).toString("base64url");
  return `${body}.${sign(memory.pageKeySecret(), body).toString("base64url")}`;
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

export type DecodeResult<T> = { ok: true; data: T } | { ok: false; reason: "invalid" | "expired" };

/** Verifies and decodes a key of `list`. Only keys this database signed decode; their content is trusted. */
export function decodePageKey<T>(
  memory: KeySecret,
  list: PagedList,
  key: string,
  now: number,
): DecodeResult<T> {
  const invalid = { ok: false, reason: "invalid" } as const;
  const match = KEY_PATTERN.exec(key);
  if (!match) return invalid;
  const [, body, mac] = match;
  const expected = sign(memory.pageKeySecret(), body!);
  const presented = Buffer.from(mac!, "base64url");
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return invalid;
  // The last of the 43 characters has two padding bits: only the canonical spelling is the key we issued.
  if (presented.toString("base64url") !== mac) return invalid;
  let p: Payload<T>;
  try {
    const json = inflateRawSync(Buffer.from(body!, "base64url"), { maxOutputLength: MAX_PAYLOAD_BYTES });
    p = JSON.parse(json.toString("utf8")) as Payload<T>;
  } catch {
    return invalid;
  }
  if (p?.v !== 4 || p.l !== list) return invalid;
  if (now - p.i > PAGE_KEY_TTL_MS || p.i - now > PAGE_KEY_TTL_MS) return { ok: false, reason: "expired" };
  return { ok: true, data: p.d };
}

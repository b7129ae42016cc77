/**
 * `nextPageKey`: an opaque, tamper-proof cursor. It encodes the original query (filter with the
 * timeframe resolved to absolute times, sort, fields, page size), the snapshot bound (the highest
 * token sequence number when page one was served), the keyset position (sort value and sequence
 * number of the last token on the page) and the time it was issued; base64url JSON signed with
 * HMAC-SHA256 under a per-database key. A key that does not verify is a 400.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { ApiTokenField } from "@dt-tokens/types";
import type { ListQuery } from "./query.js";
import type { SortField } from "./store.js";

/** How long a nextPageKey stays valid after it was issued. */
export const PAGE_KEY_TTL_MS = 60 * 60 * 1000;

interface PageCursor {
  query: ListQuery;
  after: { value: string | number; seq: number };
  issuedAt: number;
}

interface Payload {
  v: 1;
  o: string[];
  p?: boolean;
  s: string[][];
  f?: number;
  t?: number;
  m: number;
  so: [SortField, 0 | 1];
  fi: ApiTokenField[];
  ps: number;
  a: [string | number, number];
  i: number;
}

function sign(secret: Buffer, data: string): Buffer {
  return createHmac("sha256", secret).update(data).digest();
}

export function encodePageKey(secret: Buffer, cursor: PageCursor): string {
  const { query } = cursor;
  const payload: Payload = {
    v: 1,
    o: query.filter.owners,
    s: query.filter.scopeGroups,
    m: query.filter.maxSeq ?? 0,
    so: [query.sort.field, query.sort.descending ? 1 : 0],
    fi: query.fields,
    ps: query.pageSize,
    a: [cursor.after.value, cursor.after.seq],
    i: cursor.issuedAt,
  };
  if (query.filter.personal !== undefined) payload.p = query.filter.personal;
  if (query.filter.fromMs !== undefined) payload.f = query.filter.fromMs;
  if (query.filter.toMs !== undefined) payload.t = query.filter.toMs;
  const data = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${data}.${sign(secret, data).toString("base64url")}`;
}

type DecodeResult = { ok: true; cursor: PageCursor } | { ok: false; reason: "invalid" | "expired" };

/** Verifies and decodes a key. Only keys this database signed decode; their content is trusted. */
export function decodePageKey(secret: Buffer, key: string, now: number): DecodeResult {
  const invalid = { ok: false, reason: "invalid" } as const;
  const match = /^([A-Za-z0-9_-]{1,20000})\.([A-Za-z0-9_-]{43})$/.exec(key);
  if (!match) return invalid;
  const [, data, mac] = match;
  const expected = sign(secret, data!);
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
  if (p.v !== 1) return invalid;
  if (now - p.i > PAGE_KEY_TTL_MS || p.i - now > PAGE_KEY_TTL_MS) return { ok: false, reason: "expired" };
  return {
    ok: true,
    cursor: {
      query: {
        filter: { owners: p.o, personal: p.p, scopeGroups: p.s, fromMs: p.f, toMs: p.t, maxSeq: p.m },
        sort: { field: p.so[0], descending: p.so[1] === 1 },
        fields: p.fi,
        pageSize: p.ps,
      },
      after: { value: p.a[0], seq: p.a[1] },
      issuedAt: p.i,
    },
  };
}

/**
 * OAuth access tokens, as the sandbox's SSO endpoint issues them: JWTs (HS256) signed with a key that
 * lives in the database, so they are never stored and survive a restart until they expire. The
 * token names its OAuth client (`sub`) and the granted scopes; every request re-reads the client, so
 * revoking the client revokes its access tokens at once.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

export interface AccessTokenClaims {
  /** The OAuth client id. */
  sub: string;
  /** Granted scopes, space-separated. */
  scope: string;
  /** Issued at and expiry, epoch seconds. */
  iat: number;
  exp: number;
  jti: string;
  /** The sandbox's own claim: when it was issued, in epoch milliseconds (revocations compare with it). */
  iat_ms?: number;
}

const HEADER = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");

function sign(key: Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

/** A signed access token for a client and its granted scopes, valid `ttlSeconds` from `nowMs`. */
export function issueAccessToken(
  key: Buffer,
  clientId: string,
  scopes: readonly string[],
  nowMs: number,
  ttlSeconds: number,
): string {
  const iat = Math.floor(nowMs / 1000);
  const claims: AccessTokenClaims = {
    sub: clientId,
    scope: scopes.join(" "),
    iat,
    exp: iat + ttlSeconds,
    jti: randomUUID(),
    iat_ms: nowMs,
  };
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  return `${HEADER}.${payload}.${sign(key, `${HEADER}.${payload}`).toString("base64url")}`;
}

export type AccessTokenCheck =
  | { ok: true; claims: AccessTokenClaims }
  | { ok: false; reason: "malformed" | "signature" | "expired" | "not-yet-valid" };

/** When a token was issued, in epoch milliseconds. */
export function issuedAtMs(claims: AccessTokenClaims): number {
  return typeof claims.iat_ms === "number" ? claims.iat_ms : claims.iat * 1000;
}

/**
 * Verifies a presented access token: shape, signature (constant time, in its one canonical
 * spelling: the last of the 43 characters has two unused bits, and a variant in them is another
 * token), then that it was issued (not in the future) and has not expired.
 */
export function verifyAccessToken(key: Buffer, token: string, nowMs: number): AccessTokenCheck {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== HEADER || !/^[\w-]+$/.test(parts[1]!)) {
    return { ok: false, reason: "malformed" };
  }
  const expected = sign(key, `${parts[0]}.${parts[1]}`);
  const presented = Buffer.from(parts[2]!, "base64url");
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    return { ok: false, reason: "signature" };
  }
  if (presented.toString("base64url") !== parts[2]) return { ok: false, reason: "signature" };
  let claims: AccessTokenClaims;
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as AccessTokenClaims;
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (typeof claims.iat !== "number" || (claims.iat_ms !== undefined && typeof claims.iat_ms !== "number")) {
    return { ok: false, reason: "malformed" };
  }
  if (issuedAtMs(claims) > nowMs) return { ok: false, reason: "not-yet-valid" };
  if (typeof claims.exp !== "number" || claims.exp * 1000 <= nowMs) return { ok: false, reason: "expired" };
  return { ok: true, claims };
}

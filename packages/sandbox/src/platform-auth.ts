/**
 * Who is calling the platform prefix: `Authorization: Bearer <platform token | OAuth access token>`.
 * Refusals are 401 ErrorEnvelopes in Dynatrace's words; access-token refusals also carry
 * `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750), which tells a client to fetch a new one.
 */
import { issuedAtMs, verifyAccessToken } from "./access-tokens.js";
import { HttpError } from "./errors.js";
import { platformTokenIdOf } from "./platform-secrets.js";
import type { PlatformStore } from "./platform-store.js";
import { secretMatches } from "./secrets.js";

/** A caller authenticated by a platform token or an OAuth access token. */
export interface PlatformCaller {
  kind: "platform-token" | "oauth-client";
  /** The platform token's id (`dt0s16.<8>`) or the OAuth client's id (`dt0s02.<8>`). */
  id: string;
  /** The user (platform token) or service user (OAuth client): tokens created by the caller get this owner. */
  owner: string;
  /** Platform scopes: the token's, or those granted to the access token that the client still holds. */
  scopes: string[];
}

const invalidToken = (description: string) =>
  new HttpError(401, description, [], {
    "www-authenticate": `Bearer error="invalid_token", error_description="${description.replace(/"/g, "'")}"`,
  });

/** Authenticates a bearer credential (the part after `Bearer `) at time `nowMs`, or throws a 401. */
export function authenticateBearer(
  platform: PlatformStore,
  credential: string,
  nowMs: number,
): PlatformCaller {
  const platformTokenId = platformTokenIdOf(credential);
  if (platformTokenId !== undefined) {
    const row = platform.findPlatformToken(platformTokenId);
    if (!row || !secretMatches(row.secret_hash, credential)) {
      throw new HttpError(401, "Token Authentication failed.");
    }
    if (row.enabled !== 1) throw new HttpError(401, "Token is disabled.");
    if (row.expiration_ms != null && row.expiration_ms <= nowMs)
      throw new HttpError(401, "Token is expired.");
    return { kind: "platform-token", id: row.id, owner: row.owner, scopes: JSON.parse(row.scopes) };
  }
  const check = verifyAccessToken(platform.accessTokenKey, credential, nowMs);
  if (!check.ok) {
    if (check.reason === "expired") {
      throw invalidToken("The access token has expired: request a new one from the SSO token endpoint.");
    }
    if (check.reason === "not-yet-valid") {
      throw invalidToken(
        "The access token is issued in the future: request a new one from the SSO token endpoint.",
      );
    }
    throw invalidToken(
      "Token Authentication failed: expected a platform token (dt0s16.<8>.<64>) or an OAuth access token from the SSO token endpoint.",
    );
  }
  const client = platform.findOAuthClient(check.claims.sub);
  // revoked, or revoked after this token was issued and enabled again: the token stays dead
  if (client?.enabled !== 1 || (client.revoked_ms != null && issuedAtMs(check.claims) <= client.revoked_ms)) {
    throw invalidToken(`The OAuth client ${check.claims.sub} of this access token has been revoked.`);
  }
  const held = JSON.parse(client.scopes) as string[];
  const scopes = check.claims.scope.split(" ").filter((s) => held.includes(s));
  return { kind: "oauth-client", id: client.id, owner: client.owner, scopes };
}

/**
 * The SSO token endpoint (`POST /sso/oauth2/token`), as Dynatrace SSO answers the client-credentials
 * grant: a form-encoded `grant_type=client_credentials&client_id&client_secret&scope&resource`
 * gets `{ access_token, token_type: "Bearer", expires_in, scope, resource }`; refusals are OAuth 2.0
 * errors (RFC 6749 §5.2) `{ error, error_description }`. Nothing in an answer repeats a secret.
 */
import { issueAccessToken } from "./access-tokens.js";
import { oauthClientIdOf } from "./platform-secrets.js";
import type { PlatformStore } from "./platform-store.js";
import { secretMatches } from "./secrets.js";

export const SSO_TOKEN_PATH = "/sso/oauth2/token";
/** Lifetime of access tokens unless configured: Dynatrace's 300 s. */
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 300;

export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_scope"
  | "unsupported_grant_type"
  | "invalid_target";

const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" };

function answer(status: number, body: object): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...NO_STORE },
  });
}

export function oauthError(
  status: 400 | 401 | 405 | 415,
  error: OAuthErrorCode,
  description: string,
): Response {
  return answer(status, { error, error_description: description });
}

export interface TokenRequest {
  method: string;
  contentType: string | undefined;
  body: string;
}

/** Answers one token request. `nowMs` is the sandbox's clock. */
export function answerTokenRequest(
  platform: PlatformStore,
  request: TokenRequest,
  nowMs: number,
  ttlSeconds: number,
): Response {
  if (request.method !== "POST") {
    return oauthError(405, "invalid_request", "The token endpoint takes POST only.");
  }
  const media = request.contentType?.split(";")[0]?.trim().toLowerCase();
  if (media !== "application/x-www-form-urlencoded") {
    return oauthError(
      415,
      "invalid_request",
      "Send the grant as application/x-www-form-urlencoded: grant_type=client_credentials&client_id=...&client_secret=...&scope=...&resource=urn:dtaccount:<uuid>.",
    );
  }
  const form = new URLSearchParams(request.body);
  const repeated = [...new Set([...form.keys()].filter((k) => form.getAll(k).length > 1))];
  if (repeated.length > 0) {
    return oauthError(400, "invalid_request", `Parameters given more than once: ${repeated.join(", ")}.`);
  }
  const grantType = form.get("grant_type");
  if (grantType === null || grantType === "") {
    return oauthError(400, "invalid_request", "grant_type is missing: use grant_type=client_credentials.");
  }
  if (grantType !== "client_credentials") {
    return oauthError(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.");
  }
  const clientId = form.get("client_id") ?? "";
  const clientSecret = form.get("client_secret") ?? "";
  if (clientId === "" || clientSecret === "") {
    return oauthError(
      400,
      "invalid_request",
      `${clientId === "" ? "client_id" : "client_secret"} is missing: send the OAuth client's id and secret in the form body.`,
    );
  }
  const client = platform.findOAuthClient(clientId);
  // Unknown client, a secret of another client or a wrong secret: one answer, so nothing is probed.
  if (
    !client ||
    oauthClientIdOf(clientSecret) !== clientId ||
    !secretMatches(client.secret_hash, clientSecret)
  ) {
    return oauthError(
      401,
      "invalid_client",
      "Client authentication failed: unknown client_id or wrong client_secret.",
    );
  }
  if (client.enabled !== 1) {
    return oauthError(401, "invalid_client", `The OAuth client ${client.id} has been revoked.`);
  }
  const resource = form.get("resource");
  if (resource !== null && resource !== platform.accountUrn) {
    return oauthError(
      400,
      "invalid_target",
      `resource: the client belongs to ${platform.accountUrn}, not to ${JSON.stringify(resource.slice(0, 80))}.`,
    );
  }
  const allowed = JSON.parse(client.scopes) as string[];
  const requestedText = form.get("scope")?.trim();
  const requested = requestedText ? [...new Set(requestedText.split(/\s+/))] : allowed;
  const missing = requested.filter((s) => !allowed.includes(s));
  if (missing.length > 0) {
    return oauthError(
      400,
      "invalid_scope",
      `The client ${client.id} was not granted: ${missing.join(" ")}. It has: ${allowed.join(" ") || "(no scopes)"}.`,
    );
  }
  const accessToken = issueAccessToken(platform.accessTokenKey, client.id, requested, nowMs, ttlSeconds);
  return answer(200, {
    access_token: accessToken,
    token_type: "Bearer",
    expires_in: ttlSeconds,
    scope: requested.join(" "),
    resource: platform.accountUrn,
  });
}

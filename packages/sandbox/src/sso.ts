/**
 * The SSO token endpoint (`POST /sso/oauth2/token`), as Dynatrace SSO answers the client-credentials
 * grant: a form-encoded `grant_type=client_credentials&scope&resource`, the client authenticated by
 * `client_id` and `client_secret` in the form or by HTTP Basic (RFC 6749 §2.3.1, not both at once),
 * gets `{ access_token, token_type: "Bearer", expires_in, scope, resource }`. Refusals are OAuth 2.0
 * errors (RFC 6749 §5.2): `{ error, error_description }` plus what Dynatrace's SSO adds (`errorCode`,
 * `message`, `issueId`); `invalid_client` is 401 with `WWW-Authenticate: Basic` when Basic was
 * used, otherwise 400. Nothing in an answer repeats a secret.
 */
import { randomUUID } from "node:crypto";
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

function answer(status: number, body: object, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...NO_STORE, ...headers },
  });
}

/** An OAuth 2.0 error (RFC 6749 §5.2) with the fields Dynatrace's SSO adds. */
export function oauthError(
  status: 400 | 401 | 405 | 415 | 429,
  error: OAuthErrorCode,
  description: string,
  headers: Record<string, string> = {},
): Response {
  return answer(
    status,
    { error, error_description: description, errorCode: status, message: description, issueId: randomUUID() },
    headers,
  );
}

export interface TokenRequest {
  method: string;
  contentType: string | undefined;
  /** The Authorization header, when the client authenticates by HTTP Basic. */
  authorization?: string | undefined;
  body: string;
}

/** The client id and secret of `Authorization: Basic base64(urlencoded id:urlencoded secret)`, or null when malformed. */
function basicCredentials(header: string): { clientId: string; clientSecret: string } | null {
  const match = /^basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header);
  const decoded = match ? Buffer.from(match[1]!, "base64").toString("utf8") : "";
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  try {
    const form = (text: string) => decodeURIComponent(text.replace(/\+/g, " "));
    return { clientId: form(decoded.slice(0, colon)), clientSecret: form(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}

/**
 * Answers one token request. `nowMs` is the sandbox's clock; `onClientAuthFailure` is called when
 * the client's authentication fails (the caller counts those per address).
 */
export function answerTokenRequest(
  platform: PlatformStore,
  request: TokenRequest,
  nowMs: number,
  ttlSeconds: number,
  onClientAuthFailure?: () => void,
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
  const basic = request.authorization?.trim() ? request.authorization.trim() : undefined;
  if (basic !== undefined && form.has("client_secret")) {
    return oauthError(
      400,
      "invalid_request",
      "The client authenticated twice (HTTP Basic and client_secret in the form body): use one method only.",
    );
  }
  // invalid_client: 401 with a Basic challenge when the client tried Basic, else 400 (RFC 6749 §5.2).
  const invalidClient = (description: string) => {
    onClientAuthFailure?.();
    return basic !== undefined
      ? oauthError(401, "invalid_client", description, { "www-authenticate": 'Basic realm="sso"' })
      : oauthError(400, "invalid_client", description);
  };
  let clientId = form.get("client_id") ?? "";
  let clientSecret = form.get("client_secret") ?? "";
  if (basic !== undefined) {
    const credentials = basicCredentials(basic);
    if (!credentials) return invalidClient("Client authentication failed: malformed HTTP Basic credentials.");
    if (clientId !== "" && clientId !== credentials.clientId)
      return oauthError(
        400,
        "invalid_request",
        "client_id in the form body is not the one of the HTTP Basic credentials.",
      );
    ({ clientId, clientSecret } = credentials);
  }
  if (clientId === "" || clientSecret === "") {
    return oauthError(
      400,
      "invalid_request",
      `${clientId === "" ? "client_id" : "client_secret"} is missing: send the OAuth client's id and secret by HTTP Basic or in the form body.`,
    );
  }
  const client = platform.findOAuthClient(clientId);
  // Unknown client, a secret of another client or a wrong secret: one answer, so nothing is probed.
  if (
    !client ||
    oauthClientIdOf(clientSecret) !== clientId ||
    !secretMatches(client.secret_hash, clientSecret)
  ) {
    return invalidClient("Client authentication failed: unknown client_id or wrong client_secret.");
  }
  if (client.enabled !== 1) return invalidClient(`The OAuth client ${client.id} has been revoked.`);
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
  if (!requestedText) {
    return oauthError(
      400,
      "invalid_scope",
      `scope is missing: ask for the scopes you need, space-separated; the client ${client.id} has: ${allowed.join(" ") || "(no scopes)"}.`,
    );
  }
  const requested = [...new Set(requestedText.split(/\s+/))];
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

// The options of an OAuth client: checked when the client is created, so that a bad option fails at
// once. The access tokens themselves (oauth.ts) are loaded on first use: apps that never use OAuth
// do not carry that code.
import { ACCOUNT_URN_FORM, isAccountUrn, PLATFORM_API_TOKENS_SCOPES } from "@dt-tokens/types";
import { checkSecret, expected } from "./invalid-input.js";
import { redact } from "./redact.js";
import { checkedUrl } from "./url.js";

/** Dynatrace SSO's token endpoint. */
export const DEFAULT_TOKEN_URL = "https://sso.dynatrace.com/sso/oauth2/token";

/** The platform scopes of the API-tokens API: read (list, get, lookup) and write (create, update, delete). */
export { PLATFORM_API_TOKENS_SCOPES } from "@dt-tokens/types";

/** An OAuth client of Dynatrace's platform (Account Management → Identity & access management → OAuth clients). */
export interface OAuthClientOptions {
  /** `dt0s02.<8 characters>`. */
  clientId: string;
  /** `dt0s02.<8>.<64>`: never logged, never in an error. */
  clientSecret: string;
  /** `urn:dtaccount:<account-uuid>`: the account the client belongs to (the grant's `resource`). */
  accountUrn: string;
  /** Scopes to request, space-separated or a list (default: both API-tokens scopes). */
  scope?: string | readonly string[];
  /** The token endpoint (default `https://sso.dynatrace.com/sso/oauth2/token`). */
  tokenUrl?: string;
}

/** Checked OAuth options with defaults. @internal */
export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  accountUrn: string;
  scope: string;
  tokenUrl: string;
}

/** Checks the `oauth` option without ever echoing the secret. @internal */
export function checkOAuthOptions(
  oauth: OAuthClientOptions,
  allowInsecureHttp = false,
  defaultScopes: readonly string[] = PLATFORM_API_TOKENS_SCOPES,
): OAuthClient {
  if (typeof oauth !== "object" || oauth === null) {
    return expected("oauth", "{ clientId, clientSecret, accountUrn, scope?, tokenUrl? }");
  }
  const clientId = checkSecret(oauth.clientId, "oauth.clientId");
  const clientSecret = checkSecret(oauth.clientSecret, "oauth.clientSecret");
  const accountUrn = String(oauth.accountUrn ?? "").trim();
  if (!isAccountUrn(accountUrn)) {
    expected("oauth.accountUrn", ACCOUNT_URN_FORM, redact(accountUrn));
  }
  const scopes = typeof oauth.scope === "string" ? oauth.scope.trim().split(/\s+/) : oauth.scope;
  const scope = (scopes ?? defaultScopes).filter(Boolean);
  if (scope.length === 0 || scope.some((s) => typeof s !== "string" || !/^[!-~]+$/.test(s))) {
    expected(
      "oauth.scope",
      "platform scopes such as environment-api:api-tokens:read, space-separated or a list",
    );
  }
  const tokenUrl = checkedUrl("oauth.tokenUrl", oauth.tokenUrl ?? DEFAULT_TOKEN_URL, { allowInsecureHttp });
  return { clientId, clientSecret, accountUrn, scope: scope.join(" "), tokenUrl };
}

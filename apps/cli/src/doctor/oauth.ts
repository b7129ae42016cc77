/**
 * What SSO's refusal of the OAuth client means and what to do, from the error's fields (the OAuth
 * error code and SSO's description): worded once for `doctor`'s check and for every other command.
 */
import type { OAuthError } from "@dt-tokens/client";
import { API_TOKENS_SCOPES } from "@dt-tokens/types";
import { wentElsewhere } from "./network.js";

const { read, write } = API_TOKENS_SCOPES.platform;

/**
 * Whether SSO refused the client (an OAuth error code, or a 400 or 401 as the token endpoint
 * answers a refusal), rather than something else answering at the token URL (a 404, 403, 405 …
 * without a code: no token endpoint there).
 */
export function ssoRefused(error: OAuthError): boolean {
  return (
    error.oauthError !== undefined ||
    error.status === 400 ||
    error.status === 401 ||
    error.status === undefined
  );
}

export function oauthRefusal(error: OAuthError, environmentUrl?: string): { detail: string; fix: string } {
  // SSO issued an access token, and the environment refused it (and a fresh one): not SSO's refusal.
  if (environmentUrl !== undefined && !wentElsewhere(error, environmentUrl))
    return {
      detail: `the environment refused the access token SSO issued (HTTP ${error.status ?? 401}${error.apiMessage ? `: ${error.apiMessage}` : ""})`,
      fix: "check that DT_ACCOUNT_URN is the account this environment belongs to, and that the OAuth client's service user has a policy for it",
    };
  // SSO's own words (its error_description) follow the code: "… has been revoked" tells more
  // than the code alone.
  const code = `${error.oauthError ? ` (${error.oauthError})` : ""}${error.apiMessage ? `: ${error.apiMessage}` : ""}`;
  if (error.oauthError === "invalid_scope")
    return {
      detail: `SSO refused to issue an access token with ${read} and ${write}${code}`,
      fix: `grant ${read} and ${write} to the OAuth client in Account Management (Identity & access management → OAuth clients)`,
    };
  if (error.oauthError === "invalid_client")
    return {
      detail: `SSO does not accept this client id and secret${code}`,
      fix: "check DT_CLIENT_ID and DT_CLIENT_SECRET: the client may have been deleted or revoked, or its secret replaced, in Account Management (Identity & access management → OAuth clients)",
    };
  return {
    detail: `SSO refused to issue an access token${code}`,
    fix: "check DT_ACCOUNT_URN (urn:dtaccount:<account-uuid>, the account the client belongs to) and DT_CLIENT_ID",
  };
}

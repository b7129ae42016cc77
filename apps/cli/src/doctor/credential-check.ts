/**
 * doctor's credential check: which kind of credential was found and where, never its secret; and
 * a secret put where the other kind belongs.
 */
import type { Credential } from "../credentials.js";
import { PLATFORM_TOKEN_VAR } from "../env-credentials.js";

export type CredentialCheck = { ok: true; detail: string } | { ok: false; detail: string; fix: string };

/** The public part of a secret (`dt0c01.<id>`, `dt0s16.<id>`), or nothing for an opaque one. */
function publicPart(secret: string): string {
  const parts = secret.split(".");
  return parts.length === 3 && parts[0]!.length === 6 && parts[1]!.length <= 24
    ? ` ${parts[0]}.${parts[1]}`
    : "";
}

function from(credential: Credential, environment: string | undefined): string {
  return environment ? `environment ${environment} (${credential.source})` : credential.source;
}

export function checkCredential(credential: Credential, environment?: string): CredentialCheck {
  const where = from(credential, environment);
  if (credential.kind === "oauth-client")
    return {
      ok: true,
      detail: `OAuth client ${credential.clientId} of ${credential.accountUrn}, from ${where}${credential.tokenUrl ? `, token URL ${credential.tokenUrl}` : ""}`,
    };
  const secret = credential.secret;
  if (credential.kind === "api-token" && /^dt0s\d\d\./.test(secret))
    return {
      ok: false,
      detail: `${where} holds a platform credential (${secret.slice(0, 6)}.…), not a classic API token`,
      fix: environment
        ? `in the config file, name it platformToken: instead of apiToken: (dt-tokens env add ${environment} --force --platform-token-ref …)`
        : `set it as ${PLATFORM_TOKEN_VAR} instead, and unset ${credential.source}`,
    };
  if (credential.kind === "api-token" && secret.startsWith("eyJ"))
    return {
      ok: false,
      detail: `${where} holds an OAuth access token (a JWT), not a classic API token`,
      fix: `access tokens expire within minutes: give dt-tokens the OAuth client itself (DT_CLIENT_ID + DT_CLIENT_SECRET + DT_ACCOUNT_URN), or a platform token in ${PLATFORM_TOKEN_VAR}`,
    };
  if (credential.kind === "platform-token" && secret.startsWith("dt0c01."))
    return {
      ok: false,
      detail: `${where} holds a classic API token (dt0c01.…), not a platform token`,
      fix: environment
        ? `in the config file, name it apiToken: instead of platformToken: (dt-tokens env add ${environment} --force --api-token-ref …)`
        : `set it as DT_API_TOKEN instead, and unset ${PLATFORM_TOKEN_VAR}`,
    };
  const what = credential.kind === "api-token" ? "classic API token" : "platform token";
  return { ok: true, detail: `${what}${publicPart(secret)}, from ${where}` };
}

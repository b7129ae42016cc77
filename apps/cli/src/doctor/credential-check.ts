/**
 * doctor's credential check: which kind of credential was found and where, never its secret; and
 * a secret put where the other kind belongs.
 */
import type { Credential } from "../credentials.js";
import { OAUTH_VARS, PLATFORM_TOKEN_VAR } from "../env-credentials.js";

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

/** What a secret is, by its form; undefined for an opaque one (legacy tokens, other tools' forms). */
type SecretShape = "api-token" | "platform-token" | "oauth-secret" | "access-token";

function shapeOf(secret: string): SecretShape | undefined {
  if (secret.startsWith("dt0c01.")) return "api-token";
  if (secret.startsWith("dt0s16.")) return "platform-token";
  if (secret.startsWith("dt0s02.")) return "oauth-secret";
  if (secret.startsWith("eyJ")) return "access-token";
  return undefined;
}

/** How each shape is named in a finding. */
const SHAPE_NAMES: Record<SecretShape, string> = {
  "api-token": "a classic API token (dt0c01.…)",
  "platform-token": "a platform credential (dt0s16.…)",
  "oauth-secret": "an OAuth client secret (dt0s02.…)",
  "access-token": "an OAuth access token (a JWT)",
};

/** What the slot of each credential kind expects. */
const KIND_NAMES: Record<Credential["kind"], string> = {
  "api-token": "a classic API token",
  "platform-token": "a platform token",
  "oauth-client": "an OAuth client secret",
};

/** Where a secret of this shape belongs instead: from the environment variables, or in a config entry. */
function moveTo(shape: SecretShape, credential: Credential, environment: string | undefined): string {
  const unset = credential.kind === "oauth-client" ? "DT_CLIENT_SECRET" : credential.source;
  if (shape === "access-token")
    return `access tokens expire within minutes: give dt-tokens the OAuth client itself (${OAUTH_VARS.join(" + ")}), or a platform token in ${PLATFORM_TOKEN_VAR}`;
  if (environment) {
    const field = {
      "api-token": "apiToken:",
      "platform-token": "platformToken:",
      "oauth-secret": "oauthClient.clientSecret:",
    }[shape];
    const flags = {
      "api-token": "--api-token-ref …",
      "platform-token": "--platform-token-ref …",
      "oauth-secret": "--oauth-client-id … --oauth-client-secret-ref … --account-urn …",
    }[shape];
    return `in the config file, reference it as ${field} (dt-tokens env add ${environment} --force ${flags})`;
  }
  const variable = {
    "api-token": "DT_API_TOKEN",
    "platform-token": PLATFORM_TOKEN_VAR,
    "oauth-secret":
      "DT_CLIENT_SECRET (with DT_CLIENT_ID, its dt0s02.<8 characters> part, and DT_ACCOUNT_URN)",
  }[shape];
  return `set it as ${variable} instead, and unset ${unset}`;
}

/** Which shapes each kind of credential takes; an opaque secret is let through to the server. */
const FITS: Record<Credential["kind"], readonly SecretShape[]> = {
  "api-token": ["api-token"],
  "platform-token": ["platform-token"],
  "oauth-client": ["oauth-secret"],
};

export function checkCredential(credential: Credential, environment?: string): CredentialCheck {
  const where = from(credential, environment);
  const secret = credential.kind === "oauth-client" ? credential.clientSecret : credential.secret;
  const shape = shapeOf(secret);
  if (shape !== undefined && !FITS[credential.kind].includes(shape)) {
    const slot =
      credential.kind !== "oauth-client"
        ? where
        : environment
          ? `environment ${environment}: oauthClient.clientSecret (${credential.source})`
          : "DT_CLIENT_SECRET";
    return {
      ok: false,
      detail: `${slot} holds ${SHAPE_NAMES[shape]}, not ${KIND_NAMES[credential.kind]}`,
      fix: moveTo(shape, credential, environment),
    };
  }
  if (credential.kind === "oauth-client")
    return {
      ok: true,
      detail: `OAuth client ${credential.clientId} of ${credential.accountUrn}, from ${where}${credential.tokenUrl ? `, token URL ${credential.tokenUrl}` : ""}`,
    };
  const what = credential.kind === "api-token" ? "classic API token" : "platform token";
  return { ok: true, detail: `${what}${publicPart(secret)}, from ${where}` };
}

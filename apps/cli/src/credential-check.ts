/**
 * The credential check of every command (connection.ts) and of doctor: which kind of credential was
 * found and where, never its secret; and a secret put where another kind belongs (a platform token
 * in DT_API_TOKEN is refused by list as by doctor, with the same words). The kind of a secret is
 * @dt-tokens/types' secretKind, the one home of the formats.
 */
import { type SecretKind, secretKind } from "@dt-tokens/types";
import type { Credential } from "./credentials.js";
import { OAUTH_VARS, PLATFORM_TOKEN_VAR } from "./env-credentials.js";

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

/** The kinds of secret a slot can be checked against; an opaque or unknown one is let through to the server. */
type SecretShape = Exclude<SecretKind, "unknown">;

function shapeOf(secret: string): SecretShape | undefined {
  const kind = secretKind(secret);
  return kind === "unknown" ? undefined : kind;
}

/** How each shape is named in a finding. */
const SHAPE_NAMES: Record<SecretShape, string> = {
  "api-token": "a classic API token (dt0c01.…)",
  "activegate-token": "an ActiveGate token (dt0g02.…)",
  "platform-token": "a platform credential (dt0s16.…)",
  "oauth-client-secret": "an OAuth client secret (dt0s02.…)",
  jwt: "an OAuth access token (a JWT)",
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
  if (shape === "jwt")
    return `access tokens expire within minutes: give dt-tokens the OAuth client itself (${OAUTH_VARS.join(" + ")}), or a platform token in ${PLATFORM_TOKEN_VAR}`;
  if (shape === "activegate-token")
    return "an ActiveGate token authenticates an ActiveGate, never API calls: use a classic API token (dt0c01.…) with apiTokens.read and apiTokens.write, or a platform credential";
  if (environment) {
    const field = {
      "api-token": "apiToken:",
      "platform-token": "platformToken:",
      "oauth-client-secret": "oauthClient.clientSecret:",
    }[shape];
    const flags = {
      "api-token": "--api-token-ref …",
      "platform-token": "--platform-token-ref …",
      "oauth-client-secret": "--oauth-client-id … --oauth-client-secret-ref … --account-urn …",
    }[shape];
    return `in the config file, reference it as ${field} (dt-tokens env add ${environment} --force ${flags})`;
  }
  const variable = {
    "api-token": "DT_API_TOKEN",
    "platform-token": PLATFORM_TOKEN_VAR,
    "oauth-client-secret":
      "DT_CLIENT_SECRET (with DT_CLIENT_ID, its dt0s02.<8 characters> part, and DT_ACCOUNT_URN)",
  }[shape];
  return `set it as ${variable} instead, and unset ${unset}`;
}

/** Which shapes each kind of credential takes; an opaque secret is let through to the server. */
const FITS: Record<Credential["kind"], readonly SecretShape[]> = {
  "api-token": ["api-token"],
  "platform-token": ["platform-token"],
  "oauth-client": ["oauth-client-secret"],
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

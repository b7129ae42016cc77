/**
 * The credential the environment variables hold: a classic API token (DT_API_TOKEN or
 * DYNATRACE_API_TOKEN), a platform token (DT_PLATFORM_TOKEN) or an OAuth client (DT_CLIENT_ID +
 * DT_CLIENT_SECRET + DT_ACCOUNT_URN, optionally DT_SSO_TOKEN_URL). One kind at a time; values are
 * never repeated in errors.
 */
import { ACCOUNT_URN_FORM, isAccountUrn } from "@dt-tokens/types";
import { type Credential, checkSecret } from "./credentials.js";
import { UsageError } from "./errors.js";

export const API_TOKEN_VARS = ["DT_API_TOKEN", "DYNATRACE_API_TOKEN"] as const;
export const PLATFORM_TOKEN_VAR = "DT_PLATFORM_TOKEN";
/** An OAuth client needs all three. */
export const OAUTH_VARS = ["DT_CLIENT_ID", "DT_CLIENT_SECRET", "DT_ACCOUNT_URN"] as const;
/** The `source` of an OAuth client from these variables. */
export const OAUTH_ENV_SOURCE = "DT_CLIENT_ID + DT_CLIENT_SECRET";
/** The variables that hold secrets: never passed on to a command the CLI runs (exec: sinks). */
export const SECRET_VARS = [...API_TOKEN_VARS, PLATFORM_TOKEN_VAR, "DT_CLIENT_SECRET"] as const;
/** Optional: another SSO token endpoint (e.g. the sandbox's), default Dynatrace SSO. */
export const SSO_TOKEN_URL_VAR = "DT_SSO_TOKEN_URL";

type Env = Record<string, string | undefined>;

const readVar = (env: Env, name: string) => env[name]?.trim() || undefined;

/** Whether any credential variable is set (complete or not). */
export function hasEnvCredential(env: Env): boolean {
  return [...API_TOKEN_VARS, PLATFORM_TOKEN_VAR, ...OAUTH_VARS].some((name) => readVar(env, name));
}

/**
 * The credential of the environment variables, or undefined when none is set. A UsageError when
 * more than one kind is set, or an OAuth client only in part.
 */
export function credentialFromEnv(env: Env): Credential | undefined {
  const found: Credential[] = [];
  const apiTokenVar = API_TOKEN_VARS.find((name) => readVar(env, name));
  if (apiTokenVar) {
    const secret = checkSecret(readVar(env, apiTokenVar)!, apiTokenVar);
    found.push({ kind: "api-token", secret, source: apiTokenVar });
  }
  const platformToken = readVar(env, PLATFORM_TOKEN_VAR);
  if (platformToken) {
    const secret = checkSecret(platformToken, PLATFORM_TOKEN_VAR, {
      form: "dt0s16.<8 characters>.<64 characters>",
      scheme: "Bearer",
    });
    found.push({ kind: "platform-token", secret, source: PLATFORM_TOKEN_VAR });
  }
  if (OAUTH_VARS.some((name) => readVar(env, name))) found.push(oauthClientFromEnv(env));
  if (found.length > 1) {
    throw new UsageError(
      `more than one credential is set: ${found.map((c) => c.source).join(" and ")}; set only one kind`,
      [
        `hint: ${API_TOKEN_VARS[0]} for a classic API token (dt0c01.…), ${PLATFORM_TOKEN_VAR} for a platform token (dt0s16.…), or ${OAUTH_VARS.join(" + ")} for an OAuth client`,
      ],
    );
  }
  return found[0];
}

function oauthClientFromEnv(env: Env): Credential {
  const missing = OAUTH_VARS.filter((name) => !readVar(env, name));
  if (missing.length > 0) {
    throw new UsageError(
      `an OAuth client needs ${OAUTH_VARS.join(", ")}; ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not set`,
      [
        `hint: DT_CLIENT_ID is dt0s02.<8 characters>, DT_CLIENT_SECRET dt0s02.<8>.<64>, DT_ACCOUNT_URN ${ACCOUNT_URN_FORM}`,
      ],
    );
  }
  const accountUrn = readVar(env, "DT_ACCOUNT_URN")!;
  if (!isAccountUrn(accountUrn))
    throw new UsageError(`DT_ACCOUNT_URN is not an account URN: expected ${ACCOUNT_URN_FORM}`);
  const tokenUrl = readVar(env, SSO_TOKEN_URL_VAR);
  return {
    kind: "oauth-client",
    clientId: checkSecret(readVar(env, "DT_CLIENT_ID")!, "DT_CLIENT_ID", {
      form: "dt0s02.<8 characters>",
      scheme: "Bearer",
    }),
    clientSecret: checkSecret(readVar(env, "DT_CLIENT_SECRET")!, "DT_CLIENT_SECRET", {
      form: "dt0s02.<8 characters>.<64 characters>",
      scheme: "Bearer",
    }),
    accountUrn,
    source: OAUTH_ENV_SOURCE,
    ...(tokenUrl && { tokenUrl }),
  };
}

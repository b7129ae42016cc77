// Credentials: the one seam between what the caller authenticates with and the request loop. The
// loop asks for the `Authorization` value of each attempt and never knows the scheme behind it:
// classic API tokens (`Api-Token`), platform tokens and OAuth clients (`Bearer`) are kinds of
// `Credentials`, each caching and refreshing as it needs.
import { type AuthScheme, checkSchemeFitsBase, schemeFor } from "./auth-scheme.js";
import { checkSecret } from "./invalid-input.js";
import type { OAuthAccessTokens } from "./oauth.js";

/** What an attempt tells the credentials when it asks for its `Authorization` value. @internal */
export interface AuthorizationContext {
  /** 1 for the first attempt of a call, 2 for the first retry, and so on. */
  attempt: number;
  /** Aborts with the attempt (its timeout, the call's deadline, the caller's signal): pass it on to any request made for a token. */
  signal: AbortSignal;
}

/**
 * Produces the `Authorization` header value for each attempt. A synchronous string is the fast path
 * (a fixed secret); a promise serves credentials that are fetched or refreshed. Errors thrown here
 * end the call as they are (an InvalidInputError for a malformed secret, an OAuthError when SSO
 * refuses).
 * @internal
 */
export interface Credentials {
  authorizationFor(context: AuthorizationContext): string | Promise<string>;
  /**
   * The server answered 401 to this `Authorization` value. True when a new one is worth one more
   * attempt (an OAuth access token that expired or was revoked early): the loop then retries once.
   */
  rejected?(authorization: string): boolean;
}

/** A token secret, or a function returning it for each attempt. */
export type TokenSource = string | (() => string | Promise<string>);

/**
 * Credentials for a token: `Api-Token <secret>` for a classic API token, `Bearer <secret>` for a
 * platform token (Dynatrace's rule: by prefix; `authScheme` overrides). A string is checked once,
 * now (an InvalidInputError at client creation, also when its scheme does not fit the API base); a
 * function is called and its result checked per attempt, so a rotated secret is picked up.
 * @internal
 */
export function tokenCredentials(
  token: TokenSource,
  baseUrl: string,
  explicit: AuthScheme | undefined,
): Credentials {
  const authorization = (secret: unknown) => {
    const checked = checkSecret(secret, "token");
    const scheme = schemeFor(checked, baseUrl, explicit);
    checkSchemeFitsBase(scheme, baseUrl, "token");
    return `${scheme} ${checked}`;
  };
  if (typeof token === "function") return { authorizationFor: async () => authorization(await token()) };
  const fixed = authorization(token);
  return { authorizationFor: () => fixed };
}

/** Credentials for an OAuth client: `Bearer <access token>`, one refresh and retry on a 401. @internal */
export function oauthCredentials(tokens: OAuthAccessTokens): Credentials {
  return {
    authorizationFor: async ({ signal }) => `Bearer ${await tokens.get(signal)}`,
    rejected(authorization) {
      tokens.invalidate(authorization.slice("Bearer ".length));
      return true;
    },
  };
}

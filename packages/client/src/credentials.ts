// Credentials: the one seam between what the caller authenticates with and the request loop. The
// loop asks for the `Authorization` value of each attempt and never knows the scheme behind it:
// classic API tokens (`Api-Token`), platform tokens and OAuth clients (`Bearer`) are kinds of
// `Credentials`, each caching and refreshing as it needs.
import { type AuthScheme, checkSchemeFitsBase, schemeFor } from "./auth-scheme.js";
import { ConnectionError } from "./errors.js";
import { checkSecret, fail } from "./invalid-input.js";
import type { OAuthAccessTokens, TokenRequestSettings } from "./oauth.js";
import type { OAuthClient } from "./oauth-options.js";

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
   * The server answered 401 to this `Authorization` value (`afterRetry`: on the call's one retry with
   * fresh credentials). `"retry"` when a new one is worth one more attempt (an OAuth access token
   * that expired or was revoked early); otherwise the credentials themselves are refused (a fresh
   * access token refused too): the answer says why and what to check, the call ends with an
   * OAuthError, and no new token is fetched.
   */
  rejected?(authorization: string, afterRetry: boolean): "retry" | { refused: string };
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
    // An OAuth client's id or secret goes to SSO only, never to the environment as a bearer.
    if (checked.startsWith("dt0s02."))
      fail("token: an OAuth client secret (dt0s02.…) never goes to the environment: give it as oauth");
    const scheme = schemeFor(checked, baseUrl, explicit);
    checkSchemeFitsBase(scheme, baseUrl, "token");
    return `${scheme} ${checked}`;
  };
  if (typeof token === "function") return { authorizationFor: async () => authorization(await token()) };
  const fixed = authorization(token);
  return { authorizationFor: () => fixed };
}

/** Loads the module that fetches OAuth access tokens (oauth.ts). @internal */
export type LoadOAuth = () => Promise<typeof import("./oauth.js")>;

// A dynamic import: bundlers put oauth.ts in a chunk of its own, loaded by the first call of a client
// that has an OAuth client, and never by apps that use a token.
const loadOAuth: LoadOAuth = () => import("./oauth.js");

/**
 * Credentials for an OAuth client: `Bearer <access token>`, one refresh and retry on a 401. The
 * client's options are checked before (checkOAuthOptions); the code that asks SSO for access tokens
 * is loaded when the first attempt needs one. Concurrent first attempts share that load and one
 * OAuthAccessTokens, so one request to SSO serves them all. A load that fails (a chunk the browser
 * could not fetch) ends that call with a ConnectionError; the next call tries again.
 * @internal
 */
export function oauthCredentials(
  client: OAuthClient,
  settings: TokenRequestSettings,
  load: LoadOAuth = loadOAuth,
): Credentials {
  let tokens: OAuthAccessTokens | undefined;
  let loading: Promise<OAuthAccessTokens> | undefined;

  function loadTokens(): Promise<OAuthAccessTokens> {
    loading ??= load().then(
      (oauth) => {
        tokens = new oauth.OAuthAccessTokens(client, settings);
        return tokens;
      },
      (error: unknown) => {
        loading = undefined;
        throw new ConnectionError(
          `loading the OAuth code of @dt-tokens/client failed: ${(error as Error)?.message ?? String(error)}`,
          { cause: error },
        );
      },
    );
    return loading;
  }

  return {
    async authorizationFor({ signal }) {
      const accessTokens = tokens ?? (await loadTokens());
      return `Bearer ${await accessTokens.get(signal)}`;
    },
    rejected(authorization, afterRetry) {
      return tokens?.rejected(authorization.slice("Bearer ".length), afterRetry) ?? "retry";
    },
  };
}

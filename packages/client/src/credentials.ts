// Credentials: the one seam between what the caller authenticates with and the request loop. The
// loop asks for the `Authorization` value of each attempt and never knows the scheme behind it, so
// other kinds (platform tokens, OAuth clients) plug in here: they implement `Credentials`, cache
// and refresh as they need, and the loop stays as it is.
import { checkSecret } from "./invalid-input.js";

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
 * end the call as they are (an InvalidInputError for a malformed secret).
 * @internal
 */
export interface Credentials {
  authorizationFor(context: AuthorizationContext): string | Promise<string>;
}

/** A classic API token: its secret, or a function returning it for each attempt. */
export type ApiTokenSource = string | (() => string | Promise<string>);

/**
 * Credentials for a classic API token: `Api-Token <secret>`. A string is checked once, now (an
 * InvalidInputError at client creation); a function is called and its result checked per attempt,
 * so a rotated secret is picked up without a new client.
 * @internal
 */
export function apiTokenCredentials(token: ApiTokenSource): Credentials {
  if (typeof token === "function") {
    return {
      authorizationFor: async () => `Api-Token ${checkSecret(await token(), "token")}`,
    };
  }
  const authorization = `Api-Token ${checkSecret(token, "token")}`;
  return { authorizationFor: () => authorization };
}

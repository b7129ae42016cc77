/**
 * The route of the SSO token endpoint: reads the form body and answers the grant (see ../sso.ts).
 * Failed client authentications count against the caller's address as the API's failed
 * authentications do (when throttling is on): an address whose failures emptied its bucket gets
 * 429 without its credentials being looked at.
 */
import { answerTokenRequest, oauthError } from "../sso.js";
import { clientAddress } from "./auth.js";
import { readText } from "./body.js";
import type { AppState, Ctx } from "./context.js";

export function ssoToken(state: AppState) {
  return async (c: Ctx): Promise<Response> => {
    const limiter = state.failedAuths;
    const key = clientAddress(c) ?? "unknown";
    const wait = limiter?.check(key, Date.now());
    if (wait !== undefined) {
      return oauthError(
        429,
        "invalid_request",
        `Too many failed client authentications from this address. Retry in ${wait} s.`,
        { "retry-after": String(wait) },
      );
    }
    return answerTokenRequest(
      state.platform,
      {
        method: c.req.method,
        contentType: c.req.header("content-type"),
        authorization: c.req.header("authorization"),
        body: await readText(c),
      },
      state.now(),
      state.accessTokenTtlSeconds,
      () => limiter?.take(key, Date.now()),
    );
  };
}

/** The route of the SSO token endpoint: reads the form body and answers the grant (see ../sso.ts). */
import { answerTokenRequest } from "../sso.js";
import { readText } from "./body.js";
import type { AppState, Ctx } from "./context.js";

export function ssoToken(state: AppState) {
  return async (c: Ctx): Promise<Response> =>
    answerTokenRequest(
      state.platform,
      { method: c.req.method, contentType: c.req.header("content-type"), body: await readText(c) },
      state.now(),
      state.accessTokenTtlSeconds,
    );
}

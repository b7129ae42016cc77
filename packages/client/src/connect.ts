// The setup every client of this package shares: options checked, the API base, the credentials and
// the request loop's transport, and the openapi-fetch clients over them. createApiTokensClient and
// createActiveGateTokensClient differ only in the methods they build on it.
import type { paths } from "@dt-tokens/types";
import createClient, { type Client } from "openapi-fetch";
import { checkScheme, checkSchemeFitsBase, isPlatformSecret } from "./auth-scheme.js";
import { rawFetch } from "./call.js";
import { type Credentials, oauthCredentials, tokenCredentials } from "./credentials.js";
import { expected, fail } from "./invalid-input.js";
import { checkOAuthOptions } from "./oauth-options.js";
import { type CallSettings, clientSettings } from "./options.js";
import { PreparedRequest } from "./prepared-request.js";
import type { Transport } from "./request.js";
import type { ClientOptions } from "./types.js";
import { checkedUrl } from "./url.js";

/** What a client's methods run on. @internal */
export interface Connection {
  baseUrl: string;
  defaults: CallSettings;
  transport: Transport;
  /** For the caller: real Requests, its middleware, its init options. */
  raw: Client<paths>;
  /** The methods' own client: it hands the request loop PreparedRequests; each call passes its own fetch. */
  api: Client<paths>;
}

/**
 * Checks the options and sets up a client's connection; throws an InvalidInputError right away for
 * a bad `environmentUrl`, a missing or malformed token string or bad options. `oauthScopes` are the
 * scopes an OAuth client asks for when `oauth.scope` is not given.
 * @internal
 */
export function connect(options: ClientOptions, oauthScopes?: readonly string[]): Connection {
  const {
    environmentUrl,
    token,
    oauth,
    fetch: fetchImpl = globalThis.fetch,
    userAgent,
    logger,
  } = options ?? {};
  const authScheme = checkScheme(options?.authScheme);
  if ((token === undefined) === (oauth === undefined)) {
    fail(
      "give either token (an API token or a platform token) or oauth (an OAuth client), not both or neither",
    );
  }
  const platformCredential = oauth !== undefined || authScheme === "Bearer" || isPlatformSecret(token);
  const allowInsecureHttp = options.allowInsecureHttp ?? false;
  if (typeof allowInsecureHttp !== "boolean")
    expected("allowInsecureHttp", "true or false", allowInsecureHttp);
  const baseUrl = checkedUrl("environmentUrl", environmentUrl, { allowInsecureHttp, platformCredential });
  if (typeof fetchImpl !== "function") expected("fetch", "a fetch function");
  const defaults = clientSettings(options);
  // Called as a plain function: some fetch implementations need `this` to be globalThis or nothing.
  const plainFetch: typeof fetch = (input, init) => fetchImpl(input, init);
  let credentials: Credentials;
  if (oauth !== undefined) {
    if (authScheme === "Api-Token") fail('authScheme: an OAuth client\'s access tokens are sent as "Bearer"');
    checkSchemeFitsBase("Bearer", baseUrl, "an OAuth client's access token");
    const client = checkOAuthOptions(oauth, allowInsecureHttp, oauthScopes);
    credentials = oauthCredentials(client, { ...defaults, fetch: plainFetch, logger, allowInsecureHttp });
  } else {
    credentials = tokenCredentials(token!, baseUrl, authScheme);
  }
  const transport: Transport = {
    fetch: plainFetch,
    credentials,
    origin: { url: baseUrl, allowInsecureHttp },
    logger,
    random: Math.random,
  };
  // openapi-fetch sends JSON bodies as application/json (UTF-8, as JSON always is).
  const headers = { "user-agent": userAgent };
  // `raw`, for the caller: real Requests, its middleware, its init options.
  const raw = createClient<paths>({ baseUrl, headers, fetch: rawFetch(defaults, transport) });
  // The methods' own client: it hands the request loop PreparedRequests (see there); each call
  // passes its own fetch.
  const api = createClient<paths>({
    baseUrl,
    headers,
    Request: PreparedRequest as unknown as typeof Request,
  });
  return { baseUrl, defaults, transport, raw, api };
}

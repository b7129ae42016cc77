// OAuth client credentials: access tokens from Dynatrace SSO with the client-credentials grant,
// cached until shortly before they expire, with one request in flight however many calls wait.
// Token requests go through the request loop (request.ts) like every other request: its timeouts,
// deadline, retries, Retry-After, redirect refusal and redaction. Loaded on first use (see
// oauthCredentials in credentials.ts): apps that never use OAuth do not carry this module.
import { bodyText, type ResponseErrorContext } from "./error-from-response.js";
import { type ApiTokensError, OAuthError, RateLimitError, ServerError } from "./errors.js";
import type { OAuthClient } from "./oauth-options.js";
import type { CallSettings } from "./options.js";
import { PreparedRequest } from "./prepared-request.js";
import { startCall, type Transport } from "./request.js";
import type { Logger } from "./types.js";
import { untilAborted } from "./until-aborted.js";

/** How token requests are sent: the client's own fetch, timeouts and retry settings. @internal */
export interface TokenRequestSettings extends CallSettings {
  fetch: typeof fetch;
  logger?: Logger | undefined;
  /** The client's allowInsecureHttp (the token URL was checked with it). */
  allowInsecureHttp?: boolean | undefined;
  now?: () => number;
  random?: () => number;
}

/** Refresh this long before expiry (at most a quarter of the lifetime, for short-lived tokens). */
const REFRESH_MARGIN_MS = 30_000;
/** Dynatrace's lifetime of an access token, assumed when SSO does not say (`expires_in` missing). */
const DEFAULT_LIFETIME_S = 300;
/** The longest an access token is cached, whatever SSO says (`expires_in: 1e308`). */
const MAX_LIFETIME_S = 3600;

/** What to check when SSO refuses, by OAuth error code; anything else: check every option. */
const FIXES: Record<string, string> = {
  invalid_client: "check the client id and secret; the client may have been revoked",
  invalid_scope: "grant the client the scopes asked for, or ask for fewer (oauth.scope)",
  invalid_target: "check accountUrn",
};

/**
 * How long to cache a token, in seconds, from SSO's `expires_in`: a number (or a string of digits)
 * above 0, at most an hour; missing, Dynatrace's 300 s; anything else (0, negative, not a number)
 * not at all: the token serves the calls that waited for it only.
 */
function lifetimeSeconds(expiresIn: unknown): number {
  if (expiresIn === undefined) return DEFAULT_LIFETIME_S;
  const seconds = typeof expiresIn === "string" && /^\d+$/.test(expiresIn) ? Number(expiresIn) : expiresIn;
  return typeof seconds === "number" && seconds > 0 ? Math.min(seconds, MAX_LIFETIME_S) : 0;
}

/** The one request to SSO that waiting calls share, and how many wait for it. */
interface SharedRequest {
  promise: Promise<string>;
  control: AbortController;
  waiting: number;
}

/**
 * Access tokens of one OAuth client. `get()` answers from the cache until shortly before the token
 * expires; then one request to SSO serves every waiting call, and is abandoned when every one of
 * them gave up (so a stalled request never holds later calls). `rejected(token)` handles a 401.
 * @internal
 */
export class OAuthAccessTokens {
  readonly client: OAuthClient;
  private readonly settings: TokenRequestSettings;
  private readonly transport: Transport;
  private cached: { token: string; refreshAt: number } | undefined;
  private shared: SharedRequest | undefined;
  /** A fresh access token the environment refused too: no new one is fetched while it is cached. */
  private refused: string | undefined;

  constructor(client: OAuthClient, settings: TokenRequestSettings) {
    this.client = client;
    this.settings = settings;
    this.transport = {
      fetch: settings.fetch,
      logger: settings.logger,
      random: settings.random ?? Math.random,
      origin: { url: client.tokenUrl, allowInsecureHttp: settings.allowInsecureHttp ?? false },
    };
  }

  private now(): number {
    return (this.settings.now ?? Date.now)();
  }

  /** A valid access token. The signal ends this caller's wait; the last caller to leave abandons the request. */
  get(signal?: AbortSignal): Promise<string> {
    const cached = this.cached;
    if (cached && this.now() < cached.refreshAt) return Promise.resolve(cached.token);
    if (!this.shared) {
      const control = new AbortController();
      const shared: SharedRequest = { promise: this.request(control.signal), control, waiting: 0 };
      const done = () => {
        if (this.shared === shared) this.shared = undefined;
      };
      shared.promise.then(done, done);
      this.shared = shared;
    }
    const shared = this.shared;
    shared.waiting++;
    return untilAborted(shared.promise, signal).finally(() => {
      shared.waiting--;
      if (shared.waiting === 0 && this.shared === shared) {
        this.shared = undefined;
        shared.control.abort();
      }
    });
  }

  /**
   * The environment answered 401 to `token`: `"retry"` (forgotten, the next `get()` fetches a new
   * one) unless it was already the fresh token of a retry (`afterRetry`) or such a token: then it is
   * refused, and stays cached so that calls fail at once instead of fetching one token each.
   */
  rejected(token: string, afterRetry: boolean): "retry" | { refused: string } {
    if (afterRetry || token === this.refused) {
      this.refused = token;
      return {
        refused: `the environment refused a fresh access token of the OAuth client ${this.client.clientId} too: check its scopes and accountUrn; no new token is fetched until this one expires`,
      };
    }
    if (this.cached?.token === token) this.cached = undefined;
    return "retry";
  }

  private async request(signal: AbortSignal): Promise<string> {
    const { clientId, clientSecret, accountUrn, scope, tokenUrl } = this.client;
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: clientSecret,
      scope,
      resource: accountUrn,
    }).toString();
    const headers = new Headers({
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
    });
    const call = startCall({ ...this.settings, signal }, this.transport);
    try {
      const response = await call.send(
        new PreparedRequest(tokenUrl, { method: "POST", headers, body }, true),
      );
      const text = await response.text();
      if (!response.ok)
        throw call.errorForResponse(response, text, (r, t, c) => this.refusal(r, String(t), c));
      let answer: { access_token?: unknown; token_type?: unknown; expires_in?: unknown } | undefined;
      try {
        answer = JSON.parse(text);
      } catch {}
      const token = answer?.access_token;
      const type = answer?.token_type;
      if (
        typeof token !== "string" ||
        !/^[!-~]+$/.test(token) ||
        (type !== undefined && String(type).toLowerCase() !== "bearer")
      ) {
        throw call.errorForBody(
          response,
          'no access token of type "Bearer"',
          "is tokenUrl the SSO token endpoint?",
        );
      }
      const lifetime = lifetimeSeconds(answer?.expires_in) * 1000;
      this.cached = { token, refreshAt: this.now() + lifetime - Math.min(REFRESH_MARGIN_MS, lifetime / 4) };
      return token;
    } catch (thrown) {
      throw call.errorFromThrown(thrown);
    } finally {
      call.finish();
    }
  }

  /** The error for SSO's refusal (RFC 6749 §5.2: `error`, `error_description`; Dynatrace adds `message`). */
  private refusal(response: Response, text: string, context: ResponseErrorContext): ApiTokensError {
    const { status } = response;
    const { request, retryAfterMs, note } = context;
    let body: { error?: unknown; error_description?: unknown; message?: unknown } = {};
    try {
      body = JSON.parse(text) ?? {};
    } catch {}
    // Each field bounded as the API's are (a huge body makes no message of megabytes).
    const code = bodyText(body.error);
    const description = [body.error_description, body.message]
      .map(bodyText)
      .find((d) => d !== undefined && d !== "");
    const said = `${code ?? status}${description ? `: ${description}` : ""}`;
    const line = `${request?.method} ${request?.url} failed with ${status}`;
    const why = note ? ` (${note})` : "";
    if (status === 429)
      return new RateLimitError(`${line} (SSO throttled the token request)${why}`, {
        status,
        request,
        retryAfterMs,
      });
    if (status > 499) return new ServerError(`${line}: ${said}${why}`, { status, request, retryAfterMs });
    const fix = FIXES[code ?? ""] ?? "check clientId, clientSecret, accountUrn and scope";
    return new OAuthError(`${line}: SSO refused the OAuth client ${this.client.clientId} (${said}); ${fix}`, {
      status,
      request,
      oauthError: code,
      apiMessage: typeof description === "string" ? description : undefined,
    });
  }
}

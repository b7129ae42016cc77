// OAuth client credentials: access tokens from Dynatrace SSO with the client-credentials grant,
// cached until shortly before they expire, with one request in flight however many calls wait.
// Loaded on first use (see oauthCredentials in credentials.ts): apps that never use OAuth do not
// carry this module.
import { BACKOFF_CAP_MS, backoff, LONGEST_TIMER_MS, serverDelay } from "./delays.js";
import {
  type ApiTokensError,
  ConnectionError,
  OAuthError,
  RateLimitError,
  ServerError,
  TimeoutError,
  UnexpectedResponseError,
} from "./errors.js";
import { errorText } from "./network-error.js";
import type { OAuthClient } from "./oauth-options.js";
import { redact } from "./redact.js";
import type { Logger } from "./types.js";
import { untilAborted } from "./until-aborted.js";

/** How token requests are sent: the client's own fetch, timeouts and retry settings. @internal */
export interface TokenRequestSettings {
  fetch: typeof fetch;
  timeoutMs: number;
  maxRetries: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  logger?: Logger | undefined;
  now?: () => number;
  random?: () => number;
}

const RETRY_STATUS = [429, 500, 502, 503, 504];
/** Refresh this long before expiry (at most a quarter of the lifetime, for short-lived tokens). */
const REFRESH_MARGIN_MS = 30_000;

/** What to check when SSO refuses, by OAuth error code; anything else: check every option. */
const FIXES: Record<string, string> = {
  invalid_client: "check the client id and secret; the client may have been revoked",
  invalid_scope: "grant the client the scopes asked for, or ask for fewer (oauth.scope)",
  invalid_target: "check accountUrn",
};

/**
 * Access tokens of one OAuth client. `get()` answers from the cache until shortly before the token
 * expires; then one request to SSO serves every waiting call. `invalidate(token)` drops a token the
 * API refused (a 401), so the next `get()` fetches a new one.
 * @internal
 */
export class OAuthAccessTokens {
  readonly client: OAuthClient;
  private readonly settings: TokenRequestSettings;
  private cached: { token: string; refreshAt: number } | undefined;
  private inFlight: Promise<string> | undefined;

  constructor(client: OAuthClient, settings: TokenRequestSettings) {
    this.client = client;
    this.settings = settings;
  }

  private now(): number {
    return (this.settings.now ?? Date.now)();
  }

  /** A valid access token. The signal stops this caller's wait, not the shared request. */
  get(signal?: AbortSignal): Promise<string> {
    const cached = this.cached;
    if (cached && this.now() < cached.refreshAt) return Promise.resolve(cached.token);
    this.inFlight ??= this.request().finally(() => {
      this.inFlight = undefined;
    });
    return untilAborted(this.inFlight, signal);
  }

  /** Forgets `token` if it is still the cached one, so that the next `get()` fetches a new one. */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  private async request(): Promise<string> {
    const { fetch: fetchImpl, timeoutMs, maxRetries, retryDelayMs, maxRetryDelayMs, logger } = this.settings;
    const { clientId, clientSecret, accountUrn, scope, tokenUrl } = this.client;
    const line = `POST ${redact(tokenUrl)}`;
    const request = { method: "POST", url: redact(tokenUrl) };
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: clientSecret,
      scope,
      resource: accountUrn,
    }).toString();
    for (let attempt = 1; ; attempt++) {
      logger?.debug(`${line} (client credentials of ${redact(clientId)}, attempt ${attempt})`);
      const control = new AbortController();
      const timer = timeoutMs <= LONGEST_TIMER_MS ? setTimeout(() => control.abort(), timeoutMs) : undefined;
      let response: Response | undefined;
      let text = "";
      let failure: ApiTokensError | undefined;
      try {
        response = await fetchImpl(tokenUrl, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
          body,
          signal: control.signal,
        });
        text = await response.text();
      } catch (error) {
        failure = control.signal.aborted
          ? new TimeoutError(`${line} timed out after ${timeoutMs} ms`, { request })
          : new ConnectionError(`${line} failed: ${errorText(error)}`, { request, cause: error });
        response = undefined;
      } finally {
        clearTimeout(timer);
      }
      if (response?.ok) return this.accept(response, text, line, request);
      const status = response?.status ?? 0;
      const retryable = response === undefined || RETRY_STATUS.includes(status);
      const wait = response ? serverDelay(response.headers) : undefined;
      if (!retryable || attempt > maxRetries || (wait !== undefined && wait > maxRetryDelayMs)) {
        throw failure ?? this.refusal(response!, text, line, request, wait);
      }
      const delay =
        wait ?? backoff(attempt, retryDelayMs, BACKOFF_CAP_MS, this.settings.random ?? Math.random);
      logger?.warn(`${line} ${status || failure?.name}; retry ${attempt} of ${maxRetries} in ${delay} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  private accept(response: Response, text: string, line: string, request: { method: string; url: string }) {
    let answer: { access_token?: unknown; token_type?: unknown; expires_in?: unknown } | undefined;
    try {
      answer = JSON.parse(text);
    } catch {
      answer = undefined;
    }
    const token = answer?.access_token;
    const type = answer?.token_type;
    // Messages go through redact(): no word may follow "Bearer " or "Api-Token " in them, or it reads as a secret.
    if (
      typeof token !== "string" ||
      !/^[!-~]+$/.test(token) ||
      (type !== undefined && String(type).toLowerCase() !== "bearer")
    ) {
      throw new UnexpectedResponseError(
        `${line} answered ${response.status} (${response.headers.get("content-type") ?? "no content type"}) with no access token of type "Bearer": is tokenUrl the SSO token endpoint?`,
        { status: response.status, request },
      );
    }
    const seconds = typeof answer?.expires_in === "number" && answer.expires_in > 0 ? answer.expires_in : 300;
    const lifetime = seconds * 1000;
    this.cached = { token, refreshAt: this.now() + lifetime - Math.min(REFRESH_MARGIN_MS, lifetime / 4) };
    return token;
  }

  private refusal(
    response: Response,
    text: string,
    line: string,
    request: { method: string; url: string },
    retryAfterMs: number | undefined,
  ): ApiTokensError {
    const { status } = response;
    let body: { error?: unknown; error_description?: unknown; message?: unknown } = {};
    try {
      body = JSON.parse(text) ?? {};
    } catch {}
    const code = typeof body.error === "string" ? body.error : undefined;
    const description = [body.error_description, body.message].find((d) => typeof d === "string" && d !== "");
    const said = `${code ?? status}${description ? `: ${description}` : ""}`;
    if (status === 429)
      return new RateLimitError(`${line} failed with 429 (SSO throttled the token request)`, {
        status,
        request,
        retryAfterMs,
      });
    if (status > 499) return new ServerError(`${line} failed with ${status}: ${said}`, { status, request });
    const fix = FIXES[code ?? ""] ?? "check clientId, clientSecret, accountUrn and scope";
    return new OAuthError(
      `${line} failed with ${status}: SSO refused the OAuth client ${this.client.clientId} (${said}); ${fix}`,
      {
        status,
        request,
        oauthError: code,
        apiMessage: typeof description === "string" ? description : undefined,
      },
    );
  }
}

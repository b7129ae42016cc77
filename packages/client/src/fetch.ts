import {
  AbortError,
  type ApiTokensError,
  ConnectionError,
  type ErrorRequest,
  redact,
  TimeoutError,
} from "./errors.js";

/** Where the client writes what it does. `console` fits; every line is redacted. */
export interface Logger {
  debug(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
}

/** Options that apply to one call; every method takes them as its last argument. */
export interface RequestOptions {
  /** Aborts the call: the request in flight and any pending backoff wait. */
  signal?: AbortSignal;
  /** Timeout of each attempt in milliseconds (default 30 000; `Infinity` for none). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 2). */
  maxRetries?: number;
}

/** @internal */
export interface FetchConfig extends Required<Omit<RequestOptions, "signal">> {
  signal?: AbortSignal | undefined;
  fetch: typeof fetch;
  token: () => Promise<string>;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  logger?: Logger | undefined;
  random?: () => number;
}

/** @internal What a call learned, for the error it may throw. */
export interface CallState {
  request?: ErrorRequest;
  retryAfterMs?: number | undefined;
  /** The request changes state and an attempt may have been applied by the server. */
  outcomeUnknown?: boolean;
}

// Connection failures that happen before a byte of the request is sent: safe to retry anything.
const NEVER_SENT = /^E(CONNREFUSED|NOTFOUND|AI_AGAIN|(HOST|NET)UNREACH)$|CONNECT_TIMEOUT$/;
const RETRY_STATUS = [429, 502, 503, 504];

/**
 * The wait a response asks for, in ms: `Retry-After` in seconds or as an HTTP date, else the legacy
 * `X-RateLimit-Reset` (an epoch timestamp in microseconds).
 * @internal
 */
export function serverDelay(headers: Headers, now = Date.now()): number | undefined {
  const after = headers.get("retry-after");
  const ms = after
    ? Number(after) * 1000 || Date.parse(after) - now
    : Number(headers.get("x-ratelimit-reset") || undefined) / 1000 - now;
  return ms < 0 ? 0 : ms >= 0 ? ms : undefined;
}

/** Exponential backoff with jitter: between half and all of `base * 2^(retry-1)`, capped. @internal */
export function backoff(retry: number, base: number, cap: number, random: () => number): number {
  return (Math.min(base * 2 ** (retry - 1), cap) * (1 + random())) >> 1;
}

// Rejects at once when the signal is already aborted (the abort may have landed between the failed
// attempt and this wait), or as soon as it aborts during the wait.
const sleep = (ms: number, signal: AbortSignal | undefined) =>
  new Promise((resolve, reject) => {
    const stop = () => reject(clearTimeout(timer));
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", stop, { once: true });
    if (signal?.aborted) stop();
  });

/**
 * A `fetch` for openapi-fetch that adds auth, a timeout per attempt, the caller's signal and
 * idempotency-aware retries with backoff. GET, PUT, DELETE and lookup are retried on 429, 502, 503,
 * 504, connection errors and timeouts. Any other POST (create) is retried only when the server
 * cannot have applied it: a 429, or a connection that failed before the request was sent.
 * @internal
 */
export function retryingFetch(cfg: FetchConfig, state: CallState = {}) {
  return async (input: Request): Promise<Response> => {
    const { method, url } = input;
    const { signal, logger, timeoutMs, maxRetries } = cfg;
    const lookup = method === "POST" && url.endsWith("/lookup");
    const mutating = method !== "GET" && !lookup;
    const body = input.body && (await input.text());
    const headers = new Headers(input.headers);
    const line = `${method} ${redact(url)}`;
    state.request = { method, url: redact(url) };
    const error = (Class: typeof ApiTokensError, what: string) => new Class(`${line} ${what}`, state);
    const stopIfAborted = () => {
      if (signal?.aborted) throw error(AbortError, "was aborted");
    };

    for (let attempt = 1; ; attempt++) {
      headers.set("authorization", `Api-Token ${await cfg.token()}`);
      // After the token (which may be awaited): a signal that fires later reaches the controller below.
      stopIfAborted();
      logger?.debug(`${line} (attempt ${attempt})`);

      // One controller per attempt, aborted by the caller's signal or by the attempt's timer: about a
      // quarter of a call cheaper than AbortSignal.timeout() + AbortSignal.any().
      const control = new AbortController();
      const abort = () => control.abort();
      signal?.addEventListener("abort", abort);
      const timer = timeoutMs < 2 ** 31 ? setTimeout(abort, timeoutMs) : undefined;
      let response: Response | undefined;
      let failure: ApiTokensError | undefined;
      let retry = method !== "POST" || lookup;
      try {
        const res = await cfg.fetch(url, { method, headers, body, signal: control.signal });
        // The body is read under the same signal, so a stalled body is a timeout too.
        const buf = await res.arrayBuffer();
        response = new Response(buf.byteLength ? buf : null, res);
      } catch (e) {
        const cause = (e as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } })
          ?.cause;
        const code = cause?.code ?? cause?.errors?.[0]?.code;
        const unsent = NEVER_SENT.test(code!);
        state.outcomeUnknown ||= mutating && !unsent;
        stopIfAborted();
        retry ||= unsent;
        failure = control.signal.aborted
          ? error(TimeoutError, `timed out after ${timeoutMs} ms`)
          : error(ConnectionError, `failed: ${code ?? cause?.message ?? (e as Error)?.message}`);
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener("abort", abort);
      }

      const status = response?.status ?? 0;
      state.outcomeUnknown ||= mutating && status > 499;
      if (response && !RETRY_STATUS.includes(status)) return response;
      // biome-ignore lint/suspicious/noAssignInExpressions: the shortest form, within the size budget
      const wait = response && (state.retryAfterMs = serverDelay(response.headers));
      retry ||= status === 429;
      // Out of retries, or asked to wait longer than we accept: the response (or failure) stands.
      if (!retry || attempt > maxRetries || wait! > cfg.maxRetryDelayMs)
        return response ?? Promise.reject(failure);
      const delay = wait ?? backoff(attempt, cfg.retryDelayMs, 8000, cfg.random ?? Math.random);
      logger?.warn(`${line} ${status || failure?.name}; retry ${attempt} of ${maxRetries} in ${delay} ms`);
      await sleep(delay, signal).catch(stopIfAborted);
    }
  };
}

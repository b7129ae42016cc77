// The retry policy, as a pure function: what happened and where the call stands in, wait or stop
// out. The request loop (request.ts) keeps the mechanics: timers, aborts, bodies, credentials.
import { BACKOFF_CAP_MS, backoff, describeWait } from "./delays.js";

/** Statuses worth another attempt: throttled, or a gateway that could not reach the server. @internal */
export const RETRY_STATUSES = [429, 502, 503, 504];

/**
 * What an attempt ended with: an answer (its status, and the wait it asked for, if any), or a
 * failure of fetch, before the request was sent (a refused connection) or possibly after (a reset,
 * a timeout). @internal
 */
export type AttemptOutcome =
  | { status: number; askedMs?: number | undefined }
  | { failed: "before-sending" | "after-sending" };

/** Where the call stands. @internal */
export interface CallState {
  /** The request may be applied twice without harm (a read, a lookup, a token request). */
  idempotent: boolean;
  /** Retries made so far (0 after the first attempt). */
  retries: number;
  maxRetries: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  /** Time left until the call's deadline, in ms (`Infinity` for none). */
  msLeft: number;
  /** The call's deadline, for the note. */
  deadlineMs: number;
  /** A random number in [0, 1) for the backoff's jitter. */
  random: number;
}

/** Wait this long, then try again; or stop (`note` says why, when that is worth saying). @internal */
export type RetryDecision = { waitMs: number } | { note?: string };

/**
 * Whether to try again, and after how long. A request that may be applied twice is retried on 429,
 * 502, 503, 504 and on any failure; any other (a create) only on 429 (the server rejects throttled
 * requests before processing them) and on a failure before the request was sent. At most
 * `maxRetries` retries; a server-asked wait longer than `maxRetryDelayMs`, or a wait that would
 * pass the deadline, stops. The wait is the server's, else exponential backoff with jitter.
 * @internal
 */
export function retryDecision(outcome: AttemptOutcome, state: CallState): RetryDecision {
  const retryable =
    "status" in outcome
      ? RETRY_STATUSES.includes(outcome.status) && (state.idempotent || outcome.status === 429)
      : state.idempotent || outcome.failed === "before-sending";
  if (!retryable || state.retries >= state.maxRetries) return {};
  const askedMs = "status" in outcome ? outcome.askedMs : undefined;
  if (askedMs !== undefined && askedMs > state.maxRetryDelayMs) {
    return {
      note: `the server asked to wait ${describeWait(askedMs)}, longer than maxRetryDelayMs (${state.maxRetryDelayMs} ms)`,
    };
  }
  const waitMs =
    askedMs ?? backoff(state.retries + 1, state.retryDelayMs, BACKOFF_CAP_MS, () => state.random);
  if (waitMs > state.msLeft)
    return { note: `a retry in ${describeWait(waitMs)} would pass the deadline of ${state.deadlineMs} ms` };
  return { waitMs };
}

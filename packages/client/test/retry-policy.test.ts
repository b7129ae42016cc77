// The retry policy as a pure function: what happened and where the call stands in, wait or stop out.
import { describe, expect, test } from "vitest";
import { type AttemptOutcome, type CallState, retryDecision } from "../src/retry-policy.js";

const state = (over: Partial<CallState> = {}): CallState => ({
  idempotent: true,
  retries: 0,
  maxRetries: 2,
  retryDelayMs: 500,
  maxRetryDelayMs: 60_000,
  msLeft: Number.POSITIVE_INFINITY,
  deadlineMs: 120_000,
  random: 0,
  ...over,
});

describe("retryDecision", () => {
  test.each<[string, AttemptOutcome, Partial<CallState>, ReturnType<typeof retryDecision>]>([
    // Statuses: 429 and gateway errors are retried; everything else stands.
    ["a read answered 503", { status: 503 }, {}, { waitMs: 250 }],
    ["a read answered 502", { status: 502 }, {}, { waitMs: 250 }],
    ["a read answered 504", { status: 504 }, {}, { waitMs: 250 }],
    ["a read answered 429", { status: 429 }, {}, { waitMs: 250 }],
    ["a read answered 500", { status: 500 }, {}, {}],
    ["a read answered 200", { status: 200 }, {}, {}],
    ["a read answered 404", { status: 404 }, {}, {}],
    ["a read answered 401", { status: 401 }, {}, {}],
    // A create: only what the server cannot have applied.
    ["a create answered 429", { status: 429 }, { idempotent: false }, { waitMs: 250 }],
    ["a create answered 503", { status: 503 }, { idempotent: false }, {}],
    ["a create refused before sending", { failed: "before-sending" }, { idempotent: false }, { waitMs: 250 }],
    ["a create lost after sending", { failed: "after-sending" }, { idempotent: false }, {}],
    ["a read lost after sending", { failed: "after-sending" }, {}, { waitMs: 250 }],
    // Backoff: doubling from retryDelayMs with jitter (random 0: half the step, 0.999…: all of it), capped at 8 s.
    ["the second retry", { status: 503 }, { retries: 1 }, { waitMs: 500 }],
    ["the second retry, most jitter", { status: 503 }, { retries: 1, random: 0.999 }, { waitMs: 999 }],
    ["a late retry is capped", { status: 503 }, { retries: 9, maxRetries: 100 }, { waitMs: 4000 }],
    // Limits.
    ["no retries left", { status: 503 }, { retries: 2 }, {}],
    ["maxRetries 0", { failed: "before-sending" }, { maxRetries: 0 }, {}],
    // The server's wait replaces the backoff, up to maxRetryDelayMs.
    ["Retry-After 2 s", { status: 429, askedMs: 2000 }, {}, { waitMs: 2000 }],
    ["Retry-After 0", { status: 503, askedMs: 0 }, {}, { waitMs: 0 }],
    [
      "Retry-After beyond maxRetryDelayMs",
      { status: 429, askedMs: 90_000 },
      {},
      { note: "the server asked to wait 90 s, longer than maxRetryDelayMs (60000 ms)" },
    ],
    [
      "a wait past the deadline",
      { status: 503, askedMs: 30_000 },
      { msLeft: 5000, deadlineMs: 5000 },
      { note: "a retry in 30 s would pass the deadline of 5000 ms" },
    ],
    ["a wait within the deadline", { status: 503 }, { msLeft: 300 }, { waitMs: 250 }],
  ])("%s", (_what, outcome, over, decision) => {
    expect(retryDecision(outcome, state(over))).toEqual(decision);
  });
});

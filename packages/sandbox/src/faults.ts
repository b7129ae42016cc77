/**
 * Fault injection on demand, from a seed so that runs repeat: every API request draws, in arrival
 * order, from a seeded PRNG (mulberry32) whether to add latency, drop the connection (no response
 * at all) or answer with an injected error (500/503 by default, 429 on request). These faults
 * happen before the request is processed: nothing is written. After-commit faults (`afterCommitRate`)
 * are the other kind: the request is processed (a create or update is committed), then its response
 * is lost, as when a server or proxy fails between the write and the answer.
 */

import { mulberry32 } from "./random.js";

export interface FaultOptions {
  /** PRNG seed; the same seed and the same request sequence give the same faults. Default 1. */
  seed?: number;
  /** Share of requests (0..1) answered with an error status from `errorStatuses`. */
  errorRate?: number;
  /**
   * Statuses to choose from for injected errors: 5xx, or 429 (throttled). Default [500, 503]. 429s
   * and 503s carry `Retry-After`.
   */
  errorStatuses?: readonly number[];
  /** Share of requests (0..1) whose connection is destroyed without a response. */
  dropRate?: number;
  /** Added latency per request: a fixed number of ms or a `[min, max]` range. Default 0. */
  latencyMs?: number | readonly [number, number];
  /** `Retry-After` seconds sent with injected 429s and 503s. Default 1. */
  retryAfterSeconds?: number;
  /**
   * Share of requests (0..1) that are processed normally (writes committed) and whose response is
   * then lost: half of them get a dropped connection, half an error status (the 5xx ones of
   * `errorStatuses`, or 503 when it has none; never 429, which promises that nothing happened).
   * Drawn from a second PRNG stream, so the before-processing faults of a seed stay the same.
   */
  afterCommitRate?: number;
}

/** What happens to a request's response after it was processed. */
type AfterCommit = { kind: "drop" } | { kind: "error"; status: number };

type FaultDecision =
  | { kind: "none"; latencyMs: number; afterCommit?: AfterCommit }
  | { kind: "drop"; latencyMs: number }
  | { kind: "error"; latencyMs: number; status: number };

function rate(value: number | undefined, name: string): number {
  const v = value ?? 0;
  if (!(v >= 0 && v <= 1)) throw new RangeError(`faults.${name} must be between 0 and 1.`);
  return v;
}

export class Faults {
  private readonly random: () => number;
  private readonly afterRandom: () => number;
  private readonly errorRate: number;
  private readonly afterCommitRate: number;
  private readonly afterStatuses: readonly number[];
  private readonly dropRate: number;
  private readonly statuses: readonly number[];
  private readonly latency: readonly [number, number];
  readonly retryAfterSeconds: number;

  constructor(options: FaultOptions) {
    this.random = mulberry32(options.seed ?? 1);
    this.afterRandom = mulberry32(((options.seed ?? 1) ^ 0x9e3779b9) >>> 0);
    this.errorRate = rate(options.errorRate, "errorRate");
    this.afterCommitRate = rate(options.afterCommitRate, "afterCommitRate");
    this.dropRate = rate(options.dropRate, "dropRate");
    this.statuses = options.errorStatuses ?? [500, 503];
    if (
      this.statuses.length === 0 ||
      this.statuses.some((s) => !Number.isInteger(s) || (s !== 429 && (s < 500 || s > 599)))
    ) {
      throw new RangeError("faults.errorStatuses must be a non-empty list of 5xx statuses or 429.");
    }
    const serverErrors = this.statuses.filter((s) => s !== 429);
    this.afterStatuses = serverErrors.length > 0 ? serverErrors : [503];
    const l = options.latencyMs ?? 0;
    this.latency = typeof l === "number" ? [l, l] : [l[0], l[1]];
    if (!(this.latency[0] >= 0 && this.latency[1] >= this.latency[0])) {
      throw new RangeError("faults.latencyMs must be a number >= 0 or a [min, max] range.");
    }
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
  }

  /**
   * Always draws four numbers from the main stream and three from the after-commit stream, so that
   * the sequence of decisions depends only on the seed.
   */
  next(): FaultDecision {
    const [lo, hi] = this.latency;
    const latencyMs = Math.round(lo + (hi - lo) * this.random());
    const drop = this.random() < this.dropRate;
    const error = this.random() < this.errorRate;
    const pick = this.random();
    const after = this.afterRandom() < this.afterCommitRate;
    const afterDrop = this.afterRandom() < 0.5;
    const afterPick = this.afterRandom();
    if (drop) return { kind: "drop", latencyMs };
    if (error) {
      return { kind: "error", latencyMs, status: this.statuses[Math.floor(pick * this.statuses.length)]! };
    }
    if (after) {
      const afterCommit: AfterCommit = afterDrop
        ? { kind: "drop" }
        : {
            kind: "error",
            status: this.afterStatuses[Math.floor(afterPick * this.afterStatuses.length)]!,
          };
      return { kind: "none", latencyMs, afterCommit };
    }
    return { kind: "none", latencyMs };
  }
}

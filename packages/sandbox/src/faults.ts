/**
 * Fault injection on demand, from a seed so that runs repeat: every API request draws, in arrival
 * order, from a seeded PRNG (mulberry32) whether to add latency, drop the connection (no response
 * at all) or answer with an injected 500/503. An injected fault happens before the request is
 * processed: nothing is written.
 */

export interface FaultOptions {
  /** PRNG seed; the same seed and the same request sequence give the same faults. Default 1. */
  seed?: number;
  /** Share of requests (0..1) answered with an error status from `errorStatuses`. */
  errorRate?: number;
  /** Statuses to choose from for injected errors. Default [500, 503]. */
  errorStatuses?: readonly number[];
  /** Share of requests (0..1) whose connection is destroyed without a response. */
  dropRate?: number;
  /** Added latency per request: a fixed number of ms or a `[min, max]` range. Default 0. */
  latencyMs?: number | readonly [number, number];
  /** `Retry-After` seconds sent with injected 503s. Default 1. */
  retryAfterSeconds?: number;
}

export type FaultDecision =
  | { kind: "none"; latencyMs: number }
  | { kind: "drop"; latencyMs: number }
  | { kind: "error"; latencyMs: number; status: number };

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rate(value: number | undefined, name: string): number {
  const v = value ?? 0;
  if (!(v >= 0 && v <= 1)) throw new RangeError(`faults.${name} must be between 0 and 1.`);
  return v;
}

export class Faults {
  private readonly random: () => number;
  private readonly errorRate: number;
  private readonly dropRate: number;
  private readonly statuses: readonly number[];
  private readonly latency: readonly [number, number];
  readonly retryAfterSeconds: number;

  constructor(options: FaultOptions) {
    this.random = mulberry32(options.seed ?? 1);
    this.errorRate = rate(options.errorRate, "errorRate");
    this.dropRate = rate(options.dropRate, "dropRate");
    this.statuses = options.errorStatuses ?? [500, 503];
    if (this.statuses.length === 0 || this.statuses.some((s) => !Number.isInteger(s) || s < 500 || s > 599)) {
      throw new RangeError("faults.errorStatuses must be a non-empty list of 5xx statuses.");
    }
    const l = options.latencyMs ?? 0;
    this.latency = typeof l === "number" ? [l, l] : [l[0], l[1]];
    if (!(this.latency[0] >= 0 && this.latency[1] >= this.latency[0])) {
      throw new RangeError("faults.latencyMs must be a number >= 0 or a [min, max] range.");
    }
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
  }

  /** Always draws four numbers, so that the sequence of decisions depends only on the seed. */
  next(): FaultDecision {
    const [lo, hi] = this.latency;
    const latencyMs = Math.round(lo + (hi - lo) * this.random());
    const drop = this.random() < this.dropRate;
    const error = this.random() < this.errorRate;
    const pick = this.random();
    if (drop) return { kind: "drop", latencyMs };
    if (error) {
      return { kind: "error", latencyMs, status: this.statuses[Math.floor(pick * this.statuses.length)]! };
    }
    return { kind: "none", latencyMs };
  }
}

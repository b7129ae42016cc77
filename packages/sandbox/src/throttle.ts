/**
 * Throttling on demand: a token bucket per token (per credential presented; per client address for
 * requests without one). `requestsPerSecond` refill, bursts up to `burst` (default: one second's
 * worth). An empty bucket answers 429 with `Retry-After` in whole seconds (at least 1).
 */

export interface ThrottleOptions {
  /** Sustained requests per second allowed for each token. */
  requestsPerSecond: number;
  /** Requests allowed at once on a full bucket. Default: `max(1, requestsPerSecond)`. */
  burst?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class Throttle {
  private readonly buckets = new Map<string, Bucket>();
  readonly rate: number;
  readonly burst: number;

  constructor(options: ThrottleOptions) {
    if (!(options.requestsPerSecond > 0))
      throw new RangeError("throttle.requestsPerSecond must be greater than 0.");
    if (options.burst !== undefined && !(options.burst >= 1))
      throw new RangeError("throttle.burst must be at least 1.");
    this.rate = options.requestsPerSecond;
    this.burst = options.burst ?? Math.max(1, options.requestsPerSecond);
  }

  /** Takes one request from the key's bucket: undefined when allowed, else the seconds to wait. */
  take(key: string, now: number): number | undefined {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size > 10_000) this.buckets.clear();
      bucket = { tokens: this.burst, at: now };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.rate);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate));
  }
}

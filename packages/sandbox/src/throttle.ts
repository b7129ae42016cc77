/**
 * Throttling on demand: token buckets, one per key (an authenticated token, or a client address
 * for failed authentications). `requestsPerSecond` refill, bursts up to `burst` (default: one
 * second's worth). An empty bucket answers 429 with `Retry-After` in whole seconds (at least 1).
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

/** Buckets kept at most; past it the least recently used is forgotten (never all at once). */
const MAX_BUCKETS = 10_000;

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
    const bucket = this.refilled(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return this.secondsUntilOne(bucket);
  }

  /** Like take(), without taking: the seconds to wait when the key's bucket is empty, else undefined. */
  check(key: string, now: number): number | undefined {
    const bucket = this.refilled(key, now);
    return bucket.tokens >= 1 ? undefined : this.secondsUntilOne(bucket);
  }

  private refilled(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key); // re-inserted below: the map's order is least recently used first
    } else {
      if (this.buckets.size >= MAX_BUCKETS) this.buckets.delete(this.buckets.keys().next().value!);
      bucket = { tokens: this.burst, at: now };
    }
    this.buckets.set(key, bucket);
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.rate);
    bucket.at = now;
    return bucket;
  }

  private secondsUntilOne(bucket: Bucket): number {
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate));
  }
}

/**
 * A token bucket per client: `burst` requests at once, refilled at `ratePerSecond`. Buckets live in
 * an LRU bounded by `maxClients`; an evicted bucket was idle, and an idle bucket is full, which is
 * what a new one is, so eviction never grants more than the limit.
 */
import { LRUCache } from 'lru-cache';

export interface RateLimitSettings {
  /** 0 = no rate limit. */
  ratePerSecond: number;
  burst: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

/** Enough for every client of a deployment; bounded so that spoofed identities cannot grow memory. */
export const MAX_TRACKED_CLIENTS = 10_000;

export class RateLimiter {
  private readonly buckets: LRUCache<string, Bucket>;
  private readonly now: () => number;

  constructor(
    private readonly settings: RateLimitSettings,
    options: { maxClients?: number; now?: () => number } = {},
  ) {
    this.buckets = new LRUCache({ max: options.maxClients ?? MAX_TRACKED_CLIENTS });
    // Monotonic: a wall-clock jump must not refill every bucket at once.
    this.now = options.now ?? (() => performance.now());
  }

  take(client: string): RateDecision {
    return this.decide(client, true);
  }

  /** The decision `take` would make, without using a token (to refuse before doing any work). */
  peek(client: string): RateDecision {
    return this.decide(client, false);
  }

  private decide(client: string, consume: boolean): RateDecision {
    const { ratePerSecond, burst } = this.settings;
    if (ratePerSecond <= 0) return { allowed: true };
    const now = this.now();
    const bucket = this.buckets.get(client) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * ratePerSecond);
    bucket.at = now;
    if (consume) this.buckets.set(client, bucket);
    if (bucket.tokens >= 1) {
      if (consume) bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerSecond)) };
  }
}

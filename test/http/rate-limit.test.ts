/**
 * The per-client token bucket, on an injected clock (no test sleeps): burst then refusal with a
 * Retry-After that is enough and not more, refill, isolation between clients, memory bounded by
 * maxClients, off at 0 requests per second; and as properties, over any history of requests.
 */
import fc from 'fast-check';
import { MAX_TRACKED_CLIENTS, RateLimiter, type RateDecision } from '../../src/http/rate-limit';

/** A limiter on a clock the test moves by hand. */
function limiterAt(settings: { ratePerSecond: number; burst: number }, maxClients?: number) {
  let nowMs = 1_700_000_000_000;
  const limiter = new RateLimiter(settings, { now: () => nowMs, ...(maxClients === undefined ? {} : { maxClients }) });
  return {
    limiter,
    advance(ms: number) {
      nowMs += ms;
    },
    /** `count` takes at the current instant. */
    takes(client: string, count: number): RateDecision[] {
      return Array.from({ length: count }, () => limiter.take(client));
    },
  };
}

const ALLOWED: RateDecision = { allowed: true };
const allowedCount = (decisions: RateDecision[]) => decisions.filter((decision) => decision.allowed).length;

/**
 * The most by which the requests allowed within any window exceed `burst + rate × window`
 * (≤ 0 when the limit holds). Windows that start and end on an allowed request are the tightest,
 * so only those are checked. Plain arithmetic rather than an expect per window: fast-check re-runs
 * this many times while shrinking a counterexample.
 */
function worstWindowExcess(timesMs: readonly number[], burst: number, ratePerSecond: number): number {
  let worst = -Infinity;
  timesMs.forEach((start, i) => {
    for (let j = i; j < timesMs.length; j += 1) {
      const windowS = ((timesMs[j] ?? start) - start) / 1000;
      worst = Math.max(worst, j - i + 1 - (burst + ratePerSecond * windowS));
    }
  });
  return worst;
}

describe('RateLimiter', () => {
  it('allows a burst, then refuses with the whole seconds until the next token', () => {
    const { takes } = limiterAt({ ratePerSecond: 2, burst: 5 });
    expect(takes('dashboard', 7)).toEqual([
      ALLOWED,
      ALLOWED,
      ALLOWED,
      ALLOWED,
      ALLOWED,
      { allowed: false, retryAfterSeconds: 1 },
      { allowed: false, retryAfterSeconds: 1 },
    ]);
  });

  it('rounds Retry-After up, so that a client retrying on time is served', () => {
    const { limiter, takes, advance } = limiterAt({ ratePerSecond: 0.25, burst: 1 }); // one token every 4 s
    expect(takes('slow', 2)).toEqual([ALLOWED, { allowed: false, retryAfterSeconds: 4 }]);
    advance(1_500);
    expect(limiter.take('slow')).toEqual({ allowed: false, retryAfterSeconds: 3 }); // 2.5 s to go
    advance(2_000);
    expect(limiter.take('slow')).toEqual({ allowed: false, retryAfterSeconds: 1 }); // 0.5 s to go, never 0
    advance(499);
    expect(limiter.take('slow')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    advance(1);
    expect(limiter.take('slow')).toEqual(ALLOWED);
  });

  it('refills at the configured rate, never above the burst', () => {
    const { limiter, takes, advance } = limiterAt({ ratePerSecond: 10, burst: 20 });
    expect(allowedCount(takes('c', 25))).toBe(20);
    advance(100); // one token
    expect(takes('c', 2).map((d) => d.allowed)).toEqual([true, false]);
    advance(550); // five and a half tokens
    expect(allowedCount(takes('c', 10))).toBe(5);
    advance(50); // the half token plus another half
    expect(limiter.take('c')).toEqual(ALLOWED);
    advance(3_600_000); // an hour idle refills the bucket to the burst, not to 36,000
    expect(allowedCount(takes('c', 100))).toBe(20);
  });

  it('keeps clients apart: one spending its burst does not slow another', () => {
    const { takes } = limiterAt({ ratePerSecond: 1, burst: 3 });
    expect(allowedCount(takes('noisy', 50))).toBe(3);
    expect(allowedCount(takes('quiet', 3))).toBe(3);
    expect(takes('noisy', 1)).toEqual([{ allowed: false, retryAfterSeconds: 1 }]);
  });

  it('is off at 0 requests per second', () => {
    const { takes } = limiterAt({ ratePerSecond: 0, burst: 1 });
    expect(allowedCount(takes('anyone', 10_000))).toBe(10_000);
  });

  describe('memory', () => {
    it(`tracks at most maxClients buckets (${MAX_TRACKED_CLIENTS} by default)`, () => {
      const bounded = limiterAt({ ratePerSecond: 1, burst: 2 }, 100);
      const unbounded = limiterAt({ ratePerSecond: 1, burst: 2 });
      for (let i = 0; i < 20_000; i += 1) {
        bounded.limiter.take(`spoofed-${i}`);
        unbounded.limiter.take(`spoofed-${i}`);
      }
      expect(bounded.limiter['buckets'].size).toBe(100);
      expect(unbounded.limiter['buckets'].size).toBe(MAX_TRACKED_CLIENTS);
    });

    it('forgets the least recently seen client first', () => {
      const { takes } = limiterAt({ ratePerSecond: 1, burst: 2 }, 2);
      expect(allowedCount(takes('a', 3))).toBe(2);
      expect(allowedCount(takes('b', 3))).toBe(2);
      expect(allowedCount(takes('a', 1))).toBe(0); // a refused, and now more recent than b
      expect(allowedCount(takes('c', 1))).toBe(1); // evicts b, the least recently seen
      expect(allowedCount(takes('a', 1))).toBe(0); // a is still tracked: still empty
      expect(allowedCount(takes('b', 3))).toBe(2); // b starts over with a full bucket
    });
  });

  describe('properties', () => {
    /**
     * Steps of a history: wait some milliseconds, then one client asks `count` times at once. Mostly
     * short waits and several asks, so that clients run their buckets dry and the refill rate is what
     * decides; now and then a long pause, so that buckets refill up to (and must stop at) the burst.
     */
    const history = fc.array(
      fc.record({
        waitMs: fc.oneof(
          { weight: 20, arbitrary: fc.integer({ min: 0, max: 50 }) },
          { weight: 1, arbitrary: fc.integer({ min: 0, max: 5_000 }) },
        ),
        client: fc.constantFrom('a', 'b', 'c'),
        count: fc.integer({ min: 1, max: 8 }),
      }),
      { maxLength: 300 },
    );
    const settings = fc.record({ ratePerSecond: fc.integer({ min: 1, max: 30 }), burst: fc.integer({ min: 1, max: 30 }) });

    it('never allows more than burst + rate × window in any window, nor more than burst at once', () => {
      fc.assert(
        fc.property(settings, history, ({ ratePerSecond, burst }, steps) => {
          const { advance, takes } = limiterAt({ ratePerSecond, burst });
          const allowedAt = new Map<string, number[]>();
          let t = 0;
          for (const { waitMs, client, count } of steps) {
            advance(waitMs);
            t += waitMs;
            const times = allowedAt.get(client) ?? [];
            for (let i = 0; i < allowedCount(takes(client, count)); i += 1) times.push(t);
            allowedAt.set(client, times);
          }
          for (const times of allowedAt.values()) expect(worstWindowExcess(times, burst, ratePerSecond)).toBeLessThanOrEqual(1e-9);
          // However long the idle time, the bucket holds no more than the burst.
          advance(1_000_000_000);
          expect(allowedCount(takes('a', burst + 5))).toBe(burst);
        }),
        // A refill 10 % too fast shows only in long saturated stretches: more runs find one reliably.
        { numRuns: 500 },
      );
    });

    it('serves a refused client that waits the Retry-After it was given', () => {
      fc.assert(
        fc.property(settings, history, ({ ratePerSecond, burst }, steps) => {
          const { limiter, advance, takes } = limiterAt({ ratePerSecond, burst });
          for (const { waitMs, client, count } of steps) {
            advance(waitMs);
            takes(client, count);
          }
          // Spend what is left: a bucket never holds more than the burst, so burst + 1 takes are enough.
          const refused = takes('a', burst + 1).find((decision) => !decision.allowed);
          if (refused === undefined || refused.allowed) throw new Error(`${burst + 1} takes at one instant were all allowed`);
          const decision = refused;
          expect(decision.retryAfterSeconds).toBeGreaterThanOrEqual(1);
          expect(Number.isInteger(decision.retryAfterSeconds)).toBe(true);
          advance(decision.retryAfterSeconds * 1000);
          expect(limiter.take('a')).toEqual(ALLOWED);
        }),
      );
    });
  });
});

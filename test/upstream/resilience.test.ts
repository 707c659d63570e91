/**
 * The resilience primitives on their own, with injected clocks and randomness (no sleeping).
 * The fault suite exercises them end to end against the simulator.
 */
import {
  CircuitOpenError,
  UpstreamAbortedError,
  UpstreamHttpError,
  UpstreamNetworkError,
  UpstreamOverloadedError,
  UpstreamTimeoutError,
} from '../../src/upstream/errors';
import { CircuitBreaker } from '../../src/upstream/resilience/circuit-breaker';
import { ConcurrencyLimiter } from '../../src/upstream/resilience/concurrency-limiter';
import { backoffMs, isRetryable, withRetry } from '../../src/upstream/resilience/retry';

const http = (status: number, retryAfterSeconds?: number) =>
  new UpstreamHttpError({ endpoint: 'GET /sessions', status, retryAfterSeconds });

describe('retry', () => {
  it('retries only what a retry can fix', () => {
    expect(isRetryable(http(503))).toBe(true);
    expect(isRetryable(http(502))).toBe(true);
    expect(isRetryable(http(429))).toBe(true);
    expect(isRetryable(http(500))).toBe(false);
    expect(isRetryable(http(404))).toBe(false);
    expect(isRetryable(new UpstreamNetworkError('GET /sessions', 'ECONNRESET', null))).toBe(true);
    expect(isRetryable(new UpstreamNetworkError('GET /sessions', 'DEPTH_ZERO_SELF_SIGNED_CERT', null))).toBe(false);
    expect(isRetryable(new UpstreamTimeoutError('GET /sessions', 'headers', null))).toBe(false);
  });

  it('backs off exponentially with full jitter, capped', () => {
    const options = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000, random: () => 1 };
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, http(503), options))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffMs(3, http(503), { ...options, random: () => 0.5 })).toBe(200);
  });

  it('honours Retry-After, and gives up at once when it asks for longer than a step', () => {
    const options = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 2_000, random: () => 0 };
    expect(backoffMs(1, http(503, 1), options)).toBe(1_000);
    expect(backoffMs(1, http(429, 5), options)).toBeUndefined();
  });

  it('stops at maxAttempts and never retries past the deadline', async () => {
    let calls = 0;
    const failing = async () => {
      calls += 1;
      throw http(503);
    };
    await expect(withRetry(failing, { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 })).rejects.toBeInstanceOf(UpstreamHttpError);
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      withRetry(failing, { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 1_000, random: () => 1 }, { deadline: Date.now() + 500 }),
    ).rejects.toBeInstanceOf(UpstreamHttpError);
    expect(calls).toBe(1);
  });
});

describe('circuit breaker', () => {
  let now = 0;
  const breaker = () => new CircuitBreaker({ failureThreshold: 3, openMs: 1_000, now: () => now });
  const fail = () => Promise.reject(http(503));
  const ok = () => Promise.resolve('ok');

  beforeEach(() => {
    now = 0;
  });

  it('opens after consecutive appliance failures and fails fast while open', async () => {
    const b = breaker();
    for (let i = 0; i < 3; i += 1) await expect(b.run('GET /sessions', fail)).rejects.toBeInstanceOf(UpstreamHttpError);
    expect(b.state).toBe('open');
    const called = jest.fn(ok);
    await expect(b.run('GET /sessions', called)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(called).not.toHaveBeenCalled();
  });

  it('does not count request errors (4xx) or aborts', async () => {
    const b = breaker();
    for (let i = 0; i < 5; i += 1) {
      await expect(b.run('x', () => Promise.reject(http(404)))).rejects.toBeDefined();
      await expect(b.run('x', () => Promise.reject(new UpstreamAbortedError('x', null)))).rejects.toBeDefined();
    }
    expect(b.state).toBe('closed');
  });

  it('lets one probe through after openMs; success closes, failure reopens', async () => {
    const b = breaker();
    for (let i = 0; i < 3; i += 1) await b.run('x', fail).catch(() => undefined);
    now = 1_000;
    expect(b.state).toBe('half-open');
    await expect(b.run('x', fail)).rejects.toBeInstanceOf(UpstreamHttpError);
    expect(b.state).toBe('open');
    now = 2_000;
    await expect(b.run('x', ok)).resolves.toBe('ok');
    expect(b.state).toBe('closed');
  });

  it('refuses a second call while the probe is in flight', async () => {
    const b = breaker();
    for (let i = 0; i < 3; i += 1) await b.run('x', fail).catch(() => undefined);
    now = 1_000;
    let release: (value: string) => void = () => undefined;
    const probe = b.run('x', () => new Promise<string>((resolve) => (release = resolve)));
    await expect(b.run('x', ok)).rejects.toBeInstanceOf(CircuitOpenError);
    release('done');
    await expect(probe).resolves.toBe('done');
  });
});

describe('concurrency limiter', () => {
  it('runs at most maxConcurrent at once, queues up to maxQueue, sheds the rest', async () => {
    const limiter = new ConcurrencyLimiter(2, 1);
    const releases: Array<() => void> = [];
    const task = () => new Promise<void>((resolve) => releases.push(resolve));
    const running = [limiter.run('x', task), limiter.run('x', task), limiter.run('x', task)];
    await Promise.resolve();
    expect(limiter.inFlight).toBe(2);
    expect(limiter.waiting).toBe(1);
    await expect(limiter.run('x', task)).rejects.toBeInstanceOf(UpstreamOverloadedError);
    releases.shift()?.();
    await running[0];
    await new Promise((resolve) => setImmediate(resolve));
    expect(limiter.inFlight).toBe(2);
    expect(limiter.waiting).toBe(0);
    releases.forEach((release) => release());
    await Promise.all(running);
    expect(limiter.inFlight).toBe(0);
  });

  it('drops a queued call whose caller aborts', async () => {
    const limiter = new ConcurrencyLimiter(1, 5);
    let release: () => void = () => undefined;
    const first = limiter.run('x', () => new Promise<void>((resolve) => (release = resolve)));
    const controller = new AbortController();
    const queued = limiter.run('x', async () => 'never', controller.signal);
    controller.abort();
    await expect(queued).rejects.toBeInstanceOf(UpstreamAbortedError);
    expect(limiter.waiting).toBe(0);
    release();
    await first;
  });
});

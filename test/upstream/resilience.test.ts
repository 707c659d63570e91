/**
 * The interceptors' decision parts on their own, with injected clocks and randomness (no sleeping).
 * The fault suite exercises the composed chain end to end against the simulator.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  CircuitOpenError,
  UpstreamAbortedError,
  UpstreamHttpError,
  UpstreamNetworkError,
  UpstreamOverloadedError,
  UpstreamTimeoutError,
} from '../../src/upstream/errors';
import { CircuitBreaker } from '../../src/upstream/interceptors/circuit-breaker';
import { FairQueue } from '../../src/upstream/interceptors/concurrency';
import { backoffMs, isRetryable, retryDelay } from '../../src/upstream/interceptors/retry';

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
    // HTTP/2: a reset stream, a stream closed before its answer was complete; not a session the
    // appliance ended with an error code (it may be asking for calm).
    for (const code of ['ERR_HTTP2_STREAM_ERROR', 'UND_ERR_INFO']) {
      expect(isRetryable(new UpstreamNetworkError('GET /sessions', code, null))).toBe(true);
    }
    expect(isRetryable(new UpstreamNetworkError('GET /sessions', 'ERR_HTTP2_SESSION_ERROR', null))).toBe(false);
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

  it('stops at maxAttempts and never retries past the deadline', () => {
    const options = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 1_000, random: () => 1, now: () => 10_000 };
    expect(retryDelay(1, http(503), options, undefined)).toBe(1_000);
    expect(retryDelay(2, http(503), options, undefined)).toBe(1_000);
    expect(retryDelay(3, http(503), options, undefined)).toBeUndefined();
    expect(retryDelay(1, http(503), options, 10_500)).toBeUndefined();
    expect(retryDelay(1, http(404), options, undefined)).toBeUndefined();
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

  it('stays half-open when the probe ends without an answer (its caller left)', async () => {
    const b = breaker();
    for (let i = 0; i < 3; i += 1) await b.run('x', fail).catch(() => undefined);
    now = 1_000;
    await expect(b.run('x', () => Promise.reject(new UpstreamAbortedError('x', null)))).rejects.toBeInstanceOf(UpstreamAbortedError);
    expect(b.state).toBe('half-open');
    await expect(b.run('x', ok)).resolves.toBe('ok'); // the next call probes, and the answer closes it
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

describe('fair queue', () => {
  /** Enters a call that records when it starts and fails; returns its release. */
  function enter(
    queue: FairQueue,
    log: string[],
    name: string,
    clientId: string,
    options: { priority?: 'high'; signal?: AbortSignal } = {},
  ) {
    queue.enter(
      { endpoint: 'GET /sessions', clientId, ...options },
      () => log.push(name),
      (error) => log.push(`${name}:${error.constructor.name}`),
    );
  }

  it('runs at most maxConcurrent at once, queues up to maxQueue, sheds the rest', () => {
    const queue = new FairQueue({ maxConcurrent: 2, maxQueue: 1 });
    const log: string[] = [];
    ['a1', 'a2', 'a3', 'a4'].forEach((name) => enter(queue, log, name, 'a'));
    expect(log).toEqual(['a1', 'a2', `a4:${UpstreamOverloadedError.name}`]);
    expect(queue.inFlight).toBe(2);
    expect(queue.waiting).toBe(1);
    queue.release();
    expect(log).toEqual(['a1', 'a2', 'a4:UpstreamOverloadedError', 'a3']);
    queue.release();
    queue.release();
    expect(queue.inFlight).toBe(0);
  });

  it('serves two clients in turn: one client with 100 queued calls does not hold the other back', () => {
    const queue = new FairQueue({ maxConcurrent: 1, maxQueue: 1_000 });
    const log: string[] = [];
    enter(queue, log, 'running', 'export');
    for (let i = 0; i < 100; i += 1) enter(queue, log, `export-${i}`, 'export');
    enter(queue, log, 'dashboard', 'dashboard');
    for (let slot = 0; slot < 3; slot += 1) queue.release();
    // The dashboard's one call is served within the next two slots, not after the hundred.
    expect(log).toEqual(['running', 'export-0', 'dashboard', 'export-1']);
  });

  it('serves readiness and token calls before queued client calls', () => {
    const queue = new FairQueue({ maxConcurrent: 1, maxQueue: 10 });
    const log: string[] = [];
    enter(queue, log, 'running', 'a');
    enter(queue, log, 'a1', 'a');
    enter(queue, log, 'probe', 'gateway', { priority: 'high' });
    queue.release();
    expect(log).toEqual(['running', 'probe']);
  });

  it("when full, lets a client under its share take the place of the largest queue's newest call", () => {
    const queue = new FairQueue({ maxConcurrent: 1, maxQueue: 3 });
    const log: string[] = [];
    enter(queue, log, 'running', 'export');
    ['e1', 'e2', 'e3'].forEach((name) => enter(queue, log, name, 'export'));
    enter(queue, log, 'dashboard', 'dashboard');
    expect(log).toEqual(['running', 'e3:UpstreamOverloadedError']);
    expect(queue.waiting).toBe(3);
  });

  it("starts a queued call in its caller's async context, not in the context of the call that freed the slot", () => {
    const queue = new FairQueue({ maxConcurrent: 1, maxQueue: 5 });
    const request = new AsyncLocalStorage<string>();
    const seen: Array<string | undefined> = [];
    request.run('request A', () =>
      queue.enter(
        { endpoint: 'GET /sessions', clientId: 'a' },
        () => seen.push(request.getStore()),
        () => undefined,
      ),
    );
    request.run('request B', () =>
      queue.enter(
        { endpoint: 'GET /sessions', clientId: 'b' },
        () => seen.push(request.getStore()),
        () => undefined,
      ),
    );
    request.run('request A', () => queue.release()); // A's call ends: B's queued call takes the slot
    expect(seen).toEqual(['request A', 'request B']);
  });

  it('drops a queued call whose caller aborts', () => {
    const queue = new FairQueue({ maxConcurrent: 1, maxQueue: 5 });
    const log: string[] = [];
    enter(queue, log, 'running', 'a');
    const controller = new AbortController();
    enter(queue, log, 'queued', 'b', { signal: controller.signal });
    controller.abort();
    expect(log).toEqual(['running', `queued:${UpstreamAbortedError.name}`]);
    expect(queue.waiting).toBe(0);
    queue.release();
    expect(queue.inFlight).toBe(0);
  });
});

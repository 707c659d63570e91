/**
 * The typed client over real HTTP: the exact query strings the appliance receives, the headers
 * every call carries, and failures typed by kind (HTTP, network, timeout, abort).
 */
import { getEventListeners } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createUpstream,
  UpstreamAbortedError,
  UpstreamBadResponseError,
  UpstreamHttpError,
  UpstreamNetworkError,
  UpstreamTimeoutError,
  type Upstream,
} from '../../src/upstream';
import { startSimulator, type Simulator } from '../../src/simulator';
import { captureLogs, TEST_API_VERSION, upstreamConfigFor } from '../helpers/upstream';

let sim: Simulator;
let upstream: Upstream;

beforeAll(async () => {
  sim = await startSimulator({ sessionCount: 300, anchor: new Date('2026-11-01T00:00:00Z') });
  upstream = createUpstream(upstreamConfigFor(sim), captureLogs().logger);
});

afterAll(async () => {
  await upstream.close();
  await sim.close();
});

beforeEach(() => {
  sim.resetRequests();
  sim.counters.reset();
  sim.knobs.faultRules = [];
  sim.knobs.latencyMs = 0;
});

const lastRequest = (endpoint: string) => {
  const matching = sim.requests.filter((r) => r.endpoint === endpoint);
  return matching[matching.length - 1];
};

describe('list sessions', () => {
  it('sends every query parameter of the spec exactly', async () => {
    const session = sim.data.sessions.find((s) => s._embedded?.backupJobInfo !== undefined);
    expect(session).toBeDefined();
    await upstream.client.listSessions({
      offset: 5,
      limit: 25,
      sort: ['durationDesc', 'typeAsc', 'usnDesc'],
      status: ['Succeeded', 'Warning'],
      types: ['Policy', 'Job'],
      usn: 42,
      policyId: '3f0e4a36-0e3c-4a59-9d43-1d0a7c1b2e33',
      parentSessionId: '4a1f5b47-1f4d-4b6a-8e54-2e1b8d2c3f44',
      vmId: 'b7e9c1d2-2a3b-4c5d-8e6f-0a1b2c3d4e5f',
      fromUtc: '2026-10-01T00:00:00Z',
      toUtc: new Date('2026-10-31T23:59:59.999Z'),
    });
    expect(lastRequest('GET /sessions')?.query).toBe(
      'Offset=5&Limit=25&Sort=durationDesc&Sort=typeAsc&Sort=usnDesc&Status=Succeeded&Status=Warning' +
        '&Types=Policy&Types=Job&Usn=42&PolicyId=3f0e4a36-0e3c-4a59-9d43-1d0a7c1b2e33' +
        '&ParentSessionId=4a1f5b47-1f4d-4b6a-8e54-2e1b8d2c3f44&VmId=b7e9c1d2-2a3b-4c5d-8e6f-0a1b2c3d4e5f' +
        '&FromUtc=2026-10-01T00%3A00%3A00Z&ToUtc=2026-10-31T23%3A59%3A59.999Z',
    );
  });

  it('carries x-api-version, Accept and a bearer token on every call, the token call included', async () => {
    await upstream.client.listSessions({ limit: 1 });
    for (const request of sim.requests) {
      expect(request.headers['x-api-version']).toBe(TEST_API_VERSION);
      expect(request.headers['accept']).toBe('application/json');
    }
    expect(lastRequest('GET /sessions')?.headers['authorization']).toMatch(/^Bearer \S+$/);
  });

  it('returns the documented envelope', async () => {
    const page = await upstream.client.listSessions({ offset: 0, limit: 3, sort: ['startTimeDesc'] });
    expect(page.totalCount).toBe(300);
    expect(page.results).toHaveLength(3);
    expect(page.results[0]).toEqual(expect.objectContaining({ id: expect.any(String), usn: expect.any(Number) }));
  });
});

describe('session reads', () => {
  it('lists protected items on the plural path with every parameter', async () => {
    const backup = sim.data.sessions.find((s) => (sim.data.protectedItems(s.id)?.length ?? 0) > 3);
    if (!backup) throw new Error('the simulator data has no backup session with items');
    const page = await upstream.client.listProtectedItems(backup.id, {
      offset: 1,
      limit: 2,
      searchPattern: 'web',
      sort: ['regionDesc', 'virtualMachineNameAsc'],
    });
    const request = lastRequest('GET /sessions/{id}/protectedItems');
    expect(request?.path).toBe(`/api/v1/sessions/${backup.id}/protectedItems`);
    expect(request?.query).toBe('Offset=1&Limit=2&SearchPattern=web&Sort=regionDesc&Sort=virtualMachineNameAsc');
    expect(page.results.length).toBeLessThanOrEqual(2);
  });

  it('gets one session and its log', async () => {
    const first = sim.data.sessions[0];
    if (!first) throw new Error('no sessions');
    await expect(upstream.client.getSession(first.id)).resolves.toMatchObject({ id: first.id });
    const log = await upstream.client.getSessionLog(first.id);
    expect(log.sessionId).toBe(first.id);
    expect(log.log?.length).toBeGreaterThan(0);
  });
});

describe('failures are typed by kind', () => {
  it('retries a transient 503 and succeeds, within the attempt budget', async () => {
    await upstream.client.listSessions({ limit: 1 });
    sim.counters.reset();
    sim.knobs.faultRules = [{ pathIncludes: '/sessions', status: 503, errorCode: 'ServiceUnavailable', times: 2 }];
    const page = await upstream.client.listSessions({ limit: 1 });
    expect(page.results).toHaveLength(1);
    expect(sim.counters.get('GET /sessions')).toBe(3);
  });

  it('HTTP errors carry status, errorCode and Retry-After but not the body or URL', async () => {
    sim.knobs.faultRules = [{ pathIncludes: '/sessions', status: 503, errorCode: 'ServiceUnavailable' }];
    const failure = await upstream.client.listSessions({ limit: 1 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UpstreamHttpError);
    expect(failure).toMatchObject({ status: 503, errorCode: 'ServiceUnavailable', endpoint: 'GET /sessions' });
    expect((failure as Error).message).not.toContain('127.0.0.1');
    sim.knobs.faultRules = [];

    // Retry-After longer than a backoff step: no retry, the caller learns when to come back.
    sim.counters.reset();
    sim.knobs.rate429 = 1;
    sim.knobs.retryAfterSeconds = 7;
    const limited = await upstream.client.listSessions({ limit: 1 }).catch((e: unknown) => e);
    sim.knobs.rate429 = 0;
    expect(limited).toMatchObject({ status: 429, retryAfterSeconds: 7 });
    expect(sim.counters.get('GET /sessions')).toBe(1);
  });

  it('a header timeout is an UpstreamTimeoutError', async () => {
    const slow = createUpstream(upstreamConfigFor(sim, { headersTimeoutMs: 100 }), captureLogs().logger);
    await slow.client.listSessions({ limit: 1 }); // log in first: the timeout must hit a data call
    // undici's timers tick every ~500 ms: the answer must come well after that to be late for sure.
    sim.knobs.latencyMs = 2_000;
    const failure = await slow.client.listSessions({ limit: 1 }).catch((e: unknown) => e);
    sim.knobs.latencyMs = 0;
    await slow.close();
    expect(failure).toBeInstanceOf(UpstreamTimeoutError);
    expect(failure).toMatchObject({ phase: 'headers', code: 'VEEAM_ERR_TIMEOUT' });
  });

  it('a refused connection is an UpstreamNetworkError', async () => {
    const closed = await startSimulator({ sessionCount: 1 });
    const url = closed.url;
    await closed.close();
    const dead = createUpstream({ ...upstreamConfigFor(sim), baseUrl: url }, captureLogs().logger);
    const failure = await dead.client.listSessions({ limit: 1 }).catch((e: unknown) => e);
    await dead.close();
    // The login is the first call, and no answer is not a login failure: it is the network error it is.
    expect(failure).toBeInstanceOf(UpstreamNetworkError);
    expect(failure).toMatchObject({ code: 'VEEAM_ERR_NETWORK', causeCode: 'ECONNREFUSED', endpoint: 'POST /token' });
    expect((failure as Error).message).toMatch(/unreachable \(ECONNREFUSED\)/);
  });

  it('a dropped connection on a data call is an UpstreamNetworkError', async () => {
    await upstream.client.listSessions({ limit: 1 });
    // Dropped on every attempt: after the retries the caller sees the network failure.
    sim.knobs.faultRules = [{ pathIncludes: '/sessions', status: 0, drop: true }];
    const failure = await upstream.client.listSessions({ limit: 1 }).catch((e: unknown) => e);
    sim.knobs.faultRules = [];
    expect(failure).toBeInstanceOf(UpstreamNetworkError);
  });

  it('an aborted call is an UpstreamAbortedError', async () => {
    await upstream.client.listSessions({ limit: 1 });
    sim.knobs.latencyMs = 300;
    const controller = new AbortController();
    const pending = upstream.client.listSessions({ limit: 1 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toBeInstanceOf(UpstreamAbortedError);
  });
});

describe('what a call costs besides the wire', () => {
  it('a call that succeeds leaves no abort listener behind and makes no abort controller of its own', async () => {
    await upstream.client.listSessions({ limit: 1 }); // logs in
    const request = new AbortController();
    const made = jest.spyOn(globalThis, 'AbortController');
    try {
      const pages = await Promise.all(
        Array.from({ length: 20 }, (_, i) => upstream.client.listSessions({ offset: i, limit: 1 }, { signal: request.signal })),
      );
      expect(pages).toHaveLength(20);
      expect(made).not.toHaveBeenCalled();
    } finally {
      made.mockRestore();
    }
    // One listener for all of them (abort-listeners.ts), none left once they are done.
    expect(getEventListeners(request.signal, 'abort').length).toBeLessThanOrEqual(1);
    request.abort();
    await expect(upstream.client.listSessions({ offset: 0, limit: 1 }, { signal: request.signal })).rejects.toBeInstanceOf(
      UpstreamAbortedError,
    );
  });
});

describe('a 2xx that breaks the contract', () => {
  let server: Server;
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is an UpstreamBadResponseError, not a crash', async () => {
    server = createServer((req, res) => {
      if (req.url?.endsWith('/token')) {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ access_token: 'a', refresh_token: 'r', expires_in: 3600 }));
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(req.url?.includes('/log') ? '<html>oops</html>' : JSON.stringify({ results: 'nope' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const odd = createUpstream({ ...upstreamConfigFor(sim), baseUrl: `http://127.0.0.1:${port}/api/v1` }, captureLogs().logger);
    await expect(odd.client.listSessions({ limit: 1 })).rejects.toBeInstanceOf(UpstreamBadResponseError);
    await expect(odd.client.getSessionLog('x')).rejects.toBeInstanceOf(UpstreamBadResponseError);
    await odd.close();
  });
});

describe('one parse per upstream answer', () => {
  it('callers joining one call, and later readers of the kept answer, get the same parsed page, frozen', async () => {
    const session = sim.data.sessions.find((s) => s.status === 'Succeeded' && s._embedded?.backupJobInfo !== undefined);
    if (!session) throw new Error('no finished backup session');
    const kept = createUpstream(upstreamConfigFor(sim), captureLogs().logger); // finished items kept (the default)
    try {
      sim.knobs.latencyMs = 20; // the second caller joins the first while it is in flight
      const read = () => kept.client.listProtectedItems(session.id, { offset: 0, limit: 5 }, { sessionFinished: true });
      const [first, joined] = await Promise.all([read(), read()]);
      const stored = await read();
      expect(sim.counters.get('GET /sessions/{id}/protectedItems')).toBe(1);
      expect(joined).toBe(first);
      expect(stored).toBe(first);
      // Shared between requests: under test a consumer that writes to it fails loudly.
      expect(Object.isFrozen(first.results[0])).toBe(true);
      expect(() => {
        (first.results as unknown[]).push({});
      }).toThrow(TypeError);
    } finally {
      await kept.close();
    }
  });

  it('a call that keeps its answer does not join one that would not (asked before the session was known finished)', async () => {
    const session = sim.data.sessions.find((s) => s.status === 'Succeeded' && s._embedded?.backupJobInfo !== undefined);
    if (!session) throw new Error('no finished backup session');
    const kept = createUpstream(upstreamConfigFor(sim), captureLogs().logger); // finished items kept (the default)
    try {
      sim.knobs.latencyMs = 20;
      const read = (sessionFinished: boolean) => kept.client.listProtectedItems(session.id, { offset: 0, limit: 5 }, { sessionFinished });
      // Live first, then finished: the finished caller makes its own call, and that one is kept.
      await Promise.all([read(false), read(true)]);
      expect(sim.counters.get('GET /sessions/{id}/protectedItems')).toBe(2);
      await read(true);
      expect(sim.counters.get('GET /sessions/{id}/protectedItems')).toBe(2);
      // Finished first, then live: the live caller joins (it would keep the answer for less).
      kept.cache.clear();
      sim.counters.reset();
      await Promise.all([read(true), read(false)]);
      expect(sim.counters.get('GET /sessions/{id}/protectedItems')).toBe(1);
    } finally {
      await kept.close();
    }
  });

  it('an answer kept for long is not replaced by one kept for less, nor served to a call that would keep it longer', () => {
    const cache = upstream.cache;
    const path = '/api/v1/sessions/x/protectedItems?Offset=0&Limit=5';
    const key = cache.keyOf(path);
    const answer = (text: string) => ({ status: 200, headers: {}, body: Buffer.from(text) });
    cache.keep(key, answer('finished'), 60_000);
    cache.keep(key, answer('running'), 1_000); // a call started earlier, ended later
    expect(cache.lookup(path, 60_000, 'GET /sessions/{id}/protectedItems')?.body.toString()).toBe('finished');
    cache.clear();
    cache.keep(key, answer('running'), 1_000);
    expect(cache.lookup(path, 60_000, 'GET /sessions/{id}/protectedItems')).toBeUndefined();
    expect(cache.lookup(path, 1_000, 'GET /sessions/{id}/protectedItems')?.body.toString()).toBe('running');
    cache.clear();
  });

  it('a kept answer is not given to a caller that has already gone', async () => {
    const read = (signal?: AbortSignal) => upstream.client.listSessions({ offset: 0, limit: 3 }, signal ? { signal } : {});
    const kept = createUpstream(
      upstreamConfigFor(sim, { cache: { ...upstreamConfigFor(sim).cache, liveTtlMs: 60_000 } }),
      captureLogs().logger,
    );
    try {
      const readKept = (signal?: AbortSignal) => kept.client.listSessions({ offset: 0, limit: 3 }, signal ? { signal } : {});
      await readKept();
      await expect(readKept()).resolves.toMatchObject({ totalCount: expect.any(Number) });
      expect(sim.counters.get('GET /sessions')).toBe(1);
      await expect(readKept(AbortSignal.abort())).rejects.toBeInstanceOf(UpstreamAbortedError);
      await expect(read(AbortSignal.abort())).rejects.toBeInstanceOf(UpstreamAbortedError);
    } finally {
      await kept.close();
    }
  });

  it('an answer from the wire is parsed for its caller alone', async () => {
    const session = sim.data.sessions.find((s) => s._embedded?.backupJobInfo !== undefined);
    if (!session) throw new Error('no backup session');
    const first = await upstream.client.listProtectedItems(session.id, { offset: 0, limit: 5 });
    const second = await upstream.client.listProtectedItems(session.id, { offset: 0, limit: 5 });
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
  });
});

describe('kept answers and the negotiated revision', () => {
  it("the first answer after start-up (revision still unknown: 'auto') is found by the next call", async () => {
    const negotiating = createUpstream(
      upstreamConfigFor(sim, { apiVersion: 'auto', cache: { ...upstreamConfigFor(sim).cache, liveTtlMs: 60_000 } }),
      captureLogs().logger,
    );
    try {
      await negotiating.client.listSessions({ offset: 0, limit: 3 });
      await negotiating.client.listSessions({ offset: 0, limit: 3 });
      expect(sim.counters.get('GET /sessions')).toBe(1);
    } finally {
      await negotiating.close();
    }
  });
});

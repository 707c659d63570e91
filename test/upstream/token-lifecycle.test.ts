/**
 * The token lifecycle against the simulator over real HTTP: single flight, refresh, one retry on
 * 401, fallback to the password grant, failures that name their cause, logout, and no secret in logs.
 */
import { createUpstream, UpstreamAuthError, UpstreamHttpError, type Upstream } from '../../src/upstream';
import { startSimulator, type Simulator } from '../../src/simulator';
import { captureLogs, ManualClock, recordDispatches, until, upstreamConfigFor, type CapturedLogs } from '../helpers/upstream';

let sim: Simulator;
let upstream: Upstream;
let logs: CapturedLogs;

beforeEach(async () => {
  sim = await startSimulator({ sessionCount: 200, anchor: new Date('2026-11-01T00:00:00Z') });
  logs = captureLogs();
  upstream = createUpstream(upstreamConfigFor(sim), logs.logger);
});

afterEach(async () => {
  await upstream.close();
  await sim.close();
});

describe('token lifecycle', () => {
  it('with a token held, a call reaches the socket pool before the caller gets its promise back', async () => {
    const [session] = (await upstream.client.listSessions({ limit: 1 })).results; // logs in
    const id = session?.id ?? '';
    const dispatched = recordDispatches(sim.origin);
    try {
      // Not awaited yet: a call that waited a turn of the event loop for its token would not be here.
      const pending = upstream.client.getSession(id);
      expect(dispatched.paths()).toEqual([expect.stringContaining(`/sessions/${id}`)]);
      await pending;
    } finally {
      dispatched.stop();
    }
    // Without a token, calls wait for the login (one) and then leave.
    upstream.tokens.invalidate((await upstream.tokens.getSession()).accessToken);
    sim.counters.reset();
    await Promise.all([upstream.client.listSessions({ offset: 2, limit: 1 }), upstream.client.listSessions({ offset: 3, limit: 1 })]);
    expect(sim.counters.get('GET /sessions')).toBe(2);
    expect(upstream.tokens.stats.refreshes + upstream.tokens.stats.logins).toBe(2);
  });

  it('makes exactly one login for 50 concurrent calls at a cold start', async () => {
    const pages = await Promise.all(
      // Distinct offsets: identical concurrent calls would be shared by the response cache.
      Array.from({ length: 50 }, (_, i) => upstream.client.listSessions({ offset: i, limit: 1, sort: ['usnDesc'] })),
    );
    expect(pages.every((page) => page.results.length === 1)).toBe(true);
    expect(sim.counters.get('POST /token')).toBe(1);
    expect(sim.counters.get('GET /sessions')).toBe(50);
    expect(upstream.tokens.stats).toEqual({ logins: 1, refreshes: 0 });
  });

  it('refreshes once and retries once when the token expires mid-flight; callers see data', async () => {
    await upstream.client.listSessions({ limit: 1 });
    sim.expireAccessTokens();
    sim.counters.reset();
    const pages = await Promise.all(Array.from({ length: 20 }, (_, i) => upstream.client.listSessions({ offset: i, limit: 2 })));
    expect(pages.every((page) => page.results.length === 2)).toBe(true);
    expect(sim.counters.get('POST /token')).toBe(1);
    expect(upstream.tokens.stats).toEqual({ logins: 1, refreshes: 1 });
    // 20 calls refused with the expired token, then 20 retries: never a third attempt.
    expect(sim.counters.get('GET /sessions')).toBe(40);
  });

  it('falls back to a password login when the refresh token is revoked', async () => {
    await upstream.client.listSessions({ limit: 1 });
    sim.expireAccessTokens();
    sim.revokeRefreshTokens();
    const page = await upstream.client.listSessions({ limit: 1 });
    expect(page.results).toHaveLength(1);
    expect(upstream.tokens.stats).toEqual({ logins: 2, refreshes: 0 });
    expect(sim.counters.get('POST /token')).toBe(3); // login, failed refresh, login
  });

  it('refreshes before expiry from expires_in, without a failed call', async () => {
    await sim.close();
    sim = await startSimulator({ sessionCount: 50, accessTokenTtlSeconds: 2 });
    await upstream.close();
    // The token manager judges expiry on this clock: the test moves it instead of sleeping.
    const clock = new ManualClock();
    upstream = createUpstream(upstreamConfigFor(sim), logs.logger, {}, { now: clock.now });
    await upstream.client.listSessions({ limit: 1 });
    // 2 s lifetime → the refresh window opens at 1.8 s; the old token still works then.
    clock.advance(1_900);
    await upstream.client.listSessions({ limit: 1 });
    // The refresh runs behind the caller's back: wait for it, not for a guessed time.
    await until(() => upstream.tokens.stats.refreshes === 1, 'the background refresh');
    expect(upstream.tokens.stats).toEqual({ logins: 1, refreshes: 1 });
    expect(sim.requests.filter((r) => r.status === 401)).toHaveLength(0);
  });

  it('retries a 401 only once: a token refused twice surfaces as an HTTP error', async () => {
    await upstream.client.listSessions({ limit: 1 });
    sim.knobs.faultRules = [{ pathIncludes: '/sessions', status: 401, errorCode: 'InvalidToken' }];
    sim.counters.reset();
    await expect(upstream.client.listSessions({ limit: 1 })).rejects.toMatchObject({
      code: 'VEEAM_ERR_HTTP_STATUS',
      status: 401,
      errorCode: 'InvalidToken',
    });
    expect(sim.counters.get('GET /sessions')).toBe(2);
  });

  it('fails with a typed error while the token endpoint is down and recovers when it returns', async () => {
    sim.knobs.tokenEndpointDown = true;
    const failure = await upstream.client.listSessions({ limit: 1 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamAuthError);
    expect(failure).toMatchObject({ reason: 'TOKEN_ENDPOINT_FAILED', status: 503 });
    sim.knobs.tokenEndpointDown = false;
    const page = await upstream.client.listSessions({ limit: 1 });
    expect(page.results).toHaveLength(1);
  });

  it('names bad credentials as the cause without printing the password', async () => {
    const bad = createUpstream(upstreamConfigFor(sim, { password: 'Wr0ng-S3cret!' }), logs.logger);
    const failure = (await bad.client.listSessions({ limit: 1 }).catch((error: unknown) => error)) as UpstreamAuthError;
    await bad.close();
    expect(failure).toBeInstanceOf(UpstreamAuthError);
    expect(failure.reason).toBe('BAD_CREDENTIALS');
    expect(failure.message).toMatch(/rejected the credentials of user "demo"/);
    expect(JSON.stringify({ message: failure.message, stack: failure.stack })).not.toContain('Wr0ng-S3cret!');
    expect(logs.text()).not.toContain('Wr0ng-S3cret!');
  });

  it('names MFA as the cause for an MFA account', async () => {
    await sim.close();
    sim = await startSimulator({ sessionCount: 10, mfaUsers: { alice: 'alice-pass' } });
    const mfa = createUpstream(upstreamConfigFor(sim, { username: 'alice', password: 'alice-pass' }), logs.logger);
    const failure = await mfa.client.listSessions({ limit: 1 }).catch((error: unknown) => error);
    await mfa.close();
    expect(failure).toMatchObject({ reason: 'MFA_REQUIRED' });
    expect((failure as Error).message).toMatch(/multi-factor/);
    expect((failure as Error).message).not.toContain('alice-pass');
  });

  it('logs out (DELETE /token) on close', async () => {
    await upstream.client.listSessions({ limit: 1 });
    expect(sim.activeAccessTokens()).toBe(1);
    await upstream.close();
    expect(sim.counters.get('DELETE /token')).toBe(1);
    expect(sim.activeAccessTokens()).toBe(0);
    upstream = createUpstream(upstreamConfigFor(sim), logs.logger); // for afterEach
  });

  it('never writes the password or a token to the logs, even at trace level and under failures', async () => {
    await upstream.client.listSessions({ limit: 1 });
    sim.expireAccessTokens();
    sim.revokeRefreshTokens();
    await upstream.client.listSessions({ limit: 1 });
    sim.knobs.tokenEndpointDown = true;
    sim.expireAccessTokens();
    await upstream.client.listSessions({ limit: 1 }).catch(() => undefined);
    sim.knobs.tokenEndpointDown = false;
    await upstream.client.getSession('00000000-0000-4000-8000-000000000000').catch(() => undefined);
    const issued = sim.issuedTokens();
    expect(issued.length).toBeGreaterThan(1);
    const text = logs.text();
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toContain(sim.credentials.password);
    for (const token of issued) expect(text).not.toContain(token);
  });

  it('a 404 becomes a typed HTTP error with the problem errorCode', async () => {
    const failure = await upstream.client.getSession('00000000-0000-4000-8000-000000000000').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UpstreamHttpError);
    expect(failure).toMatchObject({ status: 404, errorCode: 'NotFound', endpoint: 'GET /sessions/{id}' });
    expect((failure as Error).message).not.toContain(sim.origin);
  });
});

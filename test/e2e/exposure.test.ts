/**
 * What a production deployment exposes: CORS only for listed origins, no stack traces or internal
 * endpoints in errors, a request deadline, load shedding past the upstream queue, and readiness that
 * reports the circuit breaker.
 */
import { request } from 'undici';
import { startStack, type Stack } from '../helpers/stack';

describe('CORS', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { CORS_ORIGINS: 'https://dash.example.com, https://grafana.example.com' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('answers a preflight from a listed origin with the allowed methods and headers', async () => {
    const response = await request(`${stack.gateway.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://dash.example.com', 'access-control-request-method': 'POST' },
    });
    await response.body.dump();
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('https://dash.example.com');
    expect(response.headers['access-control-allow-headers']).toContain('x-api-key');
  });

  it('gives an unlisted origin no CORS headers', async () => {
    const response = await request(`${stack.gateway.url}/graphql`, {
      method: 'POST',
      headers: { origin: 'https://evil.example.com', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ sessions(page: {limit: 1}) { totalCount } }' }),
    });
    await response.body.dump();
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('outside production (the demo)', () => {
  it('errors carry no stack trace either: it goes to the log', async () => {
    const stack = await startStack();
    try {
      const bad = await stack.gql('{ session(id: "nope") { id } }');
      expect(bad.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(bad)).not.toContain('stacktrace');
    } finally {
      await stack.close();
    }
  });
});

describe('in production', () => {
  it('errors carry no stack trace, no upstream endpoint, no URL', async () => {
    // A production configuration names an appliance (the stack then points the gateway at the simulator).
    const production = {
      NODE_ENV: 'production',
      VEEAM_BASE_URL: 'https://appliance.invalid:11005',
      VEEAM_USERNAME: 'svc',
      VEEAM_PASSWORD: 'unused',
      AUTH_MODE: 'none',
    };
    const stack = await startStack({ env: production });
    try {
      const victim = stack.sim.data.sessions[0]?.id ?? '';
      stack.sim.knobs.faultRules = [{ pathIncludes: `${victim}/log`, status: 500, errorCode: 'UnknownError' }];
      const bad = await stack.gql('{ session(id: "nope") { id } }');
      const failing = await stack.gql(`{ session(id: "${victim}") { id log { message } } }`);
      const text = JSON.stringify([bad, failing]);
      expect(text).not.toContain('stacktrace');
      expect(text).not.toContain('endpoint');
      expect(text).not.toContain(stack.sim.origin);
      expect(failing.errors?.[0]).toMatchObject({
        path: ['session', 'log'],
        extensions: { code: 'UPSTREAM_ERROR', upstream: { status: 500, errorCode: 'UnknownError' } },
      });
    } finally {
      await stack.close();
    }
  });
});

describe('when the appliance is slow or overwhelmed', () => {
  it('ends a request at its deadline with REQUEST_TIMEOUT', async () => {
    const stack = await startStack({ env: { REQUEST_TIMEOUT_MS: '400' } });
    try {
      await stack.gql('{ sessions(page: {limit: 1}) { totalCount } }');
      stack.sim.knobs.latencyMs = 2_000;
      const started = performance.now();
      const result = await stack.gql('{ sessions(page: {limit: 2}) { totalCount } }');
      expect(result.errors?.[0]?.extensions?.['code']).toBe('REQUEST_TIMEOUT');
      expect(performance.now() - started).toBeLessThan(1_900); // ended before the appliance answered
    } finally {
      await stack.close();
    }
  });

  it('sheds load past the upstream queue with UPSTREAM_OVERLOADED', async () => {
    const stack = await startStack({ env: { VEEAM_MAX_CONNECTIONS: '1', UPSTREAM_MAX_QUEUE: '2' } });
    try {
      await stack.gql('{ sessions(page: {limit: 1}) { totalCount } }');
      stack.sim.knobs.latencyMs = 200;
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => stack.gql(`{ sessions(page: {offset: ${i}, limit: 1}) { totalCount } }`)),
      );
      const codes = results.map((r) => r.errors?.[0]?.extensions?.['code'] ?? 'OK');
      expect(codes.filter((c) => c === 'OK')).toHaveLength(3); // one in flight, two queued
      expect(codes.filter((c) => c === 'UPSTREAM_OVERLOADED')).toHaveLength(5);
      expect(stack.sim.counters.get('GET /sessions')).toBe(1 + 3);
    } finally {
      await stack.close();
    }
  });

  it('opens the circuit after repeated failures, fails fast, and readiness says so', async () => {
    const stack = await startStack({ env: { BREAKER_FAILURE_THRESHOLD: '2', BREAKER_OPEN_MS: '60000', UPSTREAM_RETRY_ATTEMPTS: '1' } });
    try {
      await stack.gql('{ sessions(page: {limit: 1}) { totalCount } }');
      stack.sim.knobs.faultRules = [{ pathIncludes: '/sessions', status: 500, errorCode: 'UnknownError' }];
      await stack.gql('{ sessions(page: {offset: 1, limit: 1}) { totalCount } }');
      await stack.gql('{ sessions(page: {offset: 2, limit: 1}) { totalCount } }');
      stack.sim.counters.reset();
      const fast = await stack.gql('{ sessions(page: {offset: 3, limit: 1}) { totalCount } }');
      expect(fast.errors?.[0]).toMatchObject({ extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: { retryAfterSeconds: 60 } } });
      expect(stack.sim.counters.total()).toBe(0);
      const ready = await request(`${stack.gateway.url}/readyz`);
      expect(ready.statusCode).toBe(503);
      expect(await ready.body.json()).toMatchObject({ ready: false, circuit: 'open' });
    } finally {
      await stack.close();
    }
  });
});

/**
 * The simulator's knobs and counters: what the fault, resilience and benchmark suites rely on.
 */
import { connect } from 'node:net';
import { Agent, request } from 'undici';
import { MAX_RECORDED_REQUESTS, record, type RecordedRequest } from '../../src/simulator/counters';
import { startSimulator, type Simulator } from '../../src/simulator';
import { get, login, raw } from '../helpers/sim-client';
import { makeTestPki } from '../helpers/tls';

let sim: Simulator;
let token: string;

beforeEach(async () => {
  sim = await startSimulator({ sessionCount: 30 });
  token = (await login(sim)).access;
  sim.counters.reset();
  sim.resetRequests();
});

afterEach(async () => {
  await sim.close();
});

describe('fault knobs', () => {
  it('fault rules fire for their path and method, `times` times, before anything else', async () => {
    sim.knobs.faultRules = [{ method: 'GET', pathIncludes: '/sessions', status: 503, errorCode: 'ServiceUnavailable', times: 2 }];
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await get(sim, token, '/api/v1/sessions?Limit=1')).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(sim.counters.get('GET /sessions')).toBe(3);
    expect(sim.requests.map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('answers 429 with Retry-After', async () => {
    sim.knobs.rate429 = 1;
    sim.knobs.retryAfterSeconds = 3;
    const response = await get(sim, token, '/api/v1/sessions');
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('3');
  });

  it('random faults follow their rates and the seed', async () => {
    sim.knobs.error503Rate = 0.5;
    sim.knobs.randomSeed = 1234;
    const run = async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 40; i += 1) statuses.push((await get(sim, token, '/api/v1/sessions?Limit=1')).status);
      return statuses;
    };
    const first = await run();
    // A new seed takes effect at the next request; going back to 1234 restarts its sequence.
    sim.knobs.randomSeed = 99;
    await get(sim, token, '/api/v1/sessions?Limit=1');
    sim.knobs.randomSeed = 1234;
    const second = await run();
    expect(first).toEqual(second);
    const failures = first.filter((s) => s === 503).length;
    expect(failures).toBeGreaterThan(8);
    expect(failures).toBeLessThan(32);
  });

  it('drops connections without an answer', async () => {
    sim.knobs.faultRules = [{ pathIncludes: '/sessions', status: 0, drop: true, times: 1 }];
    await expect(get(sim, token, '/api/v1/sessions')).rejects.toThrow();
    expect(sim.requests[0]?.status).toBe(0);
  });

  it('adds latency and takes the token endpoint down on demand', async () => {
    sim.knobs.tokenEndpointDown = true;
    const down = await raw(sim, 'POST', '/api/v1/token', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', ...sim.credentials }).toString(),
    });
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ errorCode: 'ServiceUnavailable' });
    expect((await get(sim, token, '/api/v1/sessions?Limit=1')).status).toBe(200); // data calls unaffected
    sim.knobs.latencyMs = 150;
    const started = performance.now();
    await get(sim, token, '/api/v1/sessions?Limit=1');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140); // a lower bound only: never an upper one
  });
});

describe('more fault knobs', () => {
  const statusesOf = async (path: string, n: number) => {
    const statuses: number[] = [];
    for (let i = 0; i < n; i += 1) statuses.push((await get(sim, token, path)).status);
    return statuses;
  };

  it('answers 500 UnknownError and 503 ServiceUnavailable problems at rate 1', async () => {
    sim.knobs.error500Rate = 1;
    const failed = await get(sim, token, '/api/v1/sessions/00000000-0000-4000-8000-000000000000/log');
    expect(failed.status).toBe(500);
    expect(failed.body).toMatchObject({ status: 500, errorCode: 'UnknownError' });
    expect(failed.headers['content-type']).toMatch(/^application\/problem\+json/);
    sim.knobs.error500Rate = 0;
    sim.knobs.error503Rate = 1;
    expect((await get(sim, token, '/api/v1/system/version')).body).toMatchObject({ status: 503, errorCode: 'ServiceUnavailable' });
  });

  it('keeps random faults off token calls and unknown paths', async () => {
    Object.assign(sim.knobs, { error500Rate: 1, dropRate: 1, slowRate: 1, slowMs: 10_000 });
    expect((await login(sim)).access).toEqual(expect.any(String));
    expect((await get(sim, token, '/api/v1/nothing')).status).toBe(404);
    expect(sim.requests.map((r) => r.status)).toEqual([200, 404]);
  });

  it('drops at dropRate 1 and records status 0', async () => {
    sim.knobs.dropRate = 1;
    await expect(get(sim, token, '/api/v1/sessions')).rejects.toThrow();
    expect(sim.requests.map((r) => [r.endpoint, r.status])).toEqual([['GET /sessions', 0]]);
    sim.knobs.dropRate = 0;
    expect((await get(sim, token, '/api/v1/sessions?Limit=1')).status).toBe(200);
  });

  it('makes data answers slower at slowRate 1', async () => {
    Object.assign(sim.knobs, { slowRate: 1, slowMs: 200 });
    const started = performance.now();
    expect((await get(sim, token, '/api/v1/sessions?Limit=1')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190); // a lower bound only
  });

  it('takes DELETE /token down too, while fault rules still come first', async () => {
    sim.knobs.tokenEndpointDown = true;
    expect((await raw(sim, 'DELETE', '/api/v1/token', { headers: { authorization: `Bearer ${token}` } })).body).toMatchObject({
      status: 503,
      errorCode: 'ServiceUnavailable',
      type: `${sim.origin}/api/v1/problems/serviceUnavailable`,
    });
    sim.knobs.faultRules = [{ method: 'POST', pathIncludes: '/token', status: 500, errorCode: 'UnknownError', times: 1 }];
    const body = new URLSearchParams({ grant_type: 'password', ...sim.credentials }).toString();
    const post = (): ReturnType<typeof raw> =>
      raw(sim, 'POST', '/api/v1/token', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect((await post()).status).toBe(500);
    expect((await post()).status).toBe(503);
    expect(sim.knobs.faultRules[0]?.times).toBe(0);
  });

  it("matches rules by method and path, and uses the rule's errorCode", async () => {
    sim.knobs.faultRules = [
      { method: 'DELETE', pathIncludes: '/sessions', status: 500 },
      { pathIncludes: '/protectedItems', status: 404, errorCode: 'NotFound' },
      { pathIncludes: '/log', status: 401, errorCode: 'ExpiredToken' },
    ];
    expect((await get(sim, token, '/api/v1/sessions?Limit=1')).status).toBe(200);
    const items = await get(sim, token, `/api/v1/sessions/${sim.data.sessions[0]?.id ?? ''}/protectedItems`);
    expect(items.body).toMatchObject({ status: 404, errorCode: 'NotFound' });
    expect((await get(sim, token, '/api/v1/sessions/x/log')).body).toMatchObject({ status: 401, errorCode: 'ExpiredToken' });
    expect(await statusesOf('/api/v1/sessions/x/log', 2)).toEqual([401, 401]); // no `times`: forever
  });

  it('takes knobs given at start', async () => {
    const slow = await startSimulator({ sessionCount: 5, knobs: { error503Rate: 1 } });
    try {
      expect(slow.knobs).toMatchObject({ error503Rate: 1, latencyMs: 0, faultRules: [] });
      expect((await get(slow, (await login(slow)).access, '/api/v1/sessions')).status).toBe(503);
    } finally {
      await slow.close();
    }
  });
});

describe('counters, recorded requests and the admin surface', () => {
  it('records the raw query string and the headers that matter', async () => {
    await get(sim, token, '/api/v1/sessions?Types=Policy&Types=Job&FromUtc=2026-01-01T00%3A00%3A00Z');
    expect(sim.requests[0]).toMatchObject({
      method: 'GET',
      path: '/api/v1/sessions',
      query: 'Types=Policy&Types=Job&FromUtc=2026-01-01T00%3A00%3A00Z',
      endpoint: 'GET /sessions',
      status: 200,
      headers: { 'x-api-version': '1.0-rev0', authorization: `Bearer ${token}` },
    });
  });

  it('serves counters, reset and knobs outside /api/v1, uncounted', async () => {
    await get(sim, token, '/api/v1/sessions?Limit=1');
    const counters = await request(`${sim.origin}/_simulator/counters`);
    expect(await counters.body.json()).toEqual({ 'GET /sessions': 1 });
    const knobs = await request(`${sim.origin}/_simulator/knobs`, { method: 'PUT', body: JSON.stringify({ latencyMs: 5, bogus: 1 }) });
    expect(knobs.statusCode).toBe(200);
    await knobs.body.dump();
    expect(sim.knobs.latencyMs).toBe(5);
    expect(sim.knobs).not.toHaveProperty('bogus');
    const reset = await request(`${sim.origin}/_simulator/reset`, { method: 'POST' });
    await reset.body.dump();
    expect(sim.counters.total()).toBe(0);
  });

  it('answers unknown paths and wrong methods with problems, and survives malformed requests', async () => {
    expect((await get(sim, token, '/api/v1/nothing')).status).toBe(404);
    expect((await raw(sim, 'PUT', '/api/v1/sessions')).status).toBe(405);
    expect((await get(sim, token, '/api/v1/sessions?Limit=%E0%A4%A')).status).toBe(400);
    const address = new URL(sim.origin);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(address.port), address.hostname, () => socket.write('NOT HTTP\r\n\r\n'));
      socket.on('data', () => socket.destroy());
      socket.on('close', () => resolve());
    });
    expect((await get(sim, token, '/api/v1/sessions?Limit=1')).status).toBe(200);
  });

  it('counts and records every API call, failed ones included, and nothing outside /api/v1', async () => {
    const id = sim.data.sessions.find((x) => x.type === 'Policy')?.id ?? '';
    await raw(sim, 'GET', '/api/v1/sessions', { version: null });
    await get(sim, 'bogus', `/api/v1/sessions/${id}`);
    await get(sim, token, `/api/v1/session/${id}/protectedItems?Limit=2`);
    await get(sim, token, `/api/v1/sessions/${id}/log`);
    await get(sim, token, '/api/v1/system/version');
    await raw(sim, 'GET', '/');
    await raw(sim, 'GET', '/favicon.ico');
    expect(sim.counters.snapshot()).toEqual({
      'GET /sessions': 1,
      'GET /sessions/{id}': 1,
      'GET /sessions/{id}/protectedItems': 1,
      'GET /sessions/{id}/log': 1,
      'GET /system/version': 1,
    });
    expect(sim.counters.total()).toBe(5);
    expect(sim.requests.map((r) => r.status)).toEqual([400, 401, 200, 200, 200]);
    expect(sim.requests[2]).toMatchObject({ path: `/api/v1/session/${id}/protectedItems`, query: 'Limit=2' });
    const list = sim.requests;
    sim.resetRequests();
    expect(sim.requests).toBe(list);
    expect(list).toHaveLength(0);
    sim.counters.reset();
    expect(sim.counters.get('GET /sessions')).toBe(0);
  });

  it('keeps the last 10,000 requests in the same array', () => {
    const list: RecordedRequest[] = [];
    const entry = (i: number): RecordedRequest => ({
      method: 'GET',
      path: `/${i}`,
      query: '',
      endpoint: 'GET /x',
      headers: {},
      status: 200,
      at: i,
      httpVersion: '1.1',
      remotePort: 0,
    });
    for (let i = 0; i < MAX_RECORDED_REQUESTS + 5; i += 1) record(list, entry(i));
    expect(MAX_RECORDED_REQUESTS).toBe(10_000);
    expect(list).toHaveLength(10_000);
    expect(list[0]?.path).toBe('/5');
  });

  it('answers 405 MethodNotAllowed with Allow, counted under the method used', async () => {
    const response = await raw(sim, 'DELETE', '/api/v1/sessions');
    expect(response.status).toBe(405);
    expect(response.headers['allow']).toBe('GET');
    expect(response.body).toMatchObject({ status: 405, errorCode: 'MethodNotAllowed' });
    expect((await raw(sim, 'PUT', '/api/v1/token')).headers['allow']).toBe('POST, DELETE');
    expect(sim.counters.snapshot()).toEqual({ 'DELETE /sessions': 1, 'PUT /token': 1 });
  });

  it('routes case-insensitively and with a trailing slash, as ASP.NET does', async () => {
    expect((await get(sim, token, '/api/v1/Sessions/?Limit=1')).status).toBe(200);
    expect((await get(sim, token, '/API/V1/system/Version')).status).toBe(200);
    expect(sim.counters.snapshot()).toEqual({ 'GET /sessions': 1, 'GET /system/version': 1 });
  });

  it('refuses malformed knobs and unknown admin paths', async () => {
    const put = async (body: string) => {
      const response = await request(`${sim.origin}/_simulator/knobs`, { method: 'PUT', body });
      await response.body.dump();
      return response.statusCode;
    };
    expect(await put('not json')).toBe(400);
    expect(await put('[1]')).toBe(400);
    expect(await put(JSON.stringify({ latencyMs: 'slow' }))).toBe(400);
    expect(await put(JSON.stringify({ faultRules: [{ status: 500 }] }))).toBe(400);
    expect(sim.knobs.latencyMs).toBe(0);
    expect(await put(JSON.stringify({ faultRules: [{ pathIncludes: '/sessions', status: 502 }], tokenEndpointDown: true }))).toBe(200);
    expect((await get(sim, token, '/api/v1/sessions')).status).toBe(502);
    expect(sim.knobs.tokenEndpointDown).toBe(true);
    const unknown = await request(`${sim.origin}/_simulator/nothing`);
    expect(unknown.statusCode).toBe(404);
    await unknown.body.dump();
    expect(sim.counters.total()).toBe(1);
  });

  it('closes idle keep-alive and in-flight connections', async () => {
    const agent = new Agent({ keepAliveTimeout: 60_000 });
    const keep = await startSimulator({ sessionCount: 5 });
    const warm = await request(`${keep.url}/system/version`, { dispatcher: agent });
    await warm.body.dump();
    expect(warm.headers['connection']).not.toBe('close');
    keep.knobs.latencyMs = 60_000;
    const pending = request(`${keep.url}/system/version`, { dispatcher: agent }).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await keep.close(); // would hang on the in-flight request without closeAllConnections()
    expect(await pending).toBe('failed');
    await agent.close();
  });

  it('serves HTTPS when given a key and certificate', async () => {
    const pki = makeTestPki();
    const secure = await startSimulator({ sessionCount: 5, tls: { key: pki.key, cert: pki.cert } });
    try {
      expect(secure.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
      const agent = new Agent({ connect: { ca: pki.caPem } });
      const response = await request(`${secure.url}/system/version`, { dispatcher: agent, headers: { 'x-api-version': '1.0-rev0' } });
      expect(response.statusCode).toBe(401);
      expect(await response.body.json()).toMatchObject({ errorCode: 'InvalidToken' });
      expect(secure.data.sessions[0]?._links?.[0]?.href).toMatch(/^https:\/\//);
      await agent.close();
    } finally {
      await secure.close();
    }
  });
});

/**
 * The simulator's knobs and counters: what the fault, resilience and benchmark suites rely on.
 */
import { connect } from 'node:net';
import { request } from 'undici';
import { startSimulator, type Simulator } from '../../src/simulator';
import { get, login, raw } from '../helpers/sim-client';

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
});

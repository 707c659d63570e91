/**
 * HTTP/2 to the appliance (VEEAM_HTTP2): offered by ALPN, used when the appliance picks it, and an
 * HTTP/1.1 fallback that is never pipelined. Read off the wire: the simulator records each call's
 * protocol and the client port of its connection.
 */
import { rmSync } from 'node:fs';
import { createServer } from 'node:https';
import { createSecureServer, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { appliancePool, H2_STREAMS_PER_CONNECTION } from '../../src/upstream/chain';
import type { RecordedRequest } from '../../src/simulator/counters';
import { createUpstream, type Upstream } from '../../src/upstream';
import { startSimulator, type Simulator } from '../../src/simulator';
import { makeTestPki, type TestPki } from '../helpers/tls';
import { captureLogs, until, upstreamConfigFor } from '../helpers/upstream';

/** Long enough that calls sent one after another could not all arrive within it. */
const LATENCY_MS = 1_000;
const FAN_OUT = 8;

let pki: TestPki;
let offersH2: Simulator;
let h1Only: Simulator;
const opened: Upstream[] = [];

beforeAll(async () => {
  pki = makeTestPki();
  const tls = { key: pki.key, cert: pki.cert };
  offersH2 = await startSimulator({ sessionCount: 60, tls, http2: true });
  h1Only = await startSimulator({ sessionCount: 60, tls });
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((upstream) => upstream.close()));
});

afterAll(async () => {
  await offersH2.close();
  await h1Only.close();
  rmSync(pki.dir, { recursive: true, force: true });
});

function upstreamFor(sim: Simulator, http2: 'auto' | 'off'): Upstream {
  const upstream = createUpstream(upstreamConfigFor(sim, { ca: pki.caPem, caFile: pki.caFile, http2 }), captureLogs().logger);
  opened.push(upstream);
  return upstream;
}

/**
 * A dashboard's shape: the list, then items calls for the listed backup sessions, each started once
 * the one before has reached the appliance: a socket that allowed pipelining would take them all.
 */
async function fanOut(sim: Simulator, upstream: Upstream): Promise<{ login: RecordedRequest[]; items: RecordedRequest[] }> {
  sim.knobs.latencyMs = 0;
  sim.resetRequests();
  const page = await upstream.client.listSessions({ limit: 30 });
  const login = [...sim.requests];
  const backups = page.results.filter((session) => sim.data.protectedItems(session.id) !== undefined).slice(0, FAN_OUT);
  expect(backups).toHaveLength(FAN_OUT);
  sim.resetRequests();
  sim.knobs.latencyMs = LATENCY_MS;
  const calls: Array<Promise<unknown>> = [];
  try {
    for (const session of backups) {
      calls.push(upstream.client.listProtectedItems(session.id, { limit: 5 }));
      await until(() => sim.requests.length === calls.length, 'the call to reach the simulator');
    }
    await Promise.all(calls);
  } finally {
    sim.knobs.latencyMs = 0;
  }
  return { login, items: sim.requests.filter((request) => request.endpoint === 'GET /sessions/{id}/protectedItems') };
}

/** The calls were on the wire together: sent one after another they would arrive a latency apart. */
function expectConcurrent(calls: RecordedRequest[]): void {
  const arrivals = calls.map((call) => call.at);
  expect(Math.max(...arrivals) - Math.min(...arrivals)).toBeLessThan(LATENCY_MS);
}

const portsOf = (calls: RecordedRequest[]): Set<number> => new Set(calls.map((call) => call.remotePort));

describe('HTTP/2 to the appliance', () => {
  it('speaks h2 to an appliance that offers it: the login and a fan-out are streams of one connection', async () => {
    const { login, items } = await fanOut(offersH2, upstreamFor(offersH2, 'auto'));
    expect(login.map((call) => call.endpoint)).toEqual(['POST /token', 'GET /sessions']);
    expect(items).toHaveLength(FAN_OUT);
    expect([...login, ...items].every((call) => call.httpVersion === '2.0')).toBe(true);
    expectConcurrent(items);
    expect(portsOf([...login, ...items]).size).toBe(1);
  });

  it('keeps HTTP/1.1 with VEEAM_HTTP2=off: one socket per call in flight', async () => {
    const { items } = await fanOut(offersH2, upstreamFor(offersH2, 'off'));
    expect(items.every((call) => call.httpVersion === '1.1')).toBe(true);
    expectConcurrent(items);
    expect(portsOf(items).size).toBe(FAN_OUT);
  });

  it('falls back to HTTP/1.1 against an appliance that offers only it: one socket per call in flight', async () => {
    const { items } = await fanOut(h1Only, upstreamFor(h1Only, 'auto'));
    expect(items.every((call) => call.httpVersion === '1.1')).toBe(true);
    expectConcurrent(items);
    expect(portsOf(items).size).toBe(FAN_OUT);
  });

  it('retries a reset stream and leaves the connection and the other calls alone', async () => {
    const upstream = upstreamFor(offersH2, 'auto');
    await upstream.client.listSessions({ limit: 1 });
    const [first, second] = offersH2.data.sessions.filter((session) => offersH2.data.protectedItems(session.id) !== undefined);
    if (!first || !second) throw new Error('expected two backup sessions');
    offersH2.resetRequests();
    offersH2.knobs.faultRules = [{ pathIncludes: `/sessions/${first.id}/protectedItems`, status: 0, drop: true, times: 1 }];
    try {
      const [dropped, untouched] = await Promise.all([
        upstream.client.listProtectedItems(first.id, { limit: 5 }),
        upstream.client.listProtectedItems(second.id, { limit: 5 }),
      ]);
      expect(dropped.results.length).toBeGreaterThan(0);
      expect(untouched.results.length).toBeGreaterThan(0);
    } finally {
      offersH2.knobs.faultRules = [];
    }
    const calls = offersH2.requests.filter((request) => request.path.includes('/protectedItems'));
    // The dropped call, its retry and the untouched call, all on the one connection.
    expect(calls.map((call) => call.status).sort()).toEqual([0, 200, 200]);
    expect(portsOf(calls).size).toBe(1);
  });

  it('never pipelines on HTTP/1.1: a socket whose answer is still arriving takes no second call', async () => {
    // Headers at once, the body a while later: the moment undici would pipeline the next call.
    const ports: number[] = [];
    const server = createServer({ key: pki.key, cert: pki.cert }, (req, res) => {
      ports.push(req.socket.remotePort ?? 0);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      setTimeout(() => res.end('{}'), 300);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const pool = appliancePool(origin, {
      ...upstreamConfigFor(offersH2),
      connections: 8,
      http2: true,
      ca: pki.caPem,
      tlsInsecure: false,
    });
    try {
      const first = await pool.request({ method: 'GET', path: '/first' });
      // The first answer's headers are in, its body is not: a second call now must take another socket.
      const second = await pool.request({ method: 'GET', path: '/second' });
      await Promise.all([first.body.text(), second.body.text()]);
      expect(ports).toHaveLength(2);
      expect(new Set(ports).size).toBe(2);
    } finally {
      await pool.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  describe('against a bare HTTP/2 server', () => {
    /** Answers every call at once; counts the calls and the sessions (connections) it was given. */
    async function h2Server() {
      const sessions: ServerHttp2Session[] = [];
      let streams = 0;
      const server = createSecureServer({ key: pki.key, cert: pki.cert }, (_req, res) => {
        streams += 1;
        res.end('{}');
      });
      server.on('session', (session) => sessions.push(session));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const pool = appliancePool(`https://127.0.0.1:${(server.address() as AddressInfo).port}`, {
        ...upstreamConfigFor(offersH2),
        connections: 2 * H2_STREAMS_PER_CONNECTION,
        http2: true,
        ca: pki.caPem,
        tlsInsecure: false,
      });
      const get = async (): Promise<void> => {
        const response = await pool.request({ method: 'GET', path: '/' });
        await response.body.text();
      };
      const close = async (): Promise<void> => {
        await pool.destroy();
        for (const session of sessions) session.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      };
      return { sessions, get, close, streams: () => streams };
    }

    it('opens another connection past H2_STREAMS_PER_CONNECTION calls in flight', async () => {
      const server = await h2Server();
      try {
        await server.get(); // the protocol is known: the burst below is streams, dispatched in one turn
        const calls = H2_STREAMS_PER_CONNECTION + 1;
        const burst = Array.from({ length: calls }, () => server.get());
        await Promise.all(burst);
        expect(server.sessions).toHaveLength(2);
      } finally {
        await server.close();
      }
    });
  });
});

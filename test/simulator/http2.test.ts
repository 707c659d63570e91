/**
 * HTTP/2 from the simulator: h2 by ALPN beside HTTP/1.1 on one TLS port, as an appliance behind an
 * h2-capable front end offers it. Each call's protocol and connection are read back from the
 * recorded requests, so the gateway's h1 and h2 paths can be told apart on the wire.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, constants as http2Constants, type ClientHttp2Session, type OutgoingHttpHeaders } from 'node:http2';
import { join } from 'node:path';
import { Client } from 'undici';
import { EnvError, simulatorOptionsFromEnv } from '../../src/simulator/env';
import { startSimulator, type Simulator } from '../../src/simulator';
import { get, login } from '../helpers/sim-client';
import { makeTestPki, type TestPki } from '../helpers/tls';
import { until } from '../helpers/upstream';

const VERSION = '1.0-rev0';

let pki: TestPki;
let sim: Simulator;
const opened: Array<{ close(): unknown }> = [];

beforeAll(async () => {
  pki = makeTestPki();
  sim = await startSimulator({ sessionCount: 30, tls: { key: pki.key, cert: pki.cert }, http2: true });
});

beforeEach(() => {
  sim.resetRequests();
  sim.knobs.faultRules = [];
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((connection) => connection.close()));
});

afterAll(async () => {
  await sim.close();
  rmSync(pki.dir, { recursive: true, force: true });
});

/** A stream that closed without a complete answer, with the RST_STREAM code it got. */
class StreamReset extends Error {
  constructor(readonly rstCode: number | undefined) {
    super(`stream closed without an answer (rstCode ${String(rstCode)})`);
  }
}

function h2Session(target: Simulator = sim): ClientHttp2Session {
  const session = connect(target.origin, { ca: pki.caPem });
  // close() never calls back on a session the server already destroyed.
  opened.push({ close: () => (session.destroyed ? undefined : new Promise<void>((resolve) => session.close(resolve))) });
  return session;
}

function h2Call(
  session: ClientHttp2Session,
  method: string,
  path: string,
  headers: OutgoingHttpHeaders = {},
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': method, ':path': path, 'x-api-version': VERSION, ...headers });
    let status = 0;
    let text = '';
    let ended = false;
    stream.setEncoding('utf8');
    stream.on('response', (responseHeaders) => {
      status = Number(responseHeaders[':status']);
    });
    stream.on('data', (chunk: string) => {
      text += chunk;
    });
    stream.on('end', () => {
      ended = true;
    });
    // A reset also emits 'error', and even 'end'; 'close' tells them apart by the stream's code.
    stream.on('error', () => undefined);
    stream.on('close', () => {
      if (ended && stream.rstCode === http2Constants.NGHTTP2_NO_ERROR) resolve({ status, body: text });
      else reject(new StreamReset(stream.rstCode));
    });
    stream.end(body);
  });
}

const loginForm = (target: Simulator): string => new URLSearchParams({ grant_type: 'password', ...target.credentials }).toString();

async function h2Login(session: ClientHttp2Session, target: Simulator = sim): Promise<string> {
  const answer = await h2Call(session, 'POST', '/api/v1/token', { 'content-type': 'application/x-www-form-urlencoded' }, loginForm(target));
  expect(answer.status).toBe(200);
  return (JSON.parse(answer.body) as { access_token: string }).access_token;
}

function undiciClient(target: Simulator, allowH2: boolean): Client {
  const client = new Client(target.origin, { allowH2, connect: { ca: pki.caPem } });
  opened.push(client);
  return client;
}

async function undiciLoginAndList(client: Client, target: Simulator): Promise<number> {
  const { access } = await login(target, VERSION, client);
  return (await get(target, access, '/api/v1/sessions?Limit=3', VERSION, client)).status;
}

/** Resolves 'closed' once close() does, or 'still open' after a wait no healthy close() needs. */
async function closesPromptly(target: Simulator): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('still open'), 5_000);
  });
  try {
    return await Promise.race([target.close().then(() => 'closed'), waited]);
  } finally {
    clearTimeout(timer);
  }
}

describe('HTTP/2 from the simulator', () => {
  it('serves an h2 client: the token over a POST body, then concurrent lists as streams of one connection', async () => {
    const session = h2Session();
    const token = await h2Login(session);
    const lists = await Promise.all(
      [1, 2, 3, 4].map((limit) => h2Call(session, 'GET', `/api/v1/sessions?Limit=${limit}`, { authorization: `Bearer ${token}` })),
    );
    expect(lists.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(lists.map((answer) => (JSON.parse(answer.body) as { results: unknown[] }).results.length)).toEqual([1, 2, 3, 4]);
    expect(sim.requests.map((call) => call.endpoint)).toEqual(['POST /token', ...Array<string>(4).fill('GET /sessions')]);
    expect(sim.requests.every((call) => call.httpVersion === '2.0')).toBe(true);
    expect(new Set(sim.requests.map((call) => call.remotePort))).toEqual(new Set([session.socket.localPort]));
  });

  it('negotiates h2 with undici allowH2', async () => {
    expect(await undiciLoginAndList(undiciClient(sim, true), sim)).toBe(200);
    expect(sim.requests.map((call) => [call.endpoint, call.httpVersion])).toEqual([
      ['POST /token', '2.0'],
      ['GET /sessions', '2.0'],
    ]);
  });

  it('still serves an HTTP/1.1-only client on the same port', async () => {
    expect(await undiciLoginAndList(undiciClient(sim, false), sim)).toBe(200);
    expect(sim.requests.map((call) => [call.endpoint, call.httpVersion])).toEqual([
      ['POST /token', '1.1'],
      ['GET /sessions', '1.1'],
    ]);
    expect(sim.requests[0]?.remotePort).toBeGreaterThan(0);
  });

  it("keeps an HTTP/1.1 client's idle connection 30 s, as the plain server does (keep-alive: timeout=30)", async () => {
    const response = await undiciClient(sim, false).request({
      method: 'GET',
      path: '/api/v1/system/version',
      headers: { 'x-api-version': VERSION },
    });
    await response.body.dump();
    expect(response.headers['keep-alive']).toBe('timeout=30');
  });

  it('drops one h2 call by resetting its stream: a concurrent call on the session is answered', async () => {
    const session = h2Session();
    const token = await h2Login(session);
    const [dropped, kept] = sim.data.sessions;
    if (!dropped || !kept) throw new Error('expected two sessions');
    sim.resetRequests();
    sim.knobs.faultRules = [{ pathIncludes: dropped.id, status: 0, drop: true, times: 1 }];
    const auth = { authorization: `Bearer ${token}` };
    const [droppedCall, keptCall] = await Promise.allSettled([
      h2Call(session, 'GET', `/api/v1/sessions/${dropped.id}`, auth),
      h2Call(session, 'GET', `/api/v1/sessions/${kept.id}`, auth),
    ]);
    expect(droppedCall).toMatchObject({ status: 'rejected', reason: { rstCode: http2Constants.NGHTTP2_INTERNAL_ERROR } });
    expect(keptCall).toMatchObject({ status: 'fulfilled', value: { status: 200 } });
    // The session outlives the reset.
    expect((await h2Call(session, 'GET', `/api/v1/sessions/${dropped.id}`, auth)).status).toBe(200);
    expect(session.destroyed).toBe(false);
    const byPath = (id: string) => sim.requests.filter((call) => call.path.endsWith(id)).map((call) => call.status);
    expect(byPath(dropped.id)).toEqual([0, 200]);
    expect(byPath(kept.id)).toEqual([200]);
    expect(new Set(sim.requests.map((call) => call.remotePort)).size).toBe(1);
  });

  it('drops an h2 call so that undici reports a stream error, and keeps the connection', async () => {
    const client = undiciClient(sim, true);
    const version = (path: string) => client.request({ method: 'GET', path, headers: { 'x-api-version': VERSION } });
    sim.knobs.faultRules = [{ pathIncludes: '/system/version', queryIncludes: 'drop', status: 0, drop: true, times: 1 }];
    const [dropped, kept] = await Promise.allSettled([version('/api/v1/system/version?drop'), version('/api/v1/system/version')]);
    expect(dropped).toMatchObject({ status: 'rejected', reason: { code: 'ERR_HTTP2_STREAM_ERROR' } });
    expect(kept).toMatchObject({ status: 'fulfilled', value: { statusCode: 401 } });
    if (kept.status === 'fulfilled') await kept.value.body.dump();
    expect(sim.requests.map((call) => call.status).sort()).toEqual([0, 401]);
    expect(new Set(sim.requests.map((call) => call.remotePort)).size).toBe(1);
  });

  it('drops an HTTP/1.1 call on the same port by closing its socket, as before', async () => {
    const client = undiciClient(sim, false);
    sim.knobs.faultRules = [{ pathIncludes: '/system/version', status: 0, drop: true, times: 1 }];
    const failure = await client
      .request({ method: 'GET', path: '/api/v1/system/version', headers: { 'x-api-version': VERSION } })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'UND_ERR_SOCKET' });
    expect(sim.requests.map((call) => [call.status, call.httpVersion])).toEqual([[0, '1.1']]);
  });

  it('close() resolves while an h2 session is open and an HTTP/1.1 call is still waiting out its latency', async () => {
    const own = await startSimulator({ sessionCount: 5, tls: { key: pki.key, cert: pki.cert }, http2: true });
    const session = h2Session(own);
    await h2Login(session, own);
    const http1 = undiciClient(own, false);
    expect(await undiciLoginAndList(http1, own)).toBe(200);
    expect(own.requests.map((call) => call.httpVersion)).toEqual(['2.0', '1.1', '1.1']);
    own.knobs.latencyMs = 60_000;
    const waiting = http1
      .request({ method: 'GET', path: '/api/v1/system/version', headers: { 'x-api-version': VERSION } })
      .catch(() => 'cut');
    await until(() => own.requests.length === 4, 'the HTTP/1.1 call to arrive');
    const sessionClosed = new Promise<void>((resolve) => session.once('close', resolve));
    expect(await closesPromptly(own)).toBe('closed');
    await sessionClosed;
    expect(await waiting).toBe('cut');
  });

  it('refuses HTTP/2 without TLS: appliances do not offer h2c', async () => {
    await expect(startSimulator({ sessionCount: 5, http2: true })).rejects.toThrow(/http2 needs tls/);
  });
});

describe('SIM_HTTP2 for the standalone simulator', () => {
  it('offers h2 with SIM_TLS_CERT and SIM_TLS_KEY, and refuses it without them or with a value not true/false', async () => {
    const dir = mkdtempSync(join(pki.dir, 'env-'));
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    writeFileSync(certFile, pki.cert);
    writeFileSync(keyFile, pki.key);
    const tlsEnv = { SIM_TLS_CERT: certFile, SIM_TLS_KEY: keyFile, SIM_PORT: '0', SIM_SESSIONS: '5' };

    const options = simulatorOptionsFromEnv({ ...tlsEnv, SIM_HTTP2: 'true' });
    expect(options.http2).toBe(true);
    const fromEnv = await startSimulator(options);
    try {
      expect(await undiciLoginAndList(undiciClient(fromEnv, true), fromEnv)).toBe(200);
      expect(fromEnv.requests.every((call) => call.httpVersion === '2.0')).toBe(true);
    } finally {
      await fromEnv.close();
    }

    expect(simulatorOptionsFromEnv(tlsEnv).http2).toBe(false);
    expect(simulatorOptionsFromEnv({ ...tlsEnv, SIM_HTTP2: 'false' }).http2).toBe(false);
    expect(simulatorOptionsFromEnv({}).http2).toBeUndefined();
    expect(() => simulatorOptionsFromEnv({ SIM_HTTP2: 'true' })).toThrow(EnvError);
    expect(() => simulatorOptionsFromEnv({ SIM_HTTP2: 'true' })).toThrow(/SIM_HTTP2=true needs SIM_TLS_CERT and SIM_TLS_KEY/);
    expect(() => simulatorOptionsFromEnv({ ...tlsEnv, SIM_HTTP2: 'yes' })).toThrow(/SIM_HTTP2 must be true or false/);
  });
});

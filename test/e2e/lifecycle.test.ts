/**
 * What `npm start` starts: demo mode only when asked for (never by omission in production), every
 * start-up failure as a log line in the configured format, a truthful banner, and a graceful stop
 * that logs out of the appliance and is immediate when idle.
 */
import { createServer, Server as NetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { request } from 'undici';
import { loadConfig } from '../../src/config/config';
import { runDemo } from '../../src/demo';
import { EXIT_CONFIG, EXIT_FAILURE, startFromEnv, stopGracefully, type EntryIo } from '../../src/main';
import { startSimulator, type Simulator } from '../../src/simulator';
import { captureLogs, TEST_API_VERSION } from '../helpers/upstream';

/** An EntryIo whose log lines (JSON) and banner the test reads. */
function testIo(env: NodeJS.ProcessEnv): EntryIo & { lines(): Array<Record<string, unknown>>; printed: string[] } {
  const chunks: string[] = [];
  const printed: string[] = [];
  return {
    env: { LOG_FORMAT: 'json', ...env },
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString('utf8'));
        callback();
      },
    }),
    print: (text) => printed.push(text),
    printed,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('start-up', () => {
  let listen: jest.SpyInstance;
  beforeEach(() => {
    listen = jest.spyOn(NetServer.prototype, 'listen');
  });
  afterEach(() => listen.mockRestore());

  it('refuses NODE_ENV=production without an appliance: exit 2, nothing listening, what to set', async () => {
    const io = testIo({ NODE_ENV: 'production' });
    expect(await startFromEnv(io)).toEqual({ exitCode: EXIT_CONFIG });
    expect(listen).not.toHaveBeenCalled();
    expect(io.lines()).toEqual([
      expect.objectContaining({
        level: 60,
        msg: 'invalid configuration, nothing started; see the configuration table in README.md',
        problems: [expect.stringMatching(/^NODE_ENV=production and no appliance is configured: set VEEAM_BASE_URL/)],
      }),
    ]);
  });

  it('names a typo instead of starting demo mode', async () => {
    const io = testIo({ NODE_ENV: 'production', VEEAM_BASEURL: 'https://backup.example.com:11005', AUTH_MODE: 'none' });
    expect(await startFromEnv(io)).toEqual({ exitCode: EXIT_CONFIG });
    expect(listen).not.toHaveBeenCalled();
    expect(io.lines()[0]?.['problems']).toContain('VEEAM_BASEURL is not a variable the gateway reads; did you mean VEEAM_BASE_URL?');
  });
});

describe('in front of an appliance', () => {
  let sim: Simulator;
  const applianceEnv = (): NodeJS.ProcessEnv => ({
    NODE_ENV: 'production',
    VEEAM_BASE_URL: new URL(sim.url).origin, // the appliance's address: the API root is implied
    VEEAM_USERNAME: sim.credentials.username,
    VEEAM_PASSWORD: sim.credentials.password,
    VEEAM_API_VERSION: TEST_API_VERSION,
    AUTH_MODE: 'none',
    HOST: '127.0.0.1',
    PORT: '0',
  });

  beforeAll(async () => {
    sim = await startSimulator({ sessionCount: 20 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('logs a taken port as a JSON line with the fix, and exits 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const io = testIo({ ...applianceEnv(), PORT: String(port) });
      expect(await startFromEnv(io)).toEqual({ exitCode: EXIT_FAILURE });
      expect(io.lines().at(-1)).toMatchObject({
        level: 60,
        msg: `port ${port} on 127.0.0.1 is already in use (EADDRINUSE): set PORT to a free port or stop the other process`,
      });
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('prints only what it serves, and stops at once when idle', async () => {
    const io = testIo(applianceEnv());
    const started = await startFromEnv(io);
    if ('exitCode' in started) throw new Error(`exited ${started.exitCode}: ${JSON.stringify(io.lines())}`);
    const banner = io.printed.join('');
    expect(banner).toContain(`graphql:    ${started.running.gateway.url}/graphql`);
    expect(banner).not.toMatch(/playground|DEMO/);
    const response = await request(`${started.running.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ sessions(page: {limit: 1}) { totalCount } }' }),
    });
    expect(response.statusCode).toBe(200);
    await response.body.text();
    // Default grace (10 s): an idle gateway must not wait for it, nor log an ERROR.
    expect(await started.stop('SIGTERM')).toBe(0);
    expect(io.lines().filter((line) => Number(line['level']) >= 50)).toEqual([]);
    expect(io.lines().at(-1)).toMatchObject({ msg: 'stopped' });
  });
});

describe('demo mode and shutdown', () => {
  it('binds to loopback and stops at once when idle, without an ERROR line', async () => {
    const logs = captureLogs('info');
    const config = { ...loadConfig({ DEMO_SESSIONS: '50' }), port: 0 };
    expect(config.host).toBe('127.0.0.1');
    const running = await runDemo(config, logs.logger);
    expect(new URL(running.gateway.url).hostname).toBe('127.0.0.1');
    const response = await request(`${running.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ sessions(page: {limit: 1}) { totalCount } }' }),
    });
    await response.body.text();
    expect(await stopGracefully(running, logs.logger, config.shutdownGraceMs, 'SIGTERM')).toBe(0);
    expect(logs.lines().filter((line) => Number(line['level']) >= 50)).toEqual([]);
  });

  it('with no configuration serves the embedded simulator, then logs out on stop', async () => {
    const logs = captureLogs('info');
    const config = { ...loadConfig({ DEMO_SESSIONS: '300' }), port: 0, host: '127.0.0.1' };
    const running = await runDemo(config, logs.logger);
    const sim = running.simulator;
    try {
      const response = await request(`${running.gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ sessions(page: {limit: 2}) { totalCount items { id } } }' }),
      });
      const body = (await response.body.json()) as { data: { sessions: { totalCount: number } } };
      expect(body.data.sessions.totalCount).toBe(300);
      expect(logs.lines().some((line) => /DEMO MODE/.test(String(line['msg'])))).toBe(true);
      expect(sim.activeAccessTokens()).toBe(1);
      // The simulator must still be answering while the gateway logs out: stop the gateway first.
      await running.gateway.close();
      expect(sim.counters.get('DELETE /token')).toBe(1);
      expect(sim.activeAccessTokens()).toBe(0);
    } finally {
      await running.stop();
    }
  });

  it('finishes an in-flight request before closing', async () => {
    const config = { ...loadConfig({ DEMO_SESSIONS: '50' }), port: 0, host: '127.0.0.1' };
    const running = await runDemo(config, captureLogs('info').logger);
    const sim = running.simulator;
    sim.knobs.latencyMs = 300;
    const inFlight = request(`${running.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ sessions(page: {limit: 1}) { totalCount } }' }),
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopping = running.stop();
    const response = await inFlight;
    expect(response.statusCode).toBe(200);
    expect(((await response.body.json()) as { data: { sessions: { totalCount: number } } }).data.sessions.totalCount).toBe(50);
    await stopping;
  });
});

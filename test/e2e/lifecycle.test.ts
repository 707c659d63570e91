/**
 * What `npm start` starts: demo mode with no configuration, and a graceful stop that logs out of
 * the appliance.
 */
import { request } from 'undici';
import { loadConfig } from '../../src/config/config';
import { runDemo } from '../../src/demo';
import { captureLogs } from '../helpers/upstream';

describe('demo mode and shutdown', () => {
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

/**
 * What a cold dashboard leaves for the young generation to keep after its answer, measured with V8's
 * own collectors in the thread this runs in (heap-probe.worker.js; test/e2e/retention.test.ts): the
 * gateway in this thread, the simulator on a thread of its own, so that this heap is the gateway's.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PerformanceObserver } from 'node:perf_hooks';
import { request } from 'undici';
import { loadConfig } from '../../src/config/config';
import { startGateway } from '../../src/http/gateway';
import { startSimulatorThread } from './simulator-thread';
import { captureLogs, TEST_API_VERSION, upstreamConfigFor } from './upstream';

export interface LeftoverRound {
  /** Young-generation bytes the dashboard allocated (gateway, client and test together). */
  allocated: number;
  /** Of those, what one scavenge after the answer still kept. */
  kept: number;
  /** Collections that ran during the request (the round measures nothing then). */
  collections: number;
}

/** The benchmark's dashboard: 50 sessions, 20 protected items each. */
const DASHBOARD = JSON.stringify({
  query: `{ sessions(page: {limit: 50}) { items { id name type status startTime stopTime durationMs
    protectedItems(page: {limit: 20}) { totalCount items { name status region } } } } }`,
});

const youngBytes = (): number => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_used_size ?? 0;

export async function dashboardLeftovers({ rounds, warmUp }: { rounds: number; warmUp: number }): Promise<LeftoverRound[]> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (options?: { type: 'major' | 'minor' }) => void;
  let collections = 0;
  const observer = new PerformanceObserver((list) => {
    collections += list.getEntries().length;
  });
  observer.observe({ entryTypes: ['gc'] });

  const sim = await startSimulatorThread({ sessionCount: 5000, seed: 1 });
  const logs = captureLogs('info');
  // Cold: the finished sessions' items are not kept, so each dashboard's data is its own.
  const config = { ...loadConfig({ LOG_LEVEL: 'info', RATE_LIMIT_RPS: '0', CACHE_FINISHED_TTL_MS: '0' }), port: 0, host: '127.0.0.1' };
  const gateway = await startGateway({
    config,
    upstream: upstreamConfigFor(sim, { ...config.tuning, apiVersion: TEST_API_VERSION }),
    logger: logs.logger,
  });
  let answered = 0;
  /** Asks for the dashboard; keeps nothing of the answer (the test's own copy of the data is not the gateway's). */
  const dashboard = async (): Promise<void> => {
    const response = await request(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: DASHBOARD,
    });
    const text = await response.body.text();
    if (response.statusCode !== 200 || text.includes('"errors"') || text.length < 40_000)
      throw new Error(`${response.statusCode} ${text.slice(0, 300)}`);
    // The gateway is done with a request once it has logged it.
    answered += 1;
    while ((logs.text().match(/"graphql request"/g) ?? []).length < answered) await new Promise((resolve) => setImmediate(resolve));
  };

  try {
    for (let i = 0; i < warmUp; i += 1) await dashboard();
    const measured: LeftoverRound[] = [];
    for (let i = 0; i < rounds; i += 1) {
      gc();
      gc();
      await new Promise((resolve) => setTimeout(resolve, 5)); // the observer hears of those two first
      const before = youngBytes();
      const collectionsBefore = collections;
      await dashboard();
      // Past what is still held for a moment after the answer, most rounds (see the test).
      await new Promise((resolve) => setTimeout(resolve, 20));
      const allocated = youngBytes() - before;
      const during = collections - collectionsBefore;
      gc({ type: 'minor' });
      measured.push({ allocated, kept: youngBytes(), collections: during });
    }
    return measured;
  } finally {
    observer.disconnect();
    await gateway.close();
    await sim.close();
  }
}

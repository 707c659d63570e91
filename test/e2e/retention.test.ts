/**
 * A finished request leaves nothing for the young generation to keep. V8's scavenger takes every
 * old-generation object as alive, so a request object reachable from one (an object literal's
 * getter: V8 makes its AccessorPair in the old generation) survives every scavenge until the next
 * full collection: a dashboard's whole data, copied twice and then mark-compacted, the largest
 * share of the gateway's CPU on a cold dashboard. Two of those were ours (eslint.config.mjs forbids
 * them now) and one is Apollo's gateway request context (patches/@apollo+server+*.patch).
 *
 * Measured with V8's own collectors, not with timings: after the answer, one young-generation
 * collection, and what it had to keep. The simulator runs on a thread of its own, so that this
 * heap is the gateway's (and the test's) alone.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { request } from 'undici';
import { loadConfig } from '../../src/config/config';
import { startGateway, type Gateway } from '../../src/http/gateway';
import { startSimulatorThread, type SimulatorThread } from '../helpers/simulator-thread';
import { captureLogs, TEST_API_VERSION, upstreamConfigFor } from '../helpers/upstream';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options?: { type: 'major' | 'minor' }) => void;

const youngBytes = (): number => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_used_size ?? 0;

/** The benchmark's dashboard: 50 sessions, 20 protected items each. */
const DASHBOARD = JSON.stringify({
  query: `{ sessions(page: {limit: 50}) { items { id name type status startTime stopTime durationMs
    protectedItems(page: {limit: 20}) { totalCount items { name status region } } } } }`,
});

let sim: SimulatorThread;
let gateway: Gateway;
let logs: ReturnType<typeof captureLogs>;

/** Asks for the dashboard; keeps only its status and size (the test's own copy of the data is not the gateway's). */
async function dashboard(): Promise<{ status: number; bytes: number }> {
  const response = await request(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: DASHBOARD,
  });
  const text = await response.body.text();
  if (text.includes('"errors"')) throw new Error(text.slice(0, 500));
  return { status: response.statusCode, bytes: text.length };
}

let answered = 0;
/** Resolves once the gateway has logged as many GraphQL requests as it answered: it is done with them. */
async function gatewayDone(): Promise<void> {
  answered += 1;
  while ((logs.text().match(/"graphql request"/g) ?? []).length < answered) await new Promise((resolve) => setImmediate(resolve));
}

beforeAll(async () => {
  sim = await startSimulatorThread({ sessionCount: 5000, seed: 1 });
  logs = captureLogs('info');
  // Cold: the finished sessions' items are not kept, so each dashboard's data is its own.
  const config = { ...loadConfig({ LOG_LEVEL: 'info', RATE_LIMIT_RPS: '0', CACHE_FINISHED_TTL_MS: '0' }), port: 0, host: '127.0.0.1' };
  gateway = await startGateway({
    config,
    upstream: upstreamConfigFor(sim, { ...config.tuning, apiVersion: TEST_API_VERSION }),
    logger: logs.logger,
  });
  for (let i = 0; i < 30; i += 1) {
    expect((await dashboard()).status).toBe(200);
    await gatewayDone();
  }
});

afterAll(async () => {
  await gateway.close();
  await sim.close();
});

/** Young bytes a dashboard allocated, and how many of them one scavenge after its answer still kept. */
async function dashboardLeftovers(): Promise<{ allocated: number; kept: number }> {
  gc();
  gc();
  const before = youngBytes();
  const { status, bytes } = await dashboard();
  expect([status, bytes > 40_000]).toEqual([200, true]);
  await gatewayDone();
  // Past what is still held for a moment after the answer, most rounds (see below).
  await new Promise((resolve) => setTimeout(resolve, 20));
  const allocated = youngBytes() - before;
  gc({ type: 'minor' });
  return { allocated, kept: youngBytes() };
}

describe('after a cold dashboard is answered', () => {
  it('one scavenge frees nearly all it allocated', async () => {
    const rounds: Array<{ allocated: number; kept: number }> = [];
    for (let i = 0; i < 10; i += 1) rounds.push(await dashboardLeftovers());
    for (const { allocated } of rounds) expect(allocated).toBeGreaterThan(1_000_000);
    // The dashboard's data (parsed pages, models, the result) is ~0.5 MB. A request object held from
    // the old generation keeps all of it through the scavenge, in every round: ~20% or more of what
    // it allocated. Some rounds also find part of it still held for a moment after the answer (more
    // of them on a loaded machine, whatever the wait): the least a round kept is the measure.
    const keptShare = rounds.map(({ allocated, kept }) => Math.round((100 * kept) / allocated));
    expect(Math.min(...keptShare)).toBeLessThan(10);
  });
});

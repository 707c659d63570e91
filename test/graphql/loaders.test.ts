/**
 * The per-request loaders against the simulator: priming from lists, de-duplication of keys, and
 * failures that stay with their key.
 */
import { createContext, type GatewayContext } from '../../src/graphql/context';
import { ListMemory } from '../../src/graphql/list-memory';
import { resolvers } from '../../src/graphql/resolvers';
import { createUpstream, type Upstream } from '../../src/upstream';
import { startSimulator, type Simulator } from '../../src/simulator';
import { captureLogs, upstreamConfigFor } from '../helpers/upstream';
import type { GraphQLResolveInfo } from 'graphql';

let sim: Simulator;
let upstream: Upstream;

beforeAll(async () => {
  sim = await startSimulator({ sessionCount: 100, anchor: new Date('2026-11-01T00:00:00Z') });
  upstream = createUpstream(upstreamConfigFor(sim), captureLogs().logger);
});

afterAll(async () => {
  await upstream.close();
  await sim.close();
});

function context(): GatewayContext {
  return createContext(
    {
      client: upstream.client,
      limits: { maxPageLimit: 1000, upstreamPageSize: 200, maxQueryCost: 500 },
      cacheHints: { finishedItemsSeconds: 0, liveSeconds: 0 },
      lists: new ListMemory(),
    },
    { requestId: 'test', clientId: 'test', signal: new AbortController().signal, deadline: Date.now() + 10_000 },
  );
}

const info = {} as GraphQLResolveInfo; // no cache-control plugin outside Apollo: hints are skipped

describe('loaders', () => {
  it('a session listed earlier in the request is served by id without an upstream call', async () => {
    const ctx = context();
    const sessions = resolvers.Query?.sessions;
    if (typeof sessions !== 'function') throw new Error('no sessions resolver');
    const page = await sessions({}, { page: { offset: 0, limit: 5 } }, ctx, info);
    const id = (page as { items: Array<{ id: string }> }).items[2]?.id;
    if (!id) throw new Error('no session listed');
    sim.counters.reset();
    await expect(ctx.loaders.sessionById.load(id)).resolves.toMatchObject({ id });
    expect(sim.counters.get('GET /sessions/{id}')).toBe(0);
  });

  it('loads each distinct key once and keeps a failure with its key', async () => {
    const ctx = context();
    const [first, second] = sim.data.sessions;
    if (!first || !second) throw new Error('no sessions');
    sim.counters.reset();
    const results = await Promise.allSettled([
      ctx.loaders.sessionLog.load(first.id),
      ctx.loaders.sessionLog.load(first.id),
      ctx.loaders.sessionLog.load(second.id),
      ctx.loaders.sessionLog.load('00000000-0000-4000-8000-000000000000'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    expect((results[3] as PromiseRejectedResult).reason).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    expect(sim.counters.get('GET /sessions/{id}/log')).toBe(3);
    expect(ctx.stats.upstreamCalls).toBe(3);
  });
});

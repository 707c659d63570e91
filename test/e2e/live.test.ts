/**
 * Live session updates end to end: the gateway's subscriptions over SSE (graphql-sse client) and
 * WebSocket (graphql-ws client) against the simulator's sessions as they start, progress and
 * finish. The poller runs by hand (`tick()`), and upstream load is read from the simulator's counters.
 */
import { request } from 'undici';
import { startLiveStack, until, Collector, type LiveStack } from '../live/live-stack';

const WATCH = `subscription Watch($filter: SessionFilter, $after: Long) {
  sessionUpdates(filter: $filter, afterUsn: $after) {
    usn
    changes
    session { id status protectedItems(page: { limit: 5 }) { totalCount } }
  }
}`;

type Subscribe = (variables: Record<string, unknown>, collector: Collector) => () => void;

let stack: LiveStack;

beforeAll(async () => {
  stack = await startLiveStack({ LIVE_MAX_SUBSCRIPTIONS_PER_CLIENT: '2000' });
});

afterAll(async () => {
  await stack.close();
});

const live = () => stack.gateway.live.stats();
const listCalls = (): number => stack.sim.counters.get('GET /sessions');

async function subscribed(count: number): Promise<void> {
  await until(() => live().subscribers === count && live().head !== undefined, `${count} subscribers`);
}

/** One session's life, seen by a matching, a status-filtered and a non-matching subscriber. */
async function sessionLifecycle(subscribe: Subscribe): Promise<void> {
  const backups = new Collector();
  const running = new Collector();
  const retention = new Collector();
  const stops = [
    subscribe({ filter: { types: ['POLICY', 'USER_POLICY'] } }, backups),
    subscribe({ filter: { status: ['RUNNING'] } }, running),
    subscribe({ filter: { types: ['RETENTION_ACTIVITY'] } }, retention),
  ];
  await subscribed(3);

  const id = stack.sim.activity.start();
  const started = stack.sim.activity.lastUsn();
  await stack.tick();
  await backups.count(1);
  const progressed = stack.sim.activity.progress(id, 2);
  await stack.tick();
  await backups.count(2);
  const finished = stack.sim.activity.finish(id, 'Failed');
  await stack.tick();
  await backups.count(3);
  await running.count(3);

  const expected = [
    { usn: String(started), changes: ['NEW'], status: 'RUNNING', items: 0 },
    { usn: String(progressed), changes: ['PROGRESS'], status: 'RUNNING', items: 2 },
    { usn: String(finished), changes: ['STATUS', 'FINISHED'], status: 'FAILED', items: stack.sim.data.protectedItems(id)?.length },
  ];
  const seen = (collector: Collector) =>
    collector.updates.map((u) => ({
      usn: u.usn,
      changes: u.changes,
      status: u.session.status,
      items: u.session.protectedItems?.totalCount,
    }));
  expect(seen(backups)).toEqual(expected);
  // A status filter also sees the change that leaves the status (the session finishing).
  expect(seen(running)).toEqual(expected);
  expect(backups.updates.every((u) => u.session.id === id)).toBe(true);
  expect(retention.updates).toEqual([]);
  expect([...backups.errors, ...running.errors, ...retention.errors]).toEqual([]);
  for (const stop of stops) stop();
  await until(() => live().subscribers === 0, 'unsubscribed');
}

describe('a session that starts, progresses and finishes reaches each matching subscriber once per change, in USN order', () => {
  it('over SSE (graphql-sse client, distinct connections)', async () => {
    const client = stack.sse();
    await sessionLifecycle((variables, collector) => client.subscribe({ query: WATCH, variables }, collector.sink()));
  });

  it('over WebSocket (graphql-ws client, graphql-transport-ws)', async () => {
    const client = stack.ws();
    await sessionLifecycle((variables, collector) => client.subscribe({ query: WATCH, variables }, collector.sink()));
  });
});

describe('one poller per process', () => {
  it('1,000 subscribers with various filters cost one upstream list call per interval', async () => {
    const filters = [
      { types: ['POLICY'] },
      { types: ['USER_POLICY', 'POLICY'] },
      { status: ['RUNNING'] },
      { status: ['FAILED', 'SUCCEEDED'] },
      { types: ['RETENTION_ACTIVITY'] },
      {},
      { from: '2020-01-01T00:00:00Z' },
      { to: '2000-01-01' },
    ];
    const sockets = [stack.ws(), stack.ws(), stack.ws(), stack.ws()];
    const collectors = Array.from({ length: 1000 }, () => new Collector());
    const stops = collectors.map((collector, i) =>
      (sockets[i % sockets.length] ?? sockets[0])!.subscribe(
        {
          query: 'subscription ($f: SessionFilter) { sessionUpdates(filter: $f) { usn changes session { id type status } } }',
          variables: { f: filters[i % filters.length] },
        },
        collector.sink(),
      ),
    );
    await subscribed(1000);

    stack.sim.counters.reset();
    await stack.tick();
    expect(listCalls()).toBe(1);

    const id = stack.sim.activity.start({ policyIndex: 0 });
    await stack.tick();
    expect(listCalls()).toBe(2);
    const policyType = stack.sim.data.sessions.find((s) => s.id === id)?.type;
    const matches = (filter: Record<string, unknown>): boolean => {
      const types = filter['types'] as string[] | undefined;
      const status = filter['status'] as string[] | undefined;
      if (types && !types.includes(policyType === 'UserPolicy' ? 'USER_POLICY' : 'POLICY')) return false;
      if (status && !status.includes('RUNNING')) return false;
      return filter['to'] === undefined;
    };
    const expected = collectors.filter((_, i) => matches(filters[i % filters.length] ?? {}));
    expect(expected.length).toBeGreaterThan(300);
    await until(() => expected.every((c) => c.updates.length === 1), 'the matching subscribers to get the update');
    // The others were woken by the same poll and passed over it.
    await stack.tick();
    expect(listCalls()).toBe(3);
    const delivered = collectors.filter((c) => c.updates.length > 0);
    expect(delivered).toHaveLength(expected.length);
    expect(new Set(delivered.map((c) => c.updates[0]?.session.id))).toEqual(new Set([id]));
    for (const stop of stops) stop();
    await until(() => live().subscribers === 0, 'unsubscribed');
    // The poller stopped with the last subscriber: a tick calls nothing.
    await stack.tick();
    expect(listCalls()).toBe(3);
  });
});

describe('resuming', () => {
  it('a client that disconnects and resumes with Last-Event-ID misses nothing, in USN order', async () => {
    // Another dashboard keeps the poller running while this one is away.
    const keeper = stack.ws().subscribe({ query: WATCH, variables: {} }, new Collector().sink());
    const first = new Collector();
    const stop = stack.sse().subscribe({ query: WATCH, variables: { filter: { types: ['POLICY', 'USER_POLICY'] } } }, first.sink());
    await subscribed(2);
    const id = stack.sim.activity.start();
    await stack.tick();
    const [seen] = await first.count(1);
    stop();
    await until(() => live().subscribers === 1, 'the SSE client gone');

    const missed = [stack.sim.activity.progress(id, 1)];
    await stack.tick();
    missed.push(stack.sim.activity.progress(id, 1));
    await stack.tick();
    missed.push(stack.sim.activity.finish(id));
    await stack.tick();

    const resumed = new Collector();
    const again = stack.sse({ 'last-event-id': seen?.usn ?? '' });
    const stopAgain = again.subscribe({ query: WATCH, variables: { filter: { types: ['POLICY', 'USER_POLICY'] } } }, resumed.sink());
    await resumed.count(3);
    expect(resumed.updates.map((u) => [u.usn, u.changes])).toEqual([
      [String(missed[0]), ['PROGRESS']],
      [String(missed[1]), ['PROGRESS']],
      [String(missed[2]), ['STATUS', 'FINISHED']],
    ]);
    stopAgain();
    keeper();
    await until(() => live().subscribers === 0, 'unsubscribed');
  });

  it('every SSE event carries its USN as the event id', async () => {
    const keeper = stack.ws().subscribe({ query: WATCH, variables: {} }, new Collector().sink());
    await subscribed(1);
    const before = String(live().head);
    const id = stack.sim.activity.start();
    const usns = [stack.sim.activity.lastUsn()];
    await stack.tick();
    usns.push(stack.sim.activity.finish(id));
    await stack.tick();
    const query = new URLSearchParams({ query: WATCH, variables: JSON.stringify({ after: before }) });
    const controller = new AbortController();
    const response = await request(`${stack.gateway.url}/graphql/stream?${query.toString()}`, {
      headers: { accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    let text = '';
    for await (const chunk of response.body) {
      text += String(chunk);
      if ((text.match(/event: next/g) ?? []).length >= 2) break;
    }
    controller.abort();
    expect(
      [...text.matchAll(/^id: (\d+)\nevent: next\ndata: (.*)$/gm)].map((m) => [m[1], JSON.parse(m[2] ?? '{}').data.sessionUpdates.usn]),
    ).toEqual(usns.map((usn) => [String(usn), String(usn)]));
    keeper();
    await until(() => live().subscribers === 0, 'unsubscribed');
  });
});

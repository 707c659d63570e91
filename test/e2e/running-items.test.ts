/**
 * A polled dashboard in one round trip: the items of the sessions a list showed running start with the
 * list the next time it is asked (list-memory.ts). Ordering and call counts are read from the
 * simulator's recorded requests, not timed.
 */
import { startStack, type Stack } from '../helpers/stack';
import { recordDispatches } from '../helpers/upstream';

let stack: Stack;

afterEach(async () => {
  await stack.close();
});

const DASHBOARD = `query ($limit: Int!) { sessions(page: {limit: $limit}) { items { id status
  protectedItems(page: {limit: 20}) { totalCount items { name status } } } } }`;

/** Long enough that no answer can come back before every call of the round trip has been received. */
const LATENCY_MS = 300;

interface DashboardSession {
  id: string;
  status: string;
  protectedItems: { totalCount: number; items: Array<{ name: string; status: string }> };
}

async function dashboard(limit = 50): Promise<DashboardSession[]> {
  const result = await stack.gql<{ sessions: { items: DashboardSession[] } }>(DASHBOARD, { limit });
  expect(result.errors).toBeUndefined();
  return result.data?.sessions.items ?? [];
}

/** The items calls of the last round, by session id, and the list calls. */
function recorded(): { list: number[]; items: Map<string, number[]> } {
  const list: number[] = [];
  const items = new Map<string, number[]>();
  for (const request of stack.sim.requests) {
    if (request.endpoint === 'GET /sessions') list.push(request.at);
    const match = /\/sessions\/([^/]+)\/protectedItems$/.exec(request.path);
    if (match?.[1]) items.set(match[1], [...(items.get(match[1]) ?? []), request.at]);
  }
  return { list, items };
}

function resetRecording(): void {
  stack.sim.resetRequests();
  stack.sim.counters.reset();
}

describe("a repeated dashboard asks its running sessions' items with the list", () => {
  it('as shipped: the second poll is one round trip, with exactly the calls the data needs', async () => {
    stack = await startStack();
    const started = [stack.sim.activity.start(), stack.sim.activity.start()];
    await stack.gql('{ sessions(page: {limit: 1}) { totalCount } }'); // log in first
    resetRecording();
    // Learns which sessions run, keeps the finished sessions' items.
    const first = await dashboard();
    const askedFirst = recorded().items;
    // Running sessions whose items the first poll asked (a session that protects nothing is never asked).
    const running = first.filter((session) => session.status === 'RUNNING' && askedFirst.has(session.id)).map((session) => session.id);
    expect(running).toEqual(expect.arrayContaining(started));
    resetRecording();
    stack.sim.knobs.latencyMs = LATENCY_MS;
    const sessions = await dashboard();

    const { list, items } = recorded();
    expect(list).toHaveLength(1);
    // Only the running sessions' items: the finished ones come from the cache.
    expect([...items.keys()].sort()).toEqual([...running].sort());
    const times = [...list, ...[...items.values()].flat()];
    expect(Math.max(...times) - Math.min(...times)).toBeLessThan(LATENCY_MS);
    // The answer is the running sessions' items as the appliance has them.
    for (const id of running) {
      const answered = sessions.find((session) => session.id === id);
      expect(answered?.status).toBe('RUNNING');
      expect(answered?.protectedItems.totalCount).toBe(stack.sim.data.protectedItems(id)?.length);
    }
  });

  it("hands the list's call to the pool before the remembered items: the page waits for the list, not for them", async () => {
    stack = await startStack();
    stack.sim.activity.start();
    stack.sim.activity.start();
    await dashboard(); // logs in, learns which sessions run
    const dispatched = recordDispatches(stack.sim.origin);
    try {
      await dashboard();
    } finally {
      dispatched.stop();
    }
    const paths = dispatched.paths();
    expect(paths.filter((path) => path.includes('/protectedItems')).length).toBeGreaterThanOrEqual(2);
    expect(paths[0]).toMatch(/\/sessions\?/);
  });

  it("as shipped, the first poll asks each listed session's items once (the look-ahead and the resolvers agree on keys)", async () => {
    stack = await startStack();
    stack.sim.activity.start();
    await stack.gql('{ sessions(page: {limit: 1}) { totalCount } }'); // log in first
    resetRecording();
    const sessions = await dashboard();
    const { items } = recorded();
    expect(items.size).toBeGreaterThan(40);
    for (const [id, asked] of items) {
      expect([id, asked.length]).toEqual([id, 1]);
      expect(sessions.some((session) => session.id === id)).toBe(true);
    }
  });

  it('the first poll, with nothing remembered, asks the items after the list', async () => {
    stack = await startStack();
    const id = stack.sim.activity.start();
    await stack.gql('{ sessions(page: {limit: 1}) { totalCount } }'); // log in first
    resetRecording();
    stack.sim.knobs.latencyMs = LATENCY_MS;
    await dashboard();
    const { list, items } = recorded();
    expect((items.get(id)?.[0] ?? 0) - (list[0] ?? Number.NaN)).toBeGreaterThanOrEqual(LATENCY_MS);
  });

  it('a session that finished since: its early answer is dropped, its items asked again as finished and kept', async () => {
    stack = await startStack();
    const id = stack.sim.activity.start();
    await dashboard();
    stack.sim.activity.finish(id);
    resetRecording();
    const sessions = await dashboard();
    // Asked with the list (it was running), then again once the list said it finished.
    expect(recorded().items.get(id)).toHaveLength(2);
    const answered = sessions.find((session) => session.id === id);
    expect(answered?.status).toBe('SUCCEEDED');
    expect(answered?.protectedItems.items.every((item) => item.status !== 'RUNNING' && item.status !== 'PENDING')).toBe(true);
    // The finished answer was kept: the next poll does not ask for it.
    resetRecording();
    await dashboard();
    expect(recorded().items.has(id)).toBe(false);
  });

  it('a session finished since and read through another field of the query gets its own finished read, kept', async () => {
    stack = await startStack();
    const id = stack.sim.activity.start();
    const query = `query ($id: ID!) { running: sessions(filter: {status: [RUNNING]}) { items { id protectedItems(page: {limit: 20}) { totalCount } } }
      one: session(id: $id) { status protectedItems(page: {limit: 20}) { totalCount } } }`;
    expect((await stack.gql(query, { id })).errors).toBeUndefined();
    stack.sim.activity.finish(id);
    resetRecording();
    const second = await stack.gql<{ one: { status: string } }>(query, { id });
    expect(second.data?.one.status).toBe('SUCCEEDED');
    expect(recorded().items.get(id)).toHaveLength(2); // asked with the running list, and again as finished
    resetRecording();
    await stack.gql(`{ session(id: "${id}") { protectedItems(page: {limit: 20}) { totalCount } } }`);
    expect(recorded().items.has(id)).toBe(false); // the finished read was kept
  });

  it('with a live TTL, an answer kept while the session ran does not serve its finished read', async () => {
    stack = await startStack({ env: { CACHE_LIVE_TTL_MS: '60000' } });
    const id = stack.sim.activity.start();
    await dashboard(); // the running session's items kept for the live TTL
    stack.sim.activity.finish(id);
    resetRecording();
    await stack.gql(`{ session(id: "${id}") { protectedItems(page: {limit: 20}) { totalCount items { status } } } }`);
    expect(recorded().items.get(id)).toHaveLength(1); // asked again, as finished
    resetRecording();
    await stack.gql(`{ session(id: "${id}") { protectedItems(page: {limit: 20}) { totalCount } } }`);
    expect(recorded().items.has(id)).toBe(false); // and kept
  });

  it('a running session that left the list costs one unread call, once', async () => {
    stack = await startStack();
    const first = stack.sim.activity.start();
    await dashboard(2);
    stack.sim.activity.start();
    stack.sim.activity.start(); // two newer sessions push the first off a 2-row list
    resetRecording();
    const sessions = await dashboard(2);
    expect(sessions.map((session) => session.id)).not.toContain(first);
    expect(recorded().items.get(first)).toHaveLength(1);
    resetRecording();
    await dashboard(2);
    expect(recorded().items.has(first)).toBe(false);
  });

  it('a list asked without items starts no items call; another list has its own memory', async () => {
    stack = await startStack();
    const id = stack.sim.activity.start(); // the newest session: on every list below
    await dashboard(50);
    resetRecording();
    await stack.gql('{ sessions(page: {limit: 50}) { items { id status } } }');
    expect(recorded().items.size).toBe(0);
    stack.sim.knobs.latencyMs = LATENCY_MS;
    await dashboard(48); // never asked before: the running session's items wait for the list
    const { list, items } = recorded();
    expect(list).toHaveLength(2);
    expect((items.get(id)?.[0] ?? Number.NaN) - (list[1] ?? Number.NaN)).toBeGreaterThanOrEqual(LATENCY_MS);
  });
});

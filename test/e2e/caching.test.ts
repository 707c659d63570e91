/**
 * Upstream sharing and caching, end to end: identical concurrent calls are one call; a finished
 * session's items are served from cache; live data only within the configured TTL.
 */
import { request } from 'undici';
import { startStack, type Stack } from '../helpers/stack';

let stack: Stack;

afterEach(async () => {
  await stack.close();
});

const itemsQuery = 'query ($id: ID!) { session(id: $id) { protectedItems(page: {limit: 5}) { totalCount } } }';

function backupSession(s: Stack, running: boolean) {
  const found = s.sim.data.sessions.find(
    (session) =>
      session._embedded?.backupJobInfo !== undefined &&
      (running ? session.status === 'Running' : session.status !== 'Running' && session.executionStopTime !== undefined) &&
      (s.sim.data.protectedItems(session.id)?.length ?? 0) > 0,
  );
  if (!found) throw new Error(`the simulator data has no ${running ? 'running' : 'finished'} backup session with items`);
  return found;
}

describe('in-flight sharing', () => {
  it('ten identical concurrent dashboards cost one upstream list call', async () => {
    stack = await startStack();
    await stack.gql('{ sessions(page: {limit: 1}) { totalCount } }'); // log in first
    stack.sim.counters.reset();
    stack.sim.knobs.latencyMs = 150;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => stack.gql('{ sessions(page: {limit: 20}) { totalCount items { id status } } }')),
    );
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    expect(new Set(results.map((r) => JSON.stringify(r.data))).size).toBe(1);
    expect(stack.sim.counters.get('GET /sessions')).toBe(1);
  });
});

describe('stored answers', () => {
  it("serves a finished session's items from cache", async () => {
    stack = await startStack();
    const session = backupSession(stack, false);
    const first = await stack.gql(itemsQuery, { id: session.id });
    expect(first.errors).toBeUndefined();
    stack.sim.counters.reset();
    const second = await stack.gql(itemsQuery, { id: session.id });
    expect(second.data).toEqual(first.data);
    expect(stack.sim.counters.get('GET /sessions/{id}/protectedItems')).toBe(0);
    expect(stack.sim.counters.get('GET /sessions/{id}')).toBe(1); // live data: not cached by default
  });

  it("re-fetches a running session's items once the live TTL has passed", async () => {
    stack = await startStack({ env: { CACHE_LIVE_TTL_MS: '300' } });
    const session = backupSession(stack, true);
    await stack.gql(itemsQuery, { id: session.id });
    await stack.gql(itemsQuery, { id: session.id });
    expect(stack.sim.counters.get('GET /sessions/{id}/protectedItems')).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await stack.gql(itemsQuery, { id: session.id });
    expect(stack.sim.counters.get('GET /sessions/{id}/protectedItems')).toBe(2);
  });

  it('with a live TTL, a repeated dashboard within it makes no upstream call and says max-age', async () => {
    stack = await startStack({ env: { CACHE_LIVE_TTL_MS: '60000' } });
    const dashboard = JSON.stringify({
      query:
        '{ sessions(page: {limit: 50}) { items { id name status protectedItems(page: {limit: 20}) { items { name status region } } } } }',
    });
    const post = () =>
      request(`${stack.gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: dashboard });
    const first = await post();
    const firstBody = await first.body.text();
    expect(first.headers['cache-control']).toBe('max-age=60, private');
    stack.sim.counters.reset();
    const second = await post();
    expect(await second.body.text()).toBe(firstBody);
    expect(stack.sim.counters.total()).toBe(0);
  });
});

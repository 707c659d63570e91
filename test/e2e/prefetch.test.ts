/**
 * One round trip where the keys are known: `session(id:)` with its log and items starts all three
 * upstream calls at once (ordering, read from the simulator's recorded requests, not timing targets);
 * a session that does not exist still answers null without an error.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Session } from '../../src/graphql/resolvers/session';
import { startStack, type Stack } from '../helpers/stack';
import { recordDispatches } from '../helpers/upstream';

let stack: Stack;

afterEach(async () => {
  await stack.close();
});

const DETAIL = `query ($id: ID!) { session(id: $id) { id status
  log { message } protectedItems(page: {limit: 1000}) { totalCount items { name } } } }`;

/** Long enough that no answer can come back before all three calls have been received. */
const LATENCY_MS = 300;

function finishedBackupSession(s: Stack): string {
  const found = s.sim.data.sessions.find(
    (session) =>
      session._embedded?.backupJobInfo !== undefined &&
      session.status !== 'Running' &&
      (s.sim.data.protectedItems(session.id)?.length ?? 0) > 0,
  );
  if (!found) throw new Error('the simulator data has no finished backup session with items');
  return found.id;
}

async function detailCalls(s: Stack, id: string): Promise<Array<{ endpoint: string; at: number }>> {
  await s.gql('{ sessions(page: {limit: 1}) { totalCount } }'); // log in first
  s.sim.resetRequests();
  s.sim.counters.reset();
  s.sim.knobs.latencyMs = LATENCY_MS;
  const result = await s.gql(DETAIL, { id });
  expect(result.errors).toBeUndefined();
  expect(result.data?.['session']).toMatchObject({ id });
  return s.sim.requests.map((r) => ({ endpoint: r.endpoint, at: r.at }));
}

describe('session(id:) with log and protectedItems', () => {
  it('sends the session, log and items calls before the first is answered (finished-item cache off)', async () => {
    stack = await startStack({ env: { CACHE_FINISHED_TTL_MS: '0' } });
    const calls = await detailCalls(stack, finishedBackupSession(stack));
    expect(calls.map((c) => c.endpoint).sort()).toEqual([
      'GET /sessions/{id}',
      'GET /sessions/{id}/log',
      'GET /sessions/{id}/protectedItems',
    ]);
    const times = calls.map((c) => c.at);
    expect(Math.max(...times) - Math.min(...times)).toBeLessThan(LATENCY_MS);
  });

  it("hands the session's own call to the pool first: its children can complete only once it is back", async () => {
    stack = await startStack({ env: { CACHE_FINISHED_TTL_MS: '0' } });
    const id = finishedBackupSession(stack);
    await stack.gql('{ sessions(page: {limit: 1}) { totalCount } }'); // log in first
    const dispatched = recordDispatches(stack.sim.origin);
    try {
      const result = await stack.gql(DETAIL, { id });
      expect(result.errors).toBeUndefined();
    } finally {
      dispatched.stop();
    }
    const base = `/api/v1/sessions/${id}`;
    expect(dispatched.paths().map((path) => path.split('?')[0])).toEqual([base, `${base}/log`, `${base}/protectedItems`]);
  });

  it('as shipped, the log starts with the session and the items (whose caching depends on it) after it', async () => {
    stack = await startStack();
    const calls = await detailCalls(stack, finishedBackupSession(stack));
    const at = (endpoint: string): number => calls.find((c) => c.endpoint === endpoint)?.at ?? Number.NaN;
    expect(calls).toHaveLength(3);
    expect(Math.abs(at('GET /sessions/{id}/log') - at('GET /sessions/{id}'))).toBeLessThan(LATENCY_MS);
    expect(at('GET /sessions/{id}/protectedItems') - at('GET /sessions/{id}')).toBeGreaterThanOrEqual(LATENCY_MS);
  });

  it('answers null without an error for a session that does not exist', async () => {
    stack = await startStack({ env: { CACHE_FINISHED_TTL_MS: '0' } });
    const result = await stack.gql(DETAIL, { id: '00000000-0000-4000-8000-000000000000' });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ session: null });
  });
});

describe('a sessions list with items', () => {
  const DASHBOARD = '{ sessions(page: {limit: 10}) { items { id protectedItems(page: {limit: 5}) { totalCount } } } }';

  it("writes its sessions' item calls to their sockets before execution walks the page", async () => {
    // undici writes on a reused keep-alive socket only in the check phase (prefetch.ts untilCallsWritten).
    const events: string[] = [];
    let recording = false;
    // The resolver as graphql-tools binds it when the schema is built (startStack, below).
    const resolvers = Session as unknown as { protectedItems: (...args: unknown[]) => unknown };
    const protectedItems = resolvers.protectedItems.bind(resolvers);
    const walk = jest.spyOn(resolvers, 'protectedItems').mockImplementation((...args) => {
      if (recording) events.push('walk');
      return protectedItems(...args);
    });
    const onWrite = (message: unknown): void => {
      if (recording && (message as { request: { path: string } }).request.path.includes('/protectedItems')) events.push('write');
    };
    subscribe('undici:client:sendHeaders', onWrite);
    try {
      stack = await startStack({ env: { CACHE_FINISHED_TTL_MS: '0' } });
      expect((await stack.gql(DASHBOARD)).errors).toBeUndefined(); // logs in, opens the sockets
      recording = true;
      expect((await stack.gql(DASHBOARD)).errors).toBeUndefined();
    } finally {
      unsubscribe('undici:client:sendHeaders', onWrite);
      walk.mockRestore();
    }
    expect(events.filter((event) => event === 'write').length).toBeGreaterThan(3);
    expect(events.lastIndexOf('write')).toBeLessThan(events.indexOf('walk'));
  });
});

/**
 * A page larger than the appliance's page size, asked again: the slices its last answer filled start
 * with the first call (list-memory.ts, pages.ts `expectedRows`). Read from the simulator's recorded
 * requests, not timed.
 */
import { startStack, type Stack } from '../helpers/stack';

let stack: Stack;

afterEach(async () => {
  await stack.close();
});

const REPORT = `{ sessions(page: {limit: 450}) { totalCount items { id status usn } } }`;

/** Long enough that no answer can come back before every call of a round trip has been received. */
const LATENCY_MS = 300;

async function report(): Promise<{ ids: string[]; listCalls: number[] }> {
  stack.sim.resetRequests();
  const result = await stack.gql<{ sessions: { totalCount: number; items: Array<{ id: string }> } }>(REPORT);
  expect(result.errors).toBeUndefined();
  const listCalls = stack.sim.requests.filter((request) => request.endpoint === 'GET /sessions').map((request) => request.at);
  return { ids: result.data?.sessions.items.map((session) => session.id) ?? [], listCalls };
}

const spread = (times: number[]): number => Math.max(...times) - Math.min(...times);

describe('a large page asked again', () => {
  it('asks every slice in one round trip, and answers the same rows', async () => {
    stack = await startStack();
    await stack.gql('{ sessions(page: {limit: 1}) { totalCount } }'); // log in first
    stack.sim.knobs.latencyMs = LATENCY_MS;
    const first = await report();
    // 450 rows at 200 per call: the first slice, then the two it showed exist.
    expect(first.listCalls).toHaveLength(3);
    expect(spread(first.listCalls)).toBeGreaterThanOrEqual(LATENCY_MS);
    const second = await report();
    expect(second.listCalls).toHaveLength(3);
    expect(spread(second.listCalls)).toBeLessThan(LATENCY_MS);
    expect(second.ids).toHaveLength(450);
    expect(second.ids).toEqual(first.ids);
  });

  it('a page that fits one call is remembered by nobody: one call each time', async () => {
    stack = await startStack();
    await stack.gql('{ sessions(page: {limit: 1}) { totalCount } }');
    stack.sim.resetRequests();
    await stack.gql('{ sessions(page: {limit: 150}) { items { id } } }');
    await stack.gql('{ sessions(page: {limit: 150}) { items { id } } }');
    expect(stack.sim.requests.filter((request) => request.endpoint === 'GET /sessions')).toHaveLength(2);
  });
});

/**
 * The identity rule over real answers: across the dashboard, session details and topFailingItems
 * over two ranges, no (`__typename`, `id`) carries two different values for one field — what a
 * normalised client cache needs to be right.
 */
import { sharedInstance } from '../clients/fixtures';
import { startStack, type Stack } from '../helpers/stack';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ simulator: { sessionCount: 1_500 }, env: { MAX_QUERY_COST: '5000' } });
});

afterAll(async () => {
  await stack.close();
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every object with __typename and id, with its leaf fields, from anywhere in an answer. */
function identified(value: Json, found: Array<{ key: string; fields: Record<string, Json> }> = []) {
  if (Array.isArray(value)) {
    for (const item of value) identified(item, found);
  } else if (value !== null && typeof value === 'object') {
    const typename = value['__typename'];
    const id = value['id'];
    if (typeof typename === 'string' && typeof id === 'string') {
      const fields = Object.fromEntries(Object.entries(value).filter(([, v]) => v === null || typeof v !== 'object'));
      found.push({ key: `${typename}:${id}`, fields });
    }
    for (const child of Object.values(value)) identified(child, found);
  }
  return found;
}

/** (key, field) pairs whose values differ between answers. */
function conflicts(answers: Json[]): string[] {
  const seen = new Map<string, Json>();
  const problems: string[] = [];
  for (const { key, fields } of answers.flatMap((answer) => identified(answer))) {
    for (const [field, value] of Object.entries(fields)) {
      const slot = `${key}.${field}`;
      if (seen.has(slot) && JSON.stringify(seen.get(slot)) !== JSON.stringify(value))
        problems.push(`${slot}: ${JSON.stringify(seen.get(slot))} vs ${JSON.stringify(value)}`);
      seen.set(slot, value);
    }
  }
  return problems;
}

const ITEM = '__typename id instanceId sessionId name status rawStatus region';
const FAILING = '__typename id instanceId name region failures warnings lastFailureTime';

describe('(__typename, id) means one set of values', () => {
  it('holds over the dashboard, details and topFailingItems of two ranges', async () => {
    const dashboard = await stack.gql<{ sessions: { items: Array<{ id: string }> } }>(
      `{ sessions(filter: {types: [POLICY]}, page: {limit: 40}) { items { __typename id status usn protectedItems(page: {limit: 50}) { items { ${ITEM} } } } } }`,
    );
    expect(dashboard.errors).toBeUndefined();
    const ids = (dashboard.data?.sessions.items ?? []).slice(0, 15).map((s) => s.id);
    const details = await Promise.all(
      ids.map((id) =>
        stack.gql(
          `query ($id: ID!) { session(id: $id) { __typename id status usn protectedItems(page: {limit: 1000}) { items { ${ITEM} } } } }`,
          { id },
        ),
      ),
    );
    const q3 = await stack.gql(`{ topFailingItems(filter: {from: "2026-07-01", to: "2026-09-30T23:59:59Z"}, first: 30) { ${FAILING} } }`);
    const q4 = await stack.gql(`{ topFailingItems(filter: {from: "2026-10-01", to: "2026-10-31T23:59:59Z"}, first: 30) { ${FAILING} } }`);
    for (const answer of [...details, q3, q4]) expect(answer.errors).toBeUndefined();
    const answers = [dashboard, ...details, q3, q4].map((answer) => answer.data as Json);

    expect(conflicts(answers)).toEqual([]);

    // The test can fail: keyed by the instance id alone (the old rule), the same answers conflict.
    const byInstance = answers.map(
      (answer) => JSON.parse(JSON.stringify(answer).replace(/"id":"[^"]*","instanceId":"([^"]*)"/g, '"id":"$1","instanceId":"$1"')) as Json,
    );
    expect(conflicts(byInstance).length).toBeGreaterThan(0);
  });

  it('gives one instance a different ProtectedItem id in every session, and a different FailingItem id per range', async () => {
    const { instanceId, failedIn, succeededIn } = sharedInstance(stack.sim);
    const [a, b] = await Promise.all(
      [failedIn, succeededIn].map((id) =>
        stack.gql<{ session: { protectedItems: { items: Array<{ id: string; instanceId: string; sessionId: string }> } } }>(
          `{ session(id: "${id}") { protectedItems(page: {limit: 1000}) { items { id instanceId sessionId } } } }`,
        ),
      ),
    );
    const inA = a?.data?.session.protectedItems.items.find((item) => item.instanceId === instanceId);
    const inB = b?.data?.session.protectedItems.items.find((item) => item.instanceId === instanceId);
    expect(inA?.sessionId).toBe(failedIn);
    expect(inB?.sessionId).toBe(succeededIn);
    expect(inA?.id).toBeDefined();
    expect(inA?.id).not.toBe(inB?.id);

    const ranges = await Promise.all(
      ['{from: "2026-07-01", to: "2026-09-30T23:59:59Z"}', '{from: "2026-10-01", to: "2026-10-31T23:59:59Z"}'].map((filter) =>
        stack.gql<{ topFailingItems: Array<{ id: string; instanceId: string }> }>(
          `{ topFailingItems(filter: ${filter}, first: 100) { id instanceId } }`,
        ),
      ),
    );
    const [q3, q4] = ranges.map((r) => new Map((r.data?.topFailingItems ?? []).map((item) => [item.instanceId, item.id])));
    const inBoth = [...(q3?.keys() ?? [])].filter((id) => q4?.has(id));
    expect(inBoth.length).toBeGreaterThan(0);
    for (const id of inBoth) expect(q3?.get(id)).not.toBe(q4?.get(id));
  });
});

/**
 * Revision negotiation end to end (issue 10): with `auto` the gateway serves data from appliances
 * with different revision windows, names the revision in /readyz, follows a window change without
 * a restart, and refuses what the revision in use lacks before any data call.
 */
import { request } from 'undici';
import { startStack, type Stack } from '../helpers/stack';

const AUTO = { apiVersion: 'auto' };
const DATA_ENDPOINTS = ['GET /sessions', 'GET /sessions/{id}', 'GET /sessions/{id}/protectedItems', 'GET /sessions/{id}/log'];

async function readyz(stack: Stack): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await request(`${stack.gateway.url}/readyz`);
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

const dataCalls = (stack: Stack): number => DATA_ENDPOINTS.reduce((sum, endpoint) => sum + stack.sim.counters.get(endpoint), 0);

const LIST = '{ sessions(page: {limit: 3}) { totalCount items { id } } }';

describe.each([
  { window: ['1.0-rev0'], settles: '1.0-rev0', tokenCalls: 10 },
  { window: ['1.4-rev0', '1.5-rev0', '1.5-rev1', '1.6-rev0'], settles: '1.6-rev0', tokenCalls: 3 },
  { window: ['1.7-rev0', '1.8-rev0'], settles: '1.8-rev0', tokenCalls: 1 },
])('an appliance accepting only $window', ({ window, settles, tokenCalls }) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ simulator: { sessionCount: 120, acceptedApiVersions: window }, upstream: AUTO });
  });

  afterAll(async () => {
    await stack.close();
  });

  it(`serves data at ${settles}, negotiated once`, async () => {
    const result = await stack.gql<{ sessions: { totalCount: number; items: Array<{ id: string }> } }>(LIST);
    expect(result.errors).toBeUndefined();
    expect(result.data?.sessions.totalCount).toBe(stack.sim.data.sessionsAt(settles).length);
    expect(stack.gateway.upstream.revision).toBe(settles);
    // Newest first, one step down per refusal: the token calls are the refusals plus the login.
    expect(stack.sim.counters.get('POST /token')).toBe(tokenCalls);
    for (let i = 0; i < 3; i += 1) expect((await stack.gql(LIST)).errors).toBeUndefined();
    expect(stack.sim.counters.get('POST /token')).toBe(tokenCalls);
    const lastData = stack.sim.requests.filter((r) => r.endpoint === 'GET /sessions').pop();
    expect(lastData?.headers['x-api-version']).toBe(settles);
  });

  it('names the revision in /readyz', async () => {
    const ready = await readyz(stack);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ ready: true, revision: settles });
  });

  it('logs the settled revision once', () => {
    const settled = stack.logs.lines().filter((line) => line['revision'] === settles && /revision settled/.test(String(line['msg'])));
    expect(settled).toHaveLength(1);
  });
});

describe('a window change while running', () => {
  it('is followed without a restart: the next query renegotiates', async () => {
    const stack = await startStack({ simulator: { sessionCount: 120, acceptedApiVersions: ['1.7-rev0', '1.8-rev0'] }, upstream: AUTO });
    try {
      expect((await stack.gql(LIST)).errors).toBeUndefined();
      expect(stack.gateway.upstream.revision).toBe('1.8-rev0');
      stack.sim.setApiVersions(['1.4-rev0', '1.5-rev0', '1.5-rev1', '1.6-rev0']);
      const after = await stack.gql<{ sessions: { totalCount: number } }>(LIST);
      expect(after.errors).toBeUndefined();
      expect(after.data?.sessions.totalCount).toBe(stack.sim.data.sessionsAt('1.6-rev0').length);
      expect(stack.gateway.upstream.revision).toBe('1.6-rev0');
      expect((await readyz(stack)).body).toMatchObject({ ready: true, revision: '1.6-rev0' });
      // And back up: an upgrade is followed too.
      stack.sim.setApiVersions(['1.8-rev0']);
      expect((await stack.gql(LIST)).errors).toBeUndefined();
      expect(stack.gateway.upstream.revision).toBe('1.8-rev0');
    } finally {
      await stack.close();
    }
  });
});

describe('revision-aware requests against a 1.5 appliance', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ simulator: { sessionCount: 60, acceptedApiVersions: ['1.5-rev0'] }, upstream: AUTO });
  });

  afterAll(async () => {
    await stack.close();
  });

  beforeEach(() => {
    stack.sim.counters.reset();
  });

  it('refuses a 1.7-only session type with BAD_USER_INPUT naming 1.7-rev0, with 0 upstream data calls', async () => {
    const result = await stack.gql('{ sessions(filter: {types: [MANUAL_TASK]}) { totalCount } }');
    expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/ManualTask needs Veeam API revision 1\.7-rev0; the appliance speaks 1\.5-rev0/);
    expect(dataCalls(stack)).toBe(0);
  });

  it('refuses the ParentSessionId filter the same way, never dropping it silently', async () => {
    const result = await stack.gql('{ sessions(filter: {parentSessionId: "4a1f5b47-1f4d-4b6a-8e54-2e1b8d2c3f44"}) { totalCount } }');
    expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/ParentSessionId filter needs Veeam API revision 1\.7-rev0/);
    expect(dataCalls(stack)).toBe(0);
  });

  it('still serves what 1.5-rev0 has', async () => {
    const result = await stack.gql('{ sessions(filter: {types: [POLICY]}) { totalCount } }');
    expect(result.errors).toBeUndefined();
    expect(dataCalls(stack)).toBe(1);
  });
});

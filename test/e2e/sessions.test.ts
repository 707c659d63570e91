/**
 * The GraphQL API end to end: gateway + simulator over HTTP. Upstream load is read from the
 * simulator's own counters and recorded query strings.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { startStack, type Stack } from '../helpers/stack';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ env: { MAX_PAGE_LIMIT: '600' } });
});

afterAll(async () => {
  await stack.close();
});

beforeEach(() => {
  // Each test counts its own upstream calls: nothing may come from an earlier test's cache.
  stack.gateway.upstream.cache.clear();
  stack.sim.counters.reset();
  stack.sim.resetRequests();
  stack.sim.knobs.faultRules = [];
});

const dataCalls = (endpoint: string): number => stack.sim.counters.get(endpoint);
const queriesOf = (endpoint: string): string[] => stack.sim.requests.filter((r) => r.endpoint === endpoint).map((r) => r.query);

interface SessionsData {
  sessions: {
    totalCount: number;
    offset: number;
    limit: number;
    hasNextPage: boolean;
    items: Array<Record<string, unknown> & { id: string }>;
  };
}

describe('sessions(filter, sort, page) → the exact upstream query string', () => {
  it('sends the default: first 50, newest first, with a USN tie-breaker', async () => {
    const result = await stack.gql<SessionsData>('{ sessions { totalCount offset limit hasNextPage items { id } } }');
    expect(result.errors).toBeUndefined();
    expect(queriesOf('GET /sessions')).toEqual(['Offset=0&Limit=50&Sort=startTimeDesc&Sort=usnDesc']);
    expect(result.data?.sessions).toMatchObject({ totalCount: 500, offset: 0, limit: 50, hasNextPage: true });
    expect(result.data?.sessions.items).toHaveLength(50);
  });

  it('maps every filter, several sort keys and the page', async () => {
    const result = await stack.gql(
      `query ($filter: SessionFilter, $sort: [SessionSort!], $page: PageInput) {
        sessions(filter: $filter, sort: $sort, page: $page) { totalCount items { id } }
      }`,
      {
        filter: {
          status: ['FAILED', 'WARNING'],
          types: ['POLICY', 'FLR_TASK', 'CONFIGURATION_BACKUP_ACTIVITY'],
          usn: '9007199254740993',
          policyId: '3F0E4A36-0E3C-4A59-9D43-1D0A7C1B2E33',
          parentSessionId: '4a1f5b47-1f4d-4b6a-8e54-2e1b8d2c3f44',
          vmId: 'b7e9c1d2-2a3b-4c5d-8e6f-0a1b2c3d4e5f',
          from: '2026-10-01T02:00:00+02:00',
          to: '2026-10-31',
        },
        sort: [{ field: 'DURATION', direction: 'DESC' }, { field: 'TYPE' }, { field: 'REASON', direction: 'ASC' }],
        page: { offset: 7, limit: 3 },
      },
    );
    expect(result.errors).toBeUndefined();
    expect(queriesOf('GET /sessions')).toEqual([
      'Offset=7&Limit=3&Sort=durationDesc&Sort=typeAsc&Sort=reasonAsc&Sort=usnDesc' +
        '&Status=Failed&Status=Warning&Types=Policy&Types=FLRTask&Types=ConfigurationBackupActivity' +
        '&Usn=9007199254740993&PolicyId=3f0e4a36-0e3c-4a59-9d43-1d0a7c1b2e33' +
        '&ParentSessionId=4a1f5b47-1f4d-4b6a-8e54-2e1b8d2c3f44&VmId=b7e9c1d2-2a3b-4c5d-8e6f-0a1b2c3d4e5f' +
        '&FromUtc=2026-10-01T00%3A00%3A00.000Z&ToUtc=2026-10-31T00%3A00%3A00Z',
    ]);
  });

  it.each([
    ['START_TIME', 'ASC', 'Sort=startTimeAsc&Sort=usnAsc'],
    ['STOP_TIME', 'DESC', 'Sort=stopTimeDesc&Sort=usnDesc'],
    ['USN', 'ASC', 'Sort=usnAsc'],
  ])('sort %s %s → %s', async (field, direction, expected) => {
    await stack.gql('query ($s: [SessionSort!]) { sessions(sort: $s) { totalCount } }', { s: [{ field, direction }] });
    expect(queriesOf('GET /sessions')).toEqual([`Offset=0&Limit=50&${expected}`]);
  });

  it('returns what the appliance holds, in its order, with UTC times', async () => {
    const result = await stack.gql<SessionsData>(
      '{ sessions(filter: {status: [SUCCEEDED]}, page: {limit: 5}) { totalCount items { id status rawStatus startTime stopTime durationMs usn type } } }',
    );
    const expected = stack.sim.data.sessions
      .filter((s) => s.status === 'Succeeded')
      .sort((a, b) => (b.executionStartTime ?? '').localeCompare(a.executionStartTime ?? '') || b.usn - a.usn);
    expect(result.data?.sessions.totalCount).toBe(expected.length);
    expect(result.data?.sessions.items.map((s) => s.id)).toEqual(expected.slice(0, 5).map((s) => s.id));
    for (const item of result.data?.sessions.items ?? []) {
      expect(item).toMatchObject({ status: 'SUCCEEDED', rawStatus: 'Succeeded' });
      expect(item['startTime']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    }
  });

  it('assembles a page larger than the upstream page size from parallel upstream pages', async () => {
    const result = await stack.gql<SessionsData>('{ sessions(page: {offset: 10, limit: 450}) { limit hasNextPage items { id } } }');
    expect(result.errors).toBeUndefined();
    expect(queriesOf('GET /sessions').sort()).toEqual(
      [
        'Offset=10&Limit=200&Sort=startTimeDesc&Sort=usnDesc',
        'Offset=210&Limit=200&Sort=startTimeDesc&Sort=usnDesc',
        'Offset=410&Limit=50&Sort=startTimeDesc&Sort=usnDesc',
      ].sort(),
    );
    const ids = result.data?.sessions.items.map((s) => s.id) ?? [];
    expect(ids).toHaveLength(450);
    expect(new Set(ids).size).toBe(450);
    expect(result.data?.sessions.hasNextPage).toBe(true);
  });
});

describe('nested protectedItems through DataLoader', () => {
  const dashboard = `query ($limit: Int) {
    sessions(filter: {types: [POLICY]}, page: {limit: $limit}) {
      items {
        id
        protectedItems(page: {limit: 20}) { totalCount items { instanceId name status region } }
        again: protectedItems(page: {limit: 20}) { totalCount }
        ...More
      }
    }
  }
  fragment More on Session { protectedItems(page: {limit: 20}) { hasNextPage } }`;

  it('costs one list call plus one call per distinct session, whatever the aliases and fragments', async () => {
    const result = await stack.gql<SessionsData>(dashboard, { limit: 50 });
    expect(result.errors).toBeUndefined();
    const items = result.data?.sessions.items ?? [];
    expect(items).toHaveLength(50);
    const backupIds = new Set(
      items.filter((s) => stack.sim.data.sessions.find((d) => d.id === s.id)?._embedded?.backupJobInfo).map((s) => s.id),
    );
    expect(backupIds.size).toBeGreaterThan(0);
    expect(dataCalls('GET /sessions')).toBe(1);
    expect(dataCalls('GET /sessions/{id}/protectedItems')).toBe(backupIds.size);
    expect(queriesOf('GET /sessions/{id}/protectedItems').every((q) => q === 'Offset=0&Limit=20')).toBe(true);
    for (const session of items) {
      const page = session['protectedItems'] as { totalCount: number; items: Array<{ instanceId: string }> };
      const expected = stack.sim.data.protectedItems(session.id) ?? [];
      expect(page.totalCount).toBe(expected.length);
      expect(page.items.map((i) => i.instanceId)).toEqual(expected.slice(0, 20).map((i) => i.id));
      expect((session['again'] as { totalCount: number }).totalCount).toBe(expected.length);
    }
  });

  it('distinct arguments are distinct calls; identical ones in another field share', async () => {
    const id = stack.sim.data.sessions.find((s) => (stack.sim.data.protectedItems(s.id)?.length ?? 0) > 5)?.id;
    const result = await stack.gql(
      `query ($id: ID!) { session(id: $id) {
        a: protectedItems(search: "", page: {limit: 2}) { totalCount }
        b: protectedItems(page: {limit: 2}) { totalCount }
        c: protectedItems(sort: [{field: NAME, direction: DESC}], page: {limit: 2}) { items { name } }
        d: protectedItems(search: "web") { totalCount }
      } }`,
      { id },
    );
    expect(result.errors).toBeUndefined();
    expect(queriesOf('GET /sessions/{id}/protectedItems').sort()).toEqual(
      ['Offset=0&Limit=2', 'Offset=0&Limit=2&Sort=virtualMachineNameDesc', 'Offset=0&Limit=50&SearchPattern=web'].sort(),
    );
  });

  it('answers non-backup sessions with an empty page and no upstream call', async () => {
    const result = await stack.gql<SessionsData>(
      '{ sessions(filter: {types: [RETENTION_ACTIVITY, RESTORE_TASK]}, page: {limit: 20}) { items { id protectedItems { totalCount items { id } } } } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.sessions.items.length).toBeGreaterThan(0);
    for (const session of result.data?.sessions.items ?? []) {
      expect(session['protectedItems']).toEqual({ totalCount: 0, items: [] });
    }
    expect(dataCalls('GET /sessions/{id}/protectedItems')).toBe(0);
  });

  it("a failure of one session's items fails only that field, with an error at its path", async () => {
    const page = await stack.gql<SessionsData>('{ sessions(filter: {types: [POLICY]}, page: {limit: 10}) { items { id } } }');
    const ids = (page.data?.sessions.items ?? []).map((s) => s.id);
    const victimIndex = ids.findIndex((id) => (stack.sim.data.protectedItems(id)?.length ?? 0) > 0);
    const victim = ids[victimIndex];
    if (!victim) throw new Error('no backup session with items in the first page');
    stack.sim.knobs.faultRules = [{ pathIncludes: `${victim}/protectedItems`, status: 500, errorCode: 'UnknownError' }];
    const result = await stack.gql<SessionsData>(
      '{ sessions(filter: {types: [POLICY]}, page: {limit: 10}) { items { id protectedItems { totalCount } } } }',
    );
    expect(result.status).toBe(200);
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]).toMatchObject({
      path: ['sessions', 'items', victimIndex, 'protectedItems'],
      extensions: {
        code: 'UPSTREAM_ERROR',
        upstream: { status: 500, errorCode: 'UnknownError', endpoint: 'GET /sessions/{id}/protectedItems' },
      },
    });
    const items = result.data?.sessions.items ?? [];
    expect(items).toHaveLength(10);
    expect(items[victimIndex]?.['protectedItems']).toBeNull();
    expect(items.filter((s) => s['protectedItems'] !== null)).toHaveLength(9);
  });
});

describe('session(id) and log', () => {
  it('returns one session with its log, and null for an unknown id', async () => {
    const session = stack.sim.data.sessions[3];
    if (!session) throw new Error('no sessions');
    const result = await stack.gql<{ session: Record<string, unknown>; missing: null }>(
      `{ session(id: "${session.id}") { id usn log { time status rawStatus message } }
         missing: session(id: "00000000-0000-4000-8000-000000000000") { id } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.missing).toBeNull();
    const log = result.data?.session['log'] as Array<{ time: string; rawStatus: string }>;
    expect(log.length).toBe(stack.sim.data.log(session.id)?.log?.length);
    expect(log[0]?.time).toMatch(/Z$/);
    expect(dataCalls('GET /sessions/{id}')).toBe(2);
    expect(dataCalls('GET /sessions/{id}/log')).toBe(1);
  });
});

describe('invalid input never reaches the appliance', () => {
  it.each([
    ['a bad date', '{ sessions(filter: {from: "yesterday"}) { totalCount } }', /Invalid DateTime/],
    ['an impossible date', '{ sessions(filter: {to: "2026-02-30"}) { totalCount } }', /Invalid DateTime/],
    ['a malformed session id', '{ session(id: "not-a-uuid") { id } }', /id must be a UUID/],
    ['a malformed policy id', '{ sessions(filter: {policyId: "1; DROP"}) { totalCount } }', /filter.policyId must be a UUID/],
    ['a negative offset', '{ sessions(page: {offset: -1}) { totalCount } }', /page.offset must be 0 or more/],
    ['a limit above the maximum', '{ sessions(page: {limit: 601}) { totalCount } }', /page.limit must be at most 600/],
    ['from after to', '{ sessions(filter: {from: "2026-02-01", to: "2026-01-01"}) { totalCount } }', /is after/],
    ['an UNKNOWN filter', '{ sessions(filter: {status: [UNKNOWN]}) { totalCount } }', /cannot filter on UNKNOWN/],
    ['a repeated sort key', '{ sessions(sort: [{field: USN}, {field: USN, direction: DESC}]) { totalCount } }', /more than once/],
    ['an unknown enum value', '{ sessions(filter: {status: [EXPLODED]}) { totalCount } }', /EXPLODED/],
  ])('rejects %s with BAD_USER_INPUT or a validation error', async (_name, query, message) => {
    const result = await stack.gql(query);
    expect(result.errors?.[0]?.message).toMatch(message);
    expect(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']).toContain(result.errors?.[0]?.extensions?.['code']);
    expect(stack.sim.counters.total()).toBe(0);
  });

  it('rejects a bad date passed as a variable with a 400 before any upstream call', async () => {
    const result = await stack.gql('query ($f: DateTime) { sessions(filter: {from: $f}) { totalCount } }', { f: '2026-13-01' });
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(stack.sim.counters.total()).toBe(0);
  });
});

describe('the HTTP surface', () => {
  it('answers GET /graphql queries too', async () => {
    const response = await request(
      `${stack.gateway.url}/graphql?query=${encodeURIComponent('{ sessions(page:{limit:1}) { totalCount } }')}`,
      {
        headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
      },
    );
    expect(response.statusCode).toBe(200);
    expect(((await response.body.json()) as { data: { sessions: { totalCount: number } } }).data.sessions.totalCount).toBe(500);
  });

  it('compresses answers over 1 KiB with br or gzip as the client accepts, and says so in Vary', async () => {
    const body = JSON.stringify({
      query: '{ sessions(page: {limit: 50}) { items { id name type status usn startTime stopTime durationMs } } }',
    });
    const post = (acceptEncoding?: string) =>
      request(`${stack.gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}) },
        body,
      });
    const plain = await post();
    const text = await plain.body.text();
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(String(plain.headers['vary'])).toMatch(/accept-encoding/);
    for (const [accept, encoding, decode] of [
      ['gzip, deflate, br', 'br', brotliDecompressSync],
      ['gzip;q=1, br;q=0.5', 'gzip', gunzipSync],
    ] as const) {
      const response = await post(accept);
      const bytes = Buffer.from(await response.body.arrayBuffer());
      expect(response.headers['content-encoding']).toBe(encoding);
      expect(bytes.length).toBeLessThan(text.length / 3);
      expect(decode(bytes).toString('utf8')).toBe(text);
    }
    const small = await request(`${stack.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-encoding': 'br' },
      body: JSON.stringify({ query: '{ sessions(page: {limit: 1}) { totalCount } }' }),
    });
    expect(small.headers['content-encoding']).toBeUndefined(); // under 1 KiB: not worth it
    await small.body.dump();
  });

  it('refuses a mutation with OPERATION_NOT_SUPPORTED and a 400, before any upstream call', async () => {
    const result = await stack.gql('mutation { sessions { totalCount } }');
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.['code']).toBe('OPERATION_NOT_SUPPORTED');
    expect(stack.sim.counters.total()).toBe(0);
  });

  it('answers Long as a string and durations as numbers', async () => {
    const result = await stack.gql<SessionsData>(
      '{ sessions(filter: {status: [SUCCEEDED]}, page: {limit: 3}) { items { id usn durationMs } } }',
    );
    for (const session of result.data?.sessions.items ?? []) {
      const record = stack.sim.data.sessions.find((s) => s.id === session.id);
      expect(session['usn']).toBe(String(record?.usn));
      expect(session['durationMs']).toBe(record?.executionDuration);
    }
  });

  it('answers malformed JSON with a 400, not a 500', async () => {
    const response = await request(`${stack.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(response.statusCode).toBe(400);
    expect(await response.body.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('reports health and readiness', async () => {
    const health = await request(`${stack.gateway.url}/healthz`);
    expect(health.statusCode).toBe(200);
    await health.body.dump();
    const ready = await request(`${stack.gateway.url}/readyz`);
    expect(ready.statusCode).toBe(200);
    expect(await ready.body.json()).toMatchObject({ ready: true });
  });

  it('never hands a Veeam token or the password to a client', async () => {
    stack.sim.knobs.faultRules = [{ pathIncludes: '/sessions', status: 401, errorCode: 'InvalidToken', times: 4 }];
    const result = await stack.gql('{ sessions(page: {limit: 3}) { items { id protectedItems { totalCount } log { message } } } }');
    const text = JSON.stringify(result);
    expect(text).not.toContain(stack.sim.credentials.password);
    for (const token of stack.sim.issuedTokens()) expect(text).not.toContain(token);
    expect(text).not.toContain('Bearer');
    expect(text).not.toContain(stack.sim.origin);
  });
});

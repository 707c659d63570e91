/**
 * Protected items against appliance answers the simulator does not give (a fake appliance: see
 * test/helpers/fake-appliance.ts): a session record naming only a job-info link this gateway does
 * not know still gets its items; a page spanning several upstream slices reads every slice in one
 * explicit order; an int64 past 2^53 is refused rather than rounded.
 */
import { request } from 'undici';
import type { Gateway } from '../../src/http/gateway';
import type { ProtectedItemDto } from '../../src/upstream/dto';
import { gatewayFor, startFakeAppliance, type FakeAppliance } from '../helpers/fake-appliance';
import { captureLogs } from '../helpers/upstream';

const RDS_SESSION = '6f1d2c3b-4a59-4e0d-9b1a-0c2d3e4f5a61';
const FUTURE_SESSION = '6f1d2c3b-4a59-4e0d-9b1a-0c2d3e4f5a62';
const RETENTION_SESSION = '6f1d2c3b-4a59-4e0d-9b1a-0c2d3e4f5a63';
const BIG_SESSION = '6f1d2c3b-4a59-4e0d-9b1a-0c2d3e4f5a64';
const HUGE_USN_SESSION = '6f1d2c3b-4a59-4e0d-9b1a-0c2d3e4f5a65';
const MAX_USN_SESSION = '6f1d2c3b-4a59-4e0d-9b1a-0c2d3e4f5a66';
const JOB_SESSION = '6f1d2c3b-4a59-4e0d-9b1a-0c2d3e4f5a67';

const link = (id: string, rel: string) => ({ method: 'GET', rel, href: `https://appliance:11005/api/v1/sessions/${id}/${rel}` });

function session(id: string, type: string, usn: number, embedded: Record<string, unknown>): Record<string, unknown> {
  return {
    id,
    type,
    status: 'Succeeded',
    result: 'Success',
    usn,
    executionStartTime: '2026-10-01T04:00:05.901095',
    executionStopTime: '2026-10-01T04:10:05.901095',
    executionDuration: 600_000,
    _embedded: embedded,
  };
}

function items(count: number, prefix: string): ProtectedItemDto[] {
  const regions = ['eu-west-1', 'us-east-1', 'ap-south-1'];
  // Names repeat (every 150th) in other regions: name alone is not an order, name then region is.
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${String(i).padStart(4, '0')}`,
    name: `vm-${String((i * 7) % 150).padStart(3, '0')}`,
    status: 'Succeeded',
    region: regions[Math.floor(i / 150) % regions.length] ?? 'eu-west-1',
  }));
}

const rdsItems = items(3, 'rds');
const futureItems = items(2, 'future');
const bigItems = items(450, 'big');

let fake: FakeAppliance;
let gateway: Gateway;
const logs = captureLogs('info');

beforeAll(async () => {
  fake = await startFakeAppliance({
    // A later revision's RDS policy session: its record names an RDS job-info link, no backupJobInfo.
    [RDS_SESSION]: {
      record: session(RDS_SESSION, 'Policy', 1, { rdsBackupJobInfo: link(RDS_SESSION, 'RdsBackupJobInfo') }),
      items: rdsItems,
    },
    // A session type and link no known revision has.
    [FUTURE_SESSION]: {
      record: session(FUTURE_SESSION, 'VpcBackupPolicy', 2, { vpcBackupJobInfo: link(FUTURE_SESSION, 'VpcBackupJobInfo') }),
      items: futureItems,
    },
    [RETENTION_SESSION]: {
      record: session(RETENTION_SESSION, 'RetentionActivity', 3, {
        retentionJobDeletedRestorePoints: link(RETENTION_SESSION, 'deletedItems'),
      }),
    },
    // Not known to protect nothing, so asked; this appliance answers 404 (no items).
    [JOB_SESSION]: { record: session(JOB_SESSION, 'Job', 5, {}) },
    [BIG_SESSION]: {
      record: session(BIG_SESSION, 'Policy', 4, { backupJobInfo: link(BIG_SESSION, 'protectedItems') }),
      items: bigItems,
    },
  });
  gateway = await gatewayFor(fake, logs.logger, { VEEAM_PAGE_SIZE: '200' });
});

afterAll(async () => {
  await gateway.close();
  await fake.close();
});

beforeEach(() => {
  fake.calls.length = 0;
  gateway.upstream.cache.clear();
});

interface Result<D> {
  data?: D | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

async function gql<D>(query: string): Promise<Result<D>> {
  const response = await request(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return (await response.body.json()) as Result<D>;
}

const itemCalls = (id: string): string[] =>
  fake.calls.filter((c) => c.path === `/api/v1/sessions/${id}/protectedItems`).map((c) => c.query);

type ItemsPage = { totalCount: number; items: Array<{ instanceId: string }> };

describe('"protects nothing" is decided only from what is known for sure', () => {
  it('a session whose record names only an unknown job-info link still gets its items', async () => {
    const result = await gql<{ session: { protectedItems: ItemsPage } }>(
      `{ session(id: "${RDS_SESSION}") { protectedItems { totalCount items { instanceId } } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.session.protectedItems).toEqual({ totalCount: 3, items: rdsItems.map((item) => ({ instanceId: item.id })) });
  });

  it('in a list: unknown links and unknown types are asked, a retention activity is not', async () => {
    const result = await gql<{ sessions: { items: Array<{ id: string; type: string; protectedItems: ItemsPage }> } }>(
      '{ sessions(page: {limit: 10}) { items { id type protectedItems { totalCount items { instanceId } } } } }',
    );
    expect(result.errors).toBeUndefined();
    const byId = new Map((result.data?.sessions.items ?? []).map((s) => [s.id, s]));
    expect(byId.get(RDS_SESSION)?.protectedItems.totalCount).toBe(3);
    expect(byId.get(FUTURE_SESSION)).toMatchObject({ type: 'UNKNOWN', protectedItems: { totalCount: 2 } });
    expect(byId.get(FUTURE_SESSION)?.protectedItems.items.map((i) => i.instanceId)).toEqual(futureItems.map((i) => i.id));
    expect(byId.get(RETENTION_SESSION)?.protectedItems).toEqual({ totalCount: 0, items: [] });
    expect(itemCalls(RETENTION_SESSION)).toEqual([]);
    expect(itemCalls(RDS_SESSION)).toHaveLength(1);
    expect(itemCalls(FUTURE_SESSION)).toHaveLength(1);
  });

  it('a session asked and answered 404 is an empty page, and the 404 is kept like items', async () => {
    const query = `{ session(id: "${JOB_SESSION}") { protectedItems { totalCount items { instanceId } } } }`;
    for (let i = 0; i < 2; i += 1) {
      const result = await gql<{ session: { protectedItems: ItemsPage } }>(query);
      expect(result.errors).toBeUndefined();
      expect(result.data?.session.protectedItems).toEqual({ totalCount: 0, items: [] });
    }
    expect(itemCalls(JOB_SESSION)).toEqual(['Offset=0&Limit=50']);
    // An answer, not a failure: counted by status, never a warning on every dashboard that shows it.
    const upstreamLines = logs.lines().filter((line) => line['component'] === 'upstream' && line['status'] === 404);
    expect(upstreamLines).toEqual([]);
    const metrics = await (await request(`${gateway.url}/metrics`)).body.text();
    expect(metrics).toMatch(/veeam_gateway_upstream_calls_total\{endpoint="GET \/sessions\/\{id\}\/protectedItems",status="404"\} [1-9]/);
  });

  it('the items export reads them too', async () => {
    const response = await request(`${gateway.url}/export/protected-items.csv`);
    const text = await response.body.text();
    expect(response.statusCode).toBe(200);
    for (const item of [...rdsItems, ...futureItems]) expect(text).toContain(item.id);
  });
});

describe('a page spanning several upstream slices', () => {
  const TOTAL_ORDER = 'Sort=virtualMachineNameAsc&Sort=regionAsc';

  const expectedOrder = (compare: (a: ProtectedItemDto, b: ProtectedItemDto) => number): string[] =>
    [...bigItems].sort(compare).map((item) => item.id);
  const byName = (a: ProtectedItemDto, b: ProtectedItemDto): number => a.name.localeCompare(b.name, 'en');
  const byRegion = (a: ProtectedItemDto, b: ProtectedItemDto): number => (a.region ?? '').localeCompare(b.region ?? '', 'en');

  it('450 items at VEEAM_PAGE_SIZE 200: every slice is read with an explicit Sort and a tie-breaker', async () => {
    const result = await gql<{ session: { protectedItems: ItemsPage } }>(
      `{ session(id: "${BIG_SESSION}") { protectedItems(page: {limit: 450}) { totalCount items { instanceId } } } }`,
    );
    expect(result.errors).toBeUndefined();
    // The first call is the client's own (it tells the total); the page is then read whole in one order.
    expect(itemCalls(BIG_SESSION)).toEqual([
      'Offset=0&Limit=200',
      `Offset=0&Limit=200&${TOTAL_ORDER}`,
      `Offset=200&Limit=200&${TOTAL_ORDER}`,
      `Offset=400&Limit=50&${TOTAL_ORDER}`,
    ]);
    const ids = result.data?.session.protectedItems.items.map((item) => item.instanceId) ?? [];
    expect(new Set(ids).size).toBe(450);
    expect(ids).toEqual(expectedOrder((a, b) => byName(a, b) || byRegion(a, b)));
  });

  it("keeps the client's sort first and adds only the tie-breakers it lacks", async () => {
    const result = await gql<{ session: { protectedItems: ItemsPage } }>(
      `{ session(id: "${BIG_SESSION}") { protectedItems(sort: [{field: REGION, direction: DESC}], page: {limit: 450}) { items { instanceId } } } }`,
    );
    expect(result.errors).toBeUndefined();
    const sliced = itemCalls(BIG_SESSION).slice(1);
    expect(sliced).toEqual([
      'Offset=0&Limit=200&Sort=regionDesc&Sort=virtualMachineNameAsc',
      'Offset=200&Limit=200&Sort=regionDesc&Sort=virtualMachineNameAsc',
      'Offset=400&Limit=50&Sort=regionDesc&Sort=virtualMachineNameAsc',
    ]);
    const ids = result.data?.session.protectedItems.items.map((item) => item.instanceId) ?? [];
    expect(ids).toEqual(expectedOrder((a, b) => -byRegion(a, b) || byName(a, b)));
  });

  it('a page that fits one slice keeps the client’s request exactly', async () => {
    const result = await gql<{ session: { protectedItems: ItemsPage } }>(
      `{ session(id: "${RDS_SESSION}") { protectedItems(page: {limit: 450}) { totalCount } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(itemCalls(RDS_SESSION)).toEqual(['Offset=0&Limit=200']);
  });
});

describe('Long values past 2^53', () => {
  let longs: FakeAppliance;
  let longGateway: Gateway;

  beforeAll(async () => {
    longs = await startFakeAppliance({
      // As text: JSON.parse would silently make this 9007199254740992.
      [HUGE_USN_SESSION]: {
        record: `{"id":"${HUGE_USN_SESSION}","type":"Policy","status":"Succeeded","usn":9007199254740993,"_embedded":{}}`,
      },
      [MAX_USN_SESSION]: {
        record: `{"id":"${MAX_USN_SESSION}","type":"Policy","status":"Succeeded","usn":9007199254740991,"_embedded":{}}`,
      },
    });
    longGateway = await gatewayFor(longs, captureLogs('info').logger);
  });

  afterAll(async () => {
    await longGateway.close();
    await longs.close();
  });

  async function usnOf(id: string): Promise<Result<{ session: { usn: string } | null }>> {
    const response = await request(`${longGateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ session(id: "${id}") { usn } }` }),
    });
    return (await response.body.json()) as Result<{ session: { usn: string } | null }>;
  }

  it('a usn of 9007199254740993 is refused as UPSTREAM_BAD_RESPONSE, never rounded', async () => {
    const result = await usnOf(HUGE_USN_SESSION);
    expect(result.data?.session ?? null).toBeNull();
    expect(result.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_BAD_RESPONSE');
    expect(JSON.stringify(result)).not.toContain('9007199254740992');
  });

  it('2^53 - 1 passes exactly', async () => {
    const result = await usnOf(MAX_USN_SESSION);
    expect(result.errors).toBeUndefined();
    expect(result.data?.session?.usn).toBe('9007199254740991');
  });
});

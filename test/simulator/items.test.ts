/**
 * A session's protected items (plural path and the seeds' singular alias) and its log, checked
 * against brute force over the simulator's own data.
 */
import {
  LOG_ITEM_STATUSES,
  PROTECTED_ITEM_SORT_COLUMNS,
  type ProtectedItemDto,
  type ProtectedItemsPageDto,
  type SessionDto,
  type SessionLogDto,
} from '../../src/upstream/dto';
import { startSimulator, type Simulator } from '../../src/simulator';
import { get, login } from '../helpers/sim-client';

let sim: Simulator;
let token: string;

beforeAll(async () => {
  sim = await startSimulator({ sessionCount: 600, anchor: new Date('2026-06-01T00:00:00Z'), seed: 11 });
  token = (await login(sim)).access;
});

afterAll(async () => {
  await sim.close();
});

const itemsOf = (id: string, query = '', path = 'sessions', version?: string) =>
  get<ProtectedItemsPageDto>(sim, token, `/api/v1/${path}/${id}/protectedItems${query ? `?${query}` : ''}`, version);
/** The backup session with the most items, so that sorting and paging have something to do. */
function busiest(): SessionDto {
  let best: SessionDto | undefined;
  for (const session of sim.data.sessions) {
    if ((sim.data.protectedItems(session.id)?.length ?? -1) > (best ? (sim.data.protectedItems(best.id)?.length ?? -1) : -1))
      best = session;
  }
  if (!best) throw new Error('no backup session');
  return best;
}

const ITEM_KEYS: Record<string, (i: ProtectedItemDto) => string | number> = {
  virtualMachineName: (i) => i.name,
  region: (i) => i.region ?? '',
  succeeded: (i) => (i.status === 'Succeeded' ? 1 : 0),
  failed: (i) => (i.status === 'Failed' ? 1 : 0),
};
function sortedItems(items: readonly ProtectedItemDto[], sorts: readonly string[]): ProtectedItemDto[] {
  const compare = (x: string | number, y: string | number) =>
    typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'en');
  return [...items].sort((a, b) => {
    for (const sort of sorts) {
      const key = ITEM_KEYS[sort.replace(/(Asc|Desc)$/, '')];
      if (!key) throw new Error(`model has no key for ${sort}`);
      const order = compare(key(a), key(b));
      if (order !== 0) return sort.endsWith('Desc') ? -order : order;
    }
    return a.name.localeCompare(b.name, 'en') || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
}

describe('GET /sessions/{id}/protectedItems', () => {
  it("lists the items in the appliance's default order, on the plural path and the singular alias alike", async () => {
    const session = busiest();
    const expected = sim.data.protectedItems(session.id) ?? [];
    expect(expected.length).toBeGreaterThanOrEqual(20);
    sim.counters.reset();
    const plural = await itemsOf(session.id);
    const singular = await itemsOf(session.id, '', 'session');
    expect(plural.status).toBe(200);
    expect(plural.body).toEqual({
      totalCount: expected.length,
      results: expected,
      _links: [{ method: 'GET', rel: 'self', href: `${sim.url}/sessions/${session.id}/protectedItems` }],
    });
    expect(singular.body.results).toEqual(plural.body.results);
    expect(sim.counters.get('GET /sessions/{id}/protectedItems')).toBe(2);
    expect(sim.counters.snapshot()).toEqual({ 'GET /sessions/{id}/protectedItems': 2 });
  });

  it('shapes items as the spec does: stable instance ids, names, regions and _embedded links', () => {
    const seen = new Map<string, string>();
    const wrong: string[] = [];
    for (const session of sim.data.sessions) {
      for (const item of sim.data.protectedItems(session.id) ?? []) {
        const identity = `${item.name}|${item.region}`;
        // Collected, not asserted one by one: thousands of expect() calls would dominate the suite's time.
        if (
          !/^[a-z]+-(prod|stage|dev)-\d{3}$/.test(item.name) ||
          !/^(us|eu|ap)-[a-z]+-\d$/.test(item.region ?? '') ||
          item._embedded?.virtualMachine?.href !== `${sim.url}/virtualMachines/${item.id}` ||
          item._embedded?.region?.href !== `${sim.url}/regions/${item.region}` ||
          (seen.get(item.id) ?? identity) !== identity
        ) {
          wrong.push(JSON.stringify(item));
        }
        seen.set(item.id, identity);
      }
    }
    expect(wrong).toEqual([]);
    // A fixed fleet of a few hundred instances, each protected in many sessions.
    expect(seen.size).toBeGreaterThan(50);
    expect(seen.size).toBeLessThanOrEqual(300);
  });

  it('has 0–50 items per backup session and none for others, with statuses consistent with the session', () => {
    let withItems = 0;
    for (const session of sim.data.sessions) {
      const items = sim.data.protectedItems(session.id);
      if (!['Policy', 'UserPolicy'].includes(session.type)) {
        expect(items).toBeUndefined();
        continue;
      }
      expect(items?.length).toBeLessThanOrEqual(50);
      const statuses = new Set(items?.map((i) => i.status));
      if (items && items.length > 0) withItems += 1;
      if (session.status === 'Succeeded' || session.status === 'Running') expect([...statuses].every((s) => s === 'Succeeded')).toBe(true);
      if (session.status === 'Failed' && items && items.length > 0) expect(statuses).toContain('Failed');
      if (session.status === 'Warning' && items && items.length > 0) {
        expect(statuses).toContain('Warning');
        expect(statuses).not.toContain('Failed');
      }
    }
    expect(withItems).toBeGreaterThan(100);
  });

  it('searches names case-insensitively (contains)', async () => {
    const session = busiest();
    const items = sim.data.protectedItems(session.id) ?? [];
    const needle = (items[3]?.name ?? '').slice(2, 6);
    const found = await itemsOf(session.id, `SearchPattern=${needle.toUpperCase()}`);
    const expected = items.filter((i) => i.name.toLowerCase().includes(needle.toLowerCase()));
    expect(expected.length).toBeGreaterThan(0);
    expect(found.body.totalCount).toBe(expected.length);
    expect(found.body.results).toEqual(expected);
    expect((await itemsOf(session.id, 'SearchPattern=zz-no-such-name')).body).toMatchObject({ totalCount: 0, results: [] });
    expect((await itemsOf(session.id, 'SearchPattern=')).body.totalCount).toBe(items.length);
  });

  const sortCases: string[][] = [
    ...PROTECTED_ITEM_SORT_COLUMNS.map((column) => [column]),
    ['regionDesc', 'virtualMachineNameAsc'],
    ['failedDesc', 'regionAsc'],
  ];
  it.each(sortCases.map((sorts): [string[]] => [sorts]))('sorts by %j (tie-break name, then id)', async (sorts) => {
    const session = sim.data.sessions.find((s) => s.status === 'Failed' && (sim.data.protectedItems(s.id)?.length ?? 0) >= 10) ?? busiest();
    const items = sim.data.protectedItems(session.id) ?? [];
    const response = await itemsOf(session.id, `${sorts.map((s) => `Sort=${s}`).join('&')}&Limit=-1`);
    expect(response.body.results.map((i) => i.id)).toEqual(sortedItems(items, sorts).map((i) => i.id));
  });

  it('pages with Offset and Limit (-1 = all), totalCount before paging', async () => {
    const session = busiest();
    const items = sim.data.protectedItems(session.id) ?? [];
    const sorted = sortedItems(items, ['virtualMachineNameDesc']);
    for (const [query, from, to] of [
      ['Offset=2&Limit=5', 2, 7],
      ['Offset=4&Limit=-1', 4, items.length],
      ['Limit=3', 0, 3],
    ] as const) {
      const page = await itemsOf(session.id, `Sort=virtualMachineNameDesc&${query}`);
      expect(page.body.totalCount).toBe(items.length);
      expect(page.body.results).toEqual(sorted.slice(from, to));
    }
    const newer = await get<ProtectedItemsPageDto>(
      sim,
      (await login(sim, '1.8-rev0')).access,
      `/api/v1/sessions/${session.id}/protectedItems?Offset=1&Limit=2`,
      '1.8-rev0',
    );
    expect(newer.body).toMatchObject({ offset: 1, limit: 2 });
    expect((await itemsOf(session.id, 'Offset=1&Limit=2')).body).not.toHaveProperty('offset');
  });

  it('answers 404 NotFound for an unknown session and for a known non-backup one, 400 for bad input', async () => {
    const unknown = await itemsOf('00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ status: 404, errorCode: 'NotFound' });
    for (const type of ['RetentionActivity', 'RestoreTask', 'ConfigurationBackupActivity']) {
      const session = sim.data.sessions.find((s) => s.type === type);
      if (!session) throw new Error(`no ${type} session`);
      expect((await itemsOf(session.id)).status).toBe(404);
      expect((await itemsOf(session.id, '', 'session')).status).toBe(404);
    }
    expect((await itemsOf('nope')).status).toBe(400);
    expect((await itemsOf(busiest().id, 'Sort=nameAsc')).status).toBe(400);
    expect((await itemsOf(busiest().id, 'Limit=-2')).status).toBe(400);
  });
});

describe('GET /sessions/{id}/log', () => {
  it('serves 3–12 deterministic entries with zone-less times for every kind of session', async () => {
    const kinds = ['Policy', 'RetentionActivity', 'RestoreTask'].map((type) => sim.data.sessions.find((s) => s.type === type));
    const running = sim.data.sessions.find((s) => s.status === 'Running');
    for (const session of [...kinds, running]) {
      if (!session) throw new Error('missing session kind');
      const response = await get<SessionLogDto>(sim, token, `/api/v1/sessions/${session.id}/log`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(sim.data.log(session.id));
      expect(response.body.sessionId).toBe(session.id);
      const log = response.body.log ?? [];
      expect(log.length).toBeGreaterThanOrEqual(3);
      expect(log.length).toBeLessThanOrEqual(12);
      for (const entry of log) {
        expect(entry.logTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
        expect(entry.executionStartTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
        expect(LOG_ITEM_STATUSES).toContain(entry.status);
        expect(entry.executionDuration).toEqual(expect.any(Number));
      }
    }
    const failed = sim.data.sessions.find((s) => s.status === 'Failed');
    expect(sim.data.log(failed?.id ?? '')?.log?.at(-1)?.status).toBe('Error');
  });

  it('answers 404 for an unknown session and 400 for a malformed id', async () => {
    expect((await get(sim, token, '/api/v1/sessions/00000000-0000-4000-8000-000000000000/log')).body).toMatchObject({
      status: 404,
      errorCode: 'NotFound',
    });
    expect((await get(sim, token, '/api/v1/sessions/12/log')).status).toBe(400);
    expect(sim.data.log('00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });
});

/**
 * The simulator's session reads checked against brute force over its own data: every filter,
 * multi-key Sort, paging, validation, and the shapes the spec documents.
 */
import type { ProtectedItemDto, SessionDto, SessionsPageDto } from '../../src/upstream/dto';
import { startSimulator, type Simulator } from '../../src/simulator';
import { get, login } from '../helpers/sim-client';

let sim: Simulator;
let token: string;

beforeAll(async () => {
  sim = await startSimulator({ sessionCount: 800, anchor: new Date('2026-11-01T00:00:00Z'), seed: 7 });
  token = (await login(sim)).access;
});

afterAll(async () => {
  await sim.close();
});

const list = (query: string, version?: string) => get<SessionsPageDto>(sim, token, `/api/v1/sessions?${query}`, version);
const startMs = (s: SessionDto) => (s.executionStartTime ? Date.parse(`${s.executionStartTime}Z`) : -Infinity);
const ids = (sessions: readonly SessionDto[]) => sessions.map((s) => s.id);

describe('GET /sessions', () => {
  it('returns every session with totalCount when no parameter is given (Limit absent = all)', async () => {
    const response = await list('');
    expect(response.status).toBe(200);
    expect(response.body.totalCount).toBe(800);
    expect(response.body.results).toHaveLength(800);
    expect(response.body).not.toHaveProperty('offset');
  });

  it('filters by Status and Types (repeated keys, OR within, AND across)', async () => {
    const response = await list('Status=Failed&Status=Warning&Types=Policy&Types=UserPolicy&Limit=-1');
    const expected = sim.data.sessions.filter(
      (s) => ['Failed', 'Warning'].includes(s.status) && ['Policy', 'UserPolicy'].includes(s.type),
    );
    expect(expected.length).toBeGreaterThan(10);
    expect(response.body.totalCount).toBe(expected.length);
    expect(new Set(ids(response.body.results))).toEqual(new Set(ids(expected)));
  });

  it('filters by FromUtc/ToUtc on the start time, inclusive, with or without a zone', async () => {
    const from = '2026-09-01T00:00:00Z';
    const to = '2026-09-15T12:00:00';
    const expected = sim.data.sessions.filter((s) => startMs(s) >= Date.parse(from) && startMs(s) <= Date.parse(`${to}Z`));
    const response = await list(`FromUtc=${encodeURIComponent(from)}&ToUtc=${to}`);
    expect(response.body.totalCount).toBe(expected.length);
    expect((await list('FromUtc=2026-09-01&ToUtc=2026-09-15T12:00:00%2B00:00')).body.totalCount).toBe(expected.length);
  });

  it('filters by Usn, PolicyId, ParentSessionId and VmId', async () => {
    const target = sim.data.sessions[123];
    if (!target) throw new Error('no session');
    expect(ids((await list(`Usn=${target.usn}`)).body.results)).toEqual([target.id]);

    const backup = sim.data.sessions.find((s) => (sim.data.protectedItems(s.id)?.length ?? 0) > 0);
    const policyId = backup ? sim.data.policyId(backup.id) : undefined;
    if (!policyId) throw new Error('no backup session with a policy');
    const ofPolicy = sim.data.sessions.filter((s) => sim.data.policyId(s.id) === policyId);
    expect(ofPolicy.length).toBeGreaterThan(1);
    expect(new Set(ids((await list(`PolicyId=${policyId}&Limit=-1`)).body.results))).toEqual(new Set(ids(ofPolicy)));

    const child = sim.data.sessions.find((s) => sim.data.parentSessionId(s.id) !== undefined);
    const parentId = child ? sim.data.parentSessionId(child.id) : undefined;
    if (!parentId) throw new Error('no child session');
    const children = sim.data.sessions.filter((s) => sim.data.parentSessionId(s.id) === parentId);
    expect(ids((await list(`ParentSessionId=${parentId}&Limit=-1`)).body.results).sort()).toEqual(ids(children).sort());

    const instance = backup ? sim.data.protectedItems(backup.id)?.[0] : undefined;
    if (!instance) throw new Error('no protected item');
    const withVm = sim.data.sessions.filter((s) => sim.data.protectedItems(s.id)?.some((i) => i.id === instance.id));
    const byVm = await list(`VmId=${instance.id}&Limit=-1`);
    expect(byVm.body.totalCount).toBe(withVm.length);
    expect(byVm.body.totalCount).toBeGreaterThan(1);

    const none = await list('ParentSessionId=00000000-0000-4000-8000-000000000000');
    expect(none.body.totalCount).toBe(0);
  });

  it('sorts by several keys in order, then pages with Offset/Limit', async () => {
    const response = await list('Sort=typeAsc&Sort=durationDesc&Offset=10&Limit=25');
    const sorted = [...sim.data.sessions].sort(
      (a, b) =>
        a.type.localeCompare(b.type, 'en') ||
        (b.executionDuration ?? -Infinity) - (a.executionDuration ?? -Infinity) ||
        a.id.localeCompare(b.id),
    );
    expect(response.body.totalCount).toBe(800);
    expect(ids(response.body.results)).toEqual(ids(sorted.slice(10, 35)));
  });

  it('puts sessions without a stop time first ascending and last descending', async () => {
    const asc = (await list('Sort=stopTimeAsc&Limit=-1')).body.results;
    const desc = (await list('Sort=stopTimeDesc&Limit=-1')).body.results;
    const running = sim.data.sessions.filter((s) => s.executionStopTime === undefined).length;
    expect(running).toBeGreaterThan(0);
    expect(asc.slice(0, running).every((s) => s.executionStopTime === undefined)).toBe(true);
    expect(desc.slice(-running).every((s) => s.executionStopTime === undefined)).toBe(true);
  });

  it.each([
    ['Offset=-1', 'Offset'],
    ['Limit=-2', 'Limit'],
    ['Limit=ten', 'Limit'],
    ['Sort=newest', 'Sort'],
    ['Status=Exploded', 'Status'],
    ['Types=Policies', 'Types'],
    ['PolicyId=42', 'PolicyId'],
    ['FromUtc=yesterday', 'FromUtc'],
    ['Usn=1e3', 'Usn'],
  ])('rejects %s with a 400 validation problem', async (query, name) => {
    const response = await list(query);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ status: 400, type: `${sim.origin}/api/v1/problems/validationError` });
    expect(JSON.stringify(response.body)).toContain(name);
  });

  it('reads parameter names case-insensitively, as ASP.NET does', async () => {
    expect((await list('limit=3&sort=usnDesc')).body.results.map((s) => s.usn)).toEqual([800, 799, 798]);
  });

  it('writes zone-less microsecond timestamps, and no stop time or duration while running', async () => {
    const all = (await list('Limit=-1')).body.results;
    for (const session of all.filter((s) => s.executionStartTime !== undefined).slice(0, 50)) {
      expect(session.executionStartTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
    }
    const running = all.filter((s) => s.status === 'Running');
    expect(running.length).toBeGreaterThan(0);
    for (const session of running) {
      expect(session).toMatchObject({ result: 'Running' });
      expect(session.executionStopTime).toBeUndefined();
      expect(session.executionDuration).toBeUndefined();
    }
  });

  it('embeds backupJobInfo only on backup sessions, and only the keys that apply', async () => {
    for (const session of (await list('Limit=-1')).body.results) {
      const keys = Object.keys(session._embedded ?? {});
      if (['Policy', 'UserPolicy'].includes(session.type)) expect(keys).toEqual(['backupJobInfo']);
      else if (['RestoreTask', 'FLRTask', 'FlrEfsTask'].includes(session.type)) expect(keys).toEqual(['restoreJobInfo']);
      else if (['RetentionActivity', 'TombstoneRetention'].includes(session.type)) expect(keys).toEqual(['retentionJobDeletedRestorePoints']);
      else expect(keys).toEqual([]);
      expect(session._links?.map((l) => l.rel)).toEqual(['self', 'SessionLogs']);
      expect(session._links?.[0]?.href).toBe(`${sim.origin}/api/v1/sessions/${session.id}`);
    }
  });

  it('sends name and extendedSessionType from 1.5-rev0, offset and limit from 1.8-rev0', async () => {
    const old = (await list('Limit=1', '1.0-rev0')).body;
    expect(old.results[0]).not.toHaveProperty('name');
    const newer = (await get<SessionsPageDto>(sim, (await login(sim, '1.8-rev0')).access, '/api/v1/sessions?Limit=1&Offset=2', '1.8-rev0')).body;
    expect(newer.results[0]).toEqual(expect.objectContaining({ name: expect.any(String), extendedSessionType: expect.any(String) }));
    expect(newer).toMatchObject({ offset: 2, limit: 1 });
  });
});

describe('one session, its items and its log', () => {
  const backup = () => {
    const found = sim.data.sessions.find((s) => (sim.data.protectedItems(s.id)?.length ?? 0) >= 5);
    if (!found) throw new Error('no backup session with 5+ items');
    return found;
  };

  it('gets a session by id; 404 unknown; 400 malformed', async () => {
    const session = backup();
    expect((await get<SessionDto>(sim, token, `/api/v1/sessions/${session.id}`)).body.id).toBe(session.id);
    expect((await get(sim, token, '/api/v1/sessions/00000000-0000-4000-8000-000000000000')).body).toMatchObject({ status: 404, errorCode: 'NotFound' });
    expect((await get(sim, token, '/api/v1/sessions/not-a-uuid')).status).toBe(400);
  });

  it('lists protected items on the plural path and the seeds\' singular alias alike', async () => {
    const session = backup();
    const plural = await get<{ totalCount: number; results: ProtectedItemDto[] }>(sim, token, `/api/v1/sessions/${session.id}/protectedItems`);
    const singular = await get<{ totalCount: number; results: ProtectedItemDto[] }>(sim, token, `/api/v1/session/${session.id}/protectedItems`);
    expect(plural.body.results).toEqual(sim.data.protectedItems(session.id));
    expect(singular.body).toEqual({ ...plural.body, _links: expect.any(Array) });
    expect(sim.counters.get('GET /sessions/{id}/protectedItems')).toBeGreaterThanOrEqual(2);
    expect(plural.body.results[0]?._embedded?.virtualMachine?.href).toContain('/virtualMachines/');
  });

  it('searches names case-insensitively, sorts and pages items', async () => {
    const session = backup();
    const items = sim.data.protectedItems(session.id) ?? [];
    const needle = (items[0]?.name ?? '').slice(0, 3).toUpperCase();
    const found = await get<{ totalCount: number; results: ProtectedItemDto[] }>(sim, token, `/api/v1/sessions/${session.id}/protectedItems?SearchPattern=${needle}`);
    expect(found.body.totalCount).toBe(items.filter((i) => i.name.toLowerCase().includes(needle.toLowerCase())).length);
    const sorted = await get<{ results: ProtectedItemDto[] }>(sim, token, `/api/v1/sessions/${session.id}/protectedItems?Sort=regionDesc&Sort=virtualMachineNameAsc&Offset=1&Limit=3`);
    const expected = [...items].sort((a, b) => (b.region ?? '').localeCompare(a.region ?? '', 'en') || a.name.localeCompare(b.name, 'en') || a.id.localeCompare(b.id));
    expect(sorted.body.results.map((i) => i.id)).toEqual(expected.slice(1, 4).map((i) => i.id));
  });

  it('answers 404 for the items of a non-backup session', async () => {
    const retention = sim.data.sessions.find((s) => s.type === 'RetentionActivity');
    if (!retention) throw new Error('no retention session');
    expect((await get(sim, token, `/api/v1/sessions/${retention.id}/protectedItems`)).body).toMatchObject({ status: 404, errorCode: 'NotFound' });
  });

  it('serves the log', async () => {
    const session = backup();
    const log = await get<{ sessionId: string; log: Array<{ logTime: string; status: string }> }>(sim, token, `/api/v1/sessions/${session.id}/log`);
    expect(log.body.sessionId).toBe(session.id);
    expect(log.body.log.length).toBeGreaterThanOrEqual(3);
    expect(log.body.log[0]?.logTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
  });
});

describe('data', () => {
  it('is deterministic for a seed and anchor, and differs for another seed', async () => {
    const a = await startSimulator({ sessionCount: 50, seed: 3, anchor: new Date('2026-01-01T00:00:00Z') });
    const b = await startSimulator({ sessionCount: 50, seed: 3, anchor: new Date('2026-01-01T00:00:00Z') });
    const c = await startSimulator({ sessionCount: 50, seed: 4, anchor: new Date('2026-01-01T00:00:00Z') });
    const strip = (s: Simulator) => JSON.stringify(s.data.sessions).replaceAll(s.origin, '');
    expect(strip(a)).toBe(strip(b));
    expect(strip(a)).not.toBe(strip(c));
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it('mixes types and statuses realistically, with 0–50 items per backup session', () => {
    const types = new Set(sim.data.sessions.map((s) => s.type));
    expect(types.size).toBeGreaterThanOrEqual(8);
    const policy = sim.data.sessions.filter((s) => s.type === 'Policy').length / sim.data.sessions.length;
    expect(policy).toBeGreaterThan(0.5);
    const counts = sim.data.sessions.map((s) => sim.data.protectedItems(s.id)?.length).filter((n): n is number => n !== undefined);
    expect(Math.max(...counts)).toBeLessThanOrEqual(50);
    expect(new Set(sim.data.sessions.map((s) => s.status)).size).toBeGreaterThanOrEqual(5);
  });

  it('holds 100,000 sessions and answers a filtered, sorted page', async () => {
    const big = await startSimulator({ sessionCount: 100_000, seed: 9 });
    const { access } = await login(big);
    const page = await get<SessionsPageDto>(big, access, '/api/v1/sessions?Status=Failed&Sort=durationDesc&Offset=5&Limit=10');
    expect(page.body.results).toHaveLength(10);
    const failed = big.data.sessions.filter((s) => s.status === 'Failed');
    expect(page.body.totalCount).toBe(failed.length);
    const durations = page.body.results.map((s) => s.executionDuration ?? 0);
    expect(durations).toEqual([...durations].sort((x, y) => y - x));
    await big.close();
  });
});

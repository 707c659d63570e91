/**
 * GET /sessions and GET /sessions/{id} checked against brute force over the simulator's own data:
 * every filter, every Sort key and several multi-key Sorts, paging, validation, and the shapes
 * the spec documents per API revision.
 */
import { SESSION_SORT_COLUMNS, SESSION_STATUSES, type SessionDto, type SessionsPageDto } from '../../src/upstream/dto';
import { Dataset } from '../../src/simulator/data';
import { startSimulator, type Simulator } from '../../src/simulator';
import { get, login } from '../helpers/sim-client';

const ANCHOR = new Date('2026-11-01T00:00:00Z');
/**
 * The revision these tests speak unless they say otherwise: the one that knows every session type
 * and parameter the data holds (an older one sees less; that is revisions.test.ts).
 */
const VERSION = '1.7-rev0';
const COUNT = 800;
let sim: Simulator;
let token: string;
/** The same appliance rebuilt in-process: what it knows but does not emit (policy, parent session). */
let hidden: Dataset;

beforeAll(async () => {
  sim = await startSimulator({ sessionCount: COUNT, anchor: ANCHOR, seed: 7 });
  token = (await login(sim, VERSION)).access;
  hidden = new Dataset({ sessionCount: COUNT, seed: 7, anchorMs: ANCHOR.getTime(), spanDays: 120, origin: sim.origin });
});

afterAll(async () => {
  await sim.close();
});

const list = (query: string, version = VERSION) => get<SessionsPageDto>(sim, token, `/api/v1/sessions?${query}`, version);
const ids = (sessions: readonly SessionDto[]) => sessions.map((s) => s.id);
const zoneless = (text: string | undefined) => (text === undefined ? undefined : Date.parse(`${text}Z`));
const startMs = (s: SessionDto) => zoneless(s.executionStartTime);
const stopMs = (s: SessionDto) => zoneless(s.executionStopTime);

/** The brute-force model of Sort: keys in order, missing values first ascending, then id. */
const SORT_KEYS: Record<string, (s: SessionDto) => number | string | undefined> = {
  startTime: startMs,
  stopTime: stopMs,
  duration: (s) => s.executionDuration,
  type: (s) => s.type,
  reason: (s) => s.reason,
  usn: (s) => s.usn,
};
function compareValues(a: number | string | undefined, b: number | string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), 'en');
}
function sortedBy(sorts: readonly string[], sessions: readonly SessionDto[] = sim.data.sessions): SessionDto[] {
  return [...sessions].sort((a, b) => {
    for (const sort of sorts) {
      const descending = sort.endsWith('Desc');
      const key = SORT_KEYS[sort.replace(/(Asc|Desc)$/, '')];
      if (!key) throw new Error(`model has no key for ${sort}`);
      const order = compareValues(key(a), key(b));
      if (order !== 0) return descending ? -order : order;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}
const sortQuery = (sorts: readonly string[]) => sorts.map((s) => `Sort=${s}`).join('&');

describe('GET /sessions: envelope and paging', () => {
  it('returns every session when no parameter is given (Limit absent = all), with a self link', async () => {
    const response = await list('');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body.totalCount).toBe(COUNT);
    expect(response.body.results).toHaveLength(COUNT);
    expect(response.body._links).toEqual([{ method: 'GET', rel: 'self', href: `${sim.url}/sessions` }]);
    expect(response.body).not.toHaveProperty('offset');
    expect(response.body).not.toHaveProperty('limit');
  });

  it.each([
    ['Limit=-1', 0, COUNT],
    ['Offset=790', 790, 10],
    ['Offset=790&Limit=-1', 790, 10],
    ['Offset=10&Limit=25', 10, 25],
    ['Limit=0', 0, 0],
    ['Offset=5000&Limit=5', 5000, 0],
  ])('%s pages after Sort, totalCount before paging', async (query, offset, length) => {
    const response = await list(`${query}&Sort=usnDesc`);
    expect(response.body.totalCount).toBe(COUNT);
    expect(ids(response.body.results)).toEqual(ids(sortedBy(['usnDesc']).slice(offset, offset + length)));
    expect(response.body.results).toHaveLength(length);
  });

  it('adds offset and limit to the page from 1.8-rev0 only', async () => {
    const at = async (version: string, query: string) =>
      get<SessionsPageDto>(sim, (await login(sim, version)).access, `/api/v1/sessions?${query}`, version);
    expect((await at('1.7-rev0', 'Limit=1&Offset=2')).body).not.toHaveProperty('offset');
    expect((await at('1.8-rev0', 'Limit=1&Offset=2')).body).toMatchObject({ offset: 2, limit: 1, totalCount: COUNT });
    expect((await at('1.8-rev0', 'Offset=3')).body).toMatchObject({ offset: 3, limit: -1 });
  });
});

describe('GET /sessions: Sort', () => {
  it.each(SESSION_SORT_COLUMNS.map((column) => [column]))('orders by %s exactly as the brute-force model', async (column) => {
    const response = await list(`Sort=${column}&Limit=-1`);
    expect(ids(response.body.results)).toEqual(ids(sortedBy([column])));
  });

  it.each([
    [['typeAsc', 'durationDesc']],
    [['reasonDesc', 'stopTimeAsc', 'usnDesc']],
    [['typeDesc', 'reasonAsc', 'startTimeDesc']],
    [['durationAsc', 'typeAsc']],
  ])('applies several keys in order: %j', async (sorts) => {
    const response = await list(`${sortQuery(sorts)}&Offset=7&Limit=300`);
    expect(ids(response.body.results)).toEqual(ids(sortedBy(sorts).slice(7, 307)));
  });

  it('puts sessions without a stop time first ascending and last descending', async () => {
    const asc = (await list('Sort=stopTimeAsc&Limit=-1')).body.results;
    const desc = (await list('Sort=stopTimeDesc&Limit=-1')).body.results;
    const unfinished = sim.data.sessions.filter((s) => s.executionStopTime === undefined).length;
    expect(unfinished).toBeGreaterThan(0);
    expect(asc.slice(0, unfinished).every((s) => s.executionStopTime === undefined)).toBe(true);
    expect(asc[unfinished]?.executionStopTime).toBeDefined();
    expect(desc.slice(-unfinished).every((s) => s.executionStopTime === undefined)).toBe(true);
  });

  it('reads Sort values and parameter names case-insensitively, as ASP.NET binds them', async () => {
    expect((await list('limit=3&sort=USNDESC')).body.results.map((s) => s.usn)).toEqual([COUNT, COUNT - 1, COUNT - 2]);
  });
});

describe('GET /sessions: filters', () => {
  it.each(SESSION_STATUSES.map((status) => [status]))('Status=%s', async (status) => {
    const expected = sim.data.sessions.filter((s) => s.status === status);
    const response = await list(`Status=${status}&Sort=usnAsc`);
    expect(response.body.totalCount).toBe(expected.length);
    expect(ids(response.body.results)).toEqual(ids(sortedBy(['usnAsc'], expected)));
    expect(expected.length).toBeGreaterThan(0);
  });

  it('ORs repeated values and ANDs different parameters', async () => {
    const response = await list('Status=Failed&Status=Warning&Types=Policy&Types=UserPolicy&Limit=-1&Sort=usnAsc');
    const expected = sim.data.sessions.filter((s) => ['Failed', 'Warning'].includes(s.status) && ['Policy', 'UserPolicy'].includes(s.type));
    expect(expected.length).toBeGreaterThan(10);
    expect(ids(response.body.results)).toEqual(ids(expected));
  });

  it('filters by every type the data holds, and answers an empty page for a type it lacks', async () => {
    const present = [...new Set(sim.data.sessions.map((s) => s.type))];
    for (const type of present) {
      expect((await list(`Types=${type}&Limit=0`)).body.totalCount).toBe(sim.data.sessions.filter((s) => s.type === type).length);
    }
    const absent = ['Policy', 'RetentionActivity', 'Job', 'SelfBackupActivity', 'ArchiveRetrievalProlongation'].find(
      (t) => !present.includes(t),
    );
    if (absent) expect((await list(`Types=${absent}`)).body).toMatchObject({ totalCount: 0, results: [] });
  });

  it.each([
    ['2026-09-01T00:00:00Z', '2026-09-15T12:00:00', '2026-09-01T00:00:00Z', '2026-09-15T12:00:00Z'],
    ['2026-09-01', '2026-09-15', '2026-09-01T00:00:00Z', '2026-09-15T00:00:00Z'],
    ['2026-09-01T02:00:00+02:00', '2026-09-15T12:00:00.5-0130', '2026-09-01T00:00:00Z', '2026-09-15T13:30:00.500Z'],
  ])('FromUtc=%s&ToUtc=%s compare the start time, inclusive', async (from, to, fromIso, toIso) => {
    const [low, high] = [Date.parse(fromIso), Date.parse(toIso)];
    const expected = sim.data.sessions.filter((s) => {
      const start = startMs(s);
      return start !== undefined && start >= low && start <= high;
    });
    expect(expected.length).toBeGreaterThan(10);
    const response = await list(`FromUtc=${encodeURIComponent(from)}&ToUtc=${encodeURIComponent(to)}&Sort=usnAsc`);
    expect(ids(response.body.results)).toEqual(ids(expected));
  });

  it('is inclusive at both ends, to the millisecond', async () => {
    const target = sim.data.sessions[400];
    if (!target?.executionStartTime) throw new Error('no started session at 400');
    const at = `${target.executionStartTime.slice(0, 23)}`;
    expect(ids((await list(`FromUtc=${at}&ToUtc=${at}`)).body.results)).toEqual([target.id]);
  });

  it('filters by Usn', async () => {
    const target = sim.data.sessions[123];
    if (!target) throw new Error('no session');
    expect(ids((await list(`Usn=${target.usn}`)).body.results)).toEqual([target.id]);
    expect((await list('Usn=999999999999')).body.totalCount).toBe(0);
  });

  it('filters by PolicyId, which the appliance knows but does not emit', async () => {
    expect(JSON.stringify(hidden.sessions.map((r) => r.dto))).toBe(JSON.stringify(sim.data.sessions));
    const policies = [...new Set(hidden.sessions.map((r) => r.policy?.id).filter((id): id is string => id !== undefined))];
    expect(policies.length).toBeGreaterThanOrEqual(15);
    for (const policyId of policies.slice(0, 5)) {
      const expected = hidden.sessions.filter((r) => r.policy?.id === policyId).map((r) => r.dto.id);
      expect(ids((await list(`PolicyId=${policyId.toUpperCase()}&Sort=usnAsc`)).body.results)).toEqual(expected);
    }
    expect(JSON.stringify(sim.data.sessions)).not.toContain(policies[0]);
  });

  it('filters by ParentSessionId (child sessions), which is not emitted either', async () => {
    const parents = [...new Set(hidden.sessions.map((r) => r.parentSessionId).filter((id): id is string => id !== undefined))];
    expect(parents.length).toBeGreaterThan(0);
    const parentId = parents[0] ?? '';
    const expected = hidden.sessions.filter((r) => r.parentSessionId === parentId).map((r) => r.dto.id);
    expect(ids((await list(`ParentSessionId=${parentId}&Sort=usnAsc`)).body.results)).toEqual(expected);
    expect((await list('ParentSessionId=00000000-0000-4000-8000-000000000000')).body.totalCount).toBe(0);
  });

  it('filters by VmId: the sessions whose protected items include that instance', async () => {
    const backup = sim.data.sessions.find((s) => (sim.data.protectedItems(s.id)?.length ?? 0) > 0);
    const instance = backup ? sim.data.protectedItems(backup.id)?.[0] : undefined;
    if (!instance) throw new Error('no protected item');
    const expected = sim.data.sessions.filter((s) => sim.data.protectedItems(s.id)?.some((i) => i.id === instance.id));
    expect(expected.length).toBeGreaterThan(1);
    const response = await list(`VmId=${instance.id}&Sort=usnAsc&Status=Succeeded`);
    expect(ids(response.body.results)).toEqual(ids(expected.filter((s) => s.status === 'Succeeded')));
    expect((await list('VmId=i-0123456789abcdef0')).body.totalCount).toBe(0);
  });

  it('filters, sorts and pages together', async () => {
    const expected = sortedBy(
      ['durationDesc'],
      sim.data.sessions.filter((s) => s.type === 'Policy' && s.status !== 'Succeeded'),
    );
    const response = await list(
      'Types=Policy&Status=Warning&Status=Failed&Status=Canceled&Status=Running&Status=NeverExecuted&Sort=durationDesc&Offset=3&Limit=7',
    );
    expect(response.body.totalCount).toBe(expected.length);
    expect(ids(response.body.results)).toEqual(ids(expected.slice(3, 10)));
  });

  it('takes the first of repeated scalar values, as ASP.NET model binding does', async () => {
    expect((await list('Limit=2&Limit=5&Sort=usnAsc')).body.results).toHaveLength(2);
  });
});

describe('GET /sessions: validation', () => {
  it.each([
    ['Offset=-1', 'Offset'],
    ['Offset=2147483648', 'Offset'],
    ['Limit=-2', 'Limit'],
    ['Limit=ten', 'Limit'],
    ['Limit=1.5', 'Limit'],
    ['Sort=newest', 'Sort'],
    ['Sort=usnAsc&Sort=usn', 'Sort'],
    ['Status=Exploded', 'Status'],
    ['Types=Policies', 'Types'],
    ['PolicyId=42', 'PolicyId'],
    ['ParentSessionId=not-a-uuid', 'ParentSessionId'],
    ['FromUtc=yesterday', 'FromUtc'],
    ['ToUtc=2026-02-30', 'ToUtc'],
    ['ToUtc=2026-09-01T25:00:00', 'ToUtc'],
    ['Usn=1e3', 'Usn'],
    ['Usn=9223372036854775808', 'Usn'],
  ])('rejects %s with a 400 validation problem naming the parameter', async (query, name) => {
    const response = await list(query);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 400, type: `${sim.origin}/api/v1/problems/validationError`, title: expect.any(String) });
    expect(JSON.stringify(response.body)).toContain(name);
  });

  it('rejects broken percent-encoding as an invalid URI', async () => {
    const response = await list('SearchPattern=%E0%A4%A&Limit=1');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ errorCode: 'InvalidURI' });
    expect((await list('Types=Policy%ZZ')).status).toBe(400);
  });
});

describe('sessions as emitted', () => {
  it('writes zone-less microsecond UTC timestamps and a duration that matches them', () => {
    const finished = sim.data.sessions.filter((s) => s.executionStopTime !== undefined);
    expect(finished.length).toBeGreaterThan(COUNT / 2);
    for (const session of finished) {
      expect(session.executionStartTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
      expect(session.executionStopTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
      const span = (stopMs(session) ?? 0) - (startMs(session) ?? 0);
      expect(Math.abs(span - (session.executionDuration ?? -1))).toBeLessThanOrEqual(1);
      expect(stopMs(session)).toBeLessThanOrEqual(ANCHOR.getTime());
    }
  });

  it('has the newest few Running without stop time or duration, and NeverExecuted without any time', () => {
    const running = sim.data.sessions.filter((s) => s.status === 'Running');
    expect(running.length).toBeGreaterThanOrEqual(3);
    expect(running.length).toBeLessThanOrEqual(5);
    expect(ids(running)).toEqual(ids(sortedBy(['usnDesc']).slice(0, running.length)).reverse());
    for (const session of running) {
      expect(session).toMatchObject({ result: 'Running', executionStartTime: expect.any(String) });
      expect(session).not.toHaveProperty('executionStopTime');
      expect(session).not.toHaveProperty('executionDuration');
    }
    const never = sim.data.sessions.filter((s) => s.status === 'NeverExecuted');
    expect(never.length).toBeGreaterThan(0);
    for (const session of never) {
      expect(session).not.toHaveProperty('executionStartTime');
      expect(session).not.toHaveProperty('executionStopTime');
    }
  });

  it('spells results as the spec does (Success, Cancelled) next to the statuses', () => {
    const resultOf: Record<string, string | undefined> = {
      Running: 'Running',
      Succeeded: 'Success',
      Warning: 'Warning',
      Failed: 'Failed',
      Canceled: 'Cancelled',
      NeverExecuted: undefined,
    };
    for (const session of sim.data.sessions) expect(session.result).toBe(resultOf[session.status]);
    expect(new Set(sim.data.sessions.map((s) => s.result))).toEqual(
      new Set(['Running', 'Success', 'Warning', 'Failed', 'Cancelled', undefined]),
    );
  });

  it('has usns unique and increasing with the start time', () => {
    const byUsn = sortedBy(['usnAsc']).filter((s) => s.executionStartTime !== undefined);
    expect(new Set(sim.data.sessions.map((s) => s.usn)).size).toBe(COUNT);
    for (let i = 1; i < byUsn.length; i += 1) {
      expect(startMs(byUsn[i] as SessionDto)).toBeGreaterThan(startMs(byUsn[i - 1] as SessionDto) ?? Infinity);
    }
  });

  it('embeds only the keys that apply, with absolute links on the simulator origin', async () => {
    for (const session of (await list('Limit=-1')).body.results) {
      const keys = Object.keys(session._embedded ?? { missing: true });
      if (['Policy', 'UserPolicy'].includes(session.type)) {
        expect(keys).toEqual(['backupJobInfo']);
        expect(session._embedded?.backupJobInfo?.href).toBe(`${sim.url}/sessions/${session.id}/protectedItems`);
      } else if (['RestoreTask', 'FLRTask', 'FlrEfsTask'].includes(session.type)) expect(keys).toEqual(['restoreJobInfo']);
      else if (['RetentionActivity', 'TombstoneRetention'].includes(session.type))
        expect(keys).toEqual(['retentionJobDeletedRestorePoints']);
      else expect(keys).toEqual([]);
      expect(session._links).toEqual([
        { method: 'GET', rel: 'self', href: `${sim.url}/sessions/${session.id}` },
        { method: 'GET', rel: 'SessionLogs', href: `${sim.url}/sessions/${session.id}/log` },
      ]);
    }
  });

  it('sends name and extendedSessionType from 1.5-rev0 on, not before', async () => {
    const at = async (version: string) =>
      (await get<SessionsPageDto>(sim, (await login(sim, version)).access, '/api/v1/sessions?Types=Policy&Limit=5', version)).body.results;
    for (const session of await at('1.4-rev0')) {
      expect(session).not.toHaveProperty('name');
      expect(session).not.toHaveProperty('extendedSessionType');
    }
    for (const session of await at('1.5-rev0')) {
      expect(session.name).toEqual(expect.any(String));
      expect(['PolicyBackup', 'PolicySnapshot', 'PolicyRemoteSnapshot']).toContain(session.extendedSessionType);
    }
    expect((await at('1.5-rev0')).map((s) => s.id)).toEqual((await at('1.0-rev0')).map((s) => s.id));
  });
});

describe('GET /sessions/{id}', () => {
  it("gets one session as the list shows it, at the request's revision", async () => {
    // A policy session: a type every revision knows, with the later fields that 1.0-rev0 must not see.
    const session = sim.data.sessions.slice(250).find((s) => s.type === 'Policy');
    if (!session) throw new Error('no session');
    const one = await get<SessionDto>(sim, token, `/api/v1/sessions/${session.id.toUpperCase()}`, '1.0-rev0');
    const { name: _name, extendedSessionType: _extended, ...older } = session;
    expect(one.body).toEqual(older);
    const newer = await get<SessionDto>(sim, (await login(sim, '1.7-rev0')).access, `/api/v1/sessions/${session.id}`, '1.7-rev0');
    expect(newer.body).toEqual(session);
  });

  it('answers 404 NotFound for an unknown id and 400 for a malformed one', async () => {
    const unknown = await get(sim, token, '/api/v1/sessions/00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ status: 404, errorCode: 'NotFound', type: `${sim.origin}/api/v1/problems/resourceNotFound` });
    const malformed = await get(sim, token, '/api/v1/sessions/not-a-uuid');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ type: `${sim.origin}/api/v1/problems/validationError` });
  });
});

/**
 * The x-api-version window (option, environment, run-time change, admin endpoint), the answer to an
 * unsupported revision, and what each revision sees: its session types, fields and parameters only.
 * The revision facts are restated here, not read from the simulator's table, so that a wrong table fails.
 */
import { request } from 'undici';
import type { SessionDto, SessionLogDto, SessionsPageDto } from '../../src/upstream/dto';
import { EnvError, simulatorOptionsFromEnv } from '../../src/simulator/env';
import { KNOWN_API_VERSIONS, startSimulator, VBAWS_8_0_API_VERSIONS, type Simulator } from '../../src/simulator';
import { get, login, raw } from '../helpers/sim-client';

const TYPES_FROM_1_7 = ['ConfigurationBackupActivity', 'ArchiveRetrieval', 'ArchiveRetrievalProlongation', 'ManualTask', 'FlrEfsTask'];
const BEFORE_1_7 = ['1.0-rev0', '1.1-rev0', '1.2-rev0', '1.3-rev0', '1.4-rev0', '1.5-rev0', '1.5-rev1', '1.6-rev0'];
const ANCHOR = new Date('2026-11-01T00:00:00Z');
const COUNT = 1500;

const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});
const passwordLogin = (sim: Simulator, version: string) =>
  raw<Record<string, unknown>>(sim, 'POST', '/api/v1/token', { ...form({ grant_type: 'password', ...sim.credentials }), version });
const ids = (sessions: readonly SessionDto[]) => sessions.map((s) => s.id);

describe('the x-api-version window', () => {
  it('accepts every known revision by default, in the documented order', async () => {
    expect([...KNOWN_API_VERSIONS]).toEqual([...BEFORE_1_7, '1.7-rev0', '1.8-rev0']);
    const sim = await startSimulator({ sessionCount: 5 });
    try {
      expect(sim.apiVersions).toEqual(KNOWN_API_VERSIONS);
      for (const version of KNOWN_API_VERSIONS) expect((await passwordLogin(sim, version)).status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  it("takes a window as an option (VBAWS 8.0's here), sorted and without duplicates", async () => {
    const sim = await startSimulator({
      sessionCount: 5,
      acceptedApiVersions: ['1.6-rev0', '1.4-rev0', '1.5-rev1', '1.5-rev0', '1.6-rev0'],
    });
    try {
      expect(sim.apiVersions).toEqual(['1.4-rev0', '1.5-rev0', '1.5-rev1', '1.6-rev0']);
      expect(sim.apiVersions).toEqual(VBAWS_8_0_API_VERSIONS);
      const { access } = await login(sim, '1.6-rev0');
      for (const version of KNOWN_API_VERSIONS) {
        const inside = VBAWS_8_0_API_VERSIONS.includes(version);
        expect([version, (await passwordLogin(sim, version)).status]).toEqual([version, inside ? 200 : 400]);
        expect([version, (await get(sim, access, '/api/v1/sessions?Limit=1', version)).status]).toEqual([version, inside ? 200 : 400]);
      }
    } finally {
      await sim.close();
    }
  });

  it('refuses a window with an unknown revision or none at all', async () => {
    await expect(startSimulator({ sessionCount: 1, acceptedApiVersions: ['1.6-rev0', '1.9-rev0'] })).rejects.toThrow(/1\.9-rev0/);
    await expect(startSimulator({ sessionCount: 1, acceptedApiVersions: [] })).rejects.toThrow(/at least one/);
  });

  it('changes while running: an appliance upgrade from VBAWS 8.0 to a 1.5-rev1–1.7-rev0 window', async () => {
    const sim = await startSimulator({ sessionCount: 20, acceptedApiVersions: VBAWS_8_0_API_VERSIONS });
    try {
      const { access } = await login(sim, '1.6-rev0');
      expect((await get(sim, access, '/api/v1/sessions', '1.7-rev0')).status).toBe(400);
      sim.setApiVersions(['1.5-rev1', '1.6-rev0', '1.7-rev0']);
      expect(sim.apiVersions).toEqual(['1.5-rev1', '1.6-rev0', '1.7-rev0']);
      // The same keep-alive client, the same token: only the window moved.
      expect((await get(sim, access, '/api/v1/sessions', '1.7-rev0')).status).toBe(200);
      expect((await get(sim, access, '/api/v1/sessions', '1.4-rev0')).status).toBe(400);
      expect((await passwordLogin(sim, '1.4-rev0')).status).toBe(400);
      expect(() => sim.setApiVersions(['1.7-rev0', '2.0-rev0'])).toThrow(/2\.0-rev0/);
      expect(() => sim.setApiVersions([])).toThrow();
      expect(sim.apiVersions).toEqual(['1.5-rev1', '1.6-rev0', '1.7-rev0']);
    } finally {
      await sim.close();
    }
  });

  it('changes through PUT /_simulator/api-versions, for out-of-process benchmarks, and refuses bad bodies', async () => {
    const sim = await startSimulator({ sessionCount: 5 });
    const admin = async (method: 'GET' | 'PUT', body?: string) => {
      const response = await request(`${sim.origin}/_simulator/api-versions`, { method, body });
      return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
    };
    try {
      expect(await admin('GET')).toEqual({ status: 200, body: { versions: [...KNOWN_API_VERSIONS] } });
      expect(await admin('PUT', JSON.stringify({ versions: ['1.8-rev0', '1.7-rev0'] }))).toEqual({
        status: 200,
        body: { versions: ['1.7-rev0', '1.8-rev0'] },
      });
      expect((await passwordLogin(sim, '1.6-rev0')).status).toBe(400);
      expect((await passwordLogin(sim, '1.8-rev0')).status).toBe(200);
      for (const bad of ['["1.7-rev0"]', '{"versions": ["1.7"]}', '{"versions": []}', '{"versions": [17]}', 'not json']) {
        const answer = await admin('PUT', bad);
        expect([bad, answer.status, answer.body['errorCode']]).toEqual([bad, 400, 'UnexpectedContent']);
      }
      expect(sim.apiVersions).toEqual(['1.7-rev0', '1.8-rev0']);
      // Admin calls are not API calls: nothing counted.
      expect(sim.counters.snapshot()).toEqual({ 'POST /token': 2 });
    } finally {
      await sim.close();
    }
  });

  it('reads SIM_API_VERSIONS (comma-separated) for the standalone simulator, and refuses unknown revisions', async () => {
    const options = simulatorOptionsFromEnv({ SIM_API_VERSIONS: ' 1.7-rev0, 1.6-rev0 ,', SIM_PORT: '0', SIM_SESSIONS: '5' });
    expect(options.acceptedApiVersions).toEqual(['1.6-rev0', '1.7-rev0']);
    const sim = await startSimulator(options);
    try {
      expect((await passwordLogin(sim, '1.7-rev0')).status).toBe(200);
      expect((await passwordLogin(sim, '1.5-rev1')).status).toBe(400);
    } finally {
      await sim.close();
    }
    expect(simulatorOptionsFromEnv({}).acceptedApiVersions).toBeUndefined();
    expect(simulatorOptionsFromEnv({ SIM_API_VERSIONS: '' }).acceptedApiVersions).toBeUndefined();
    expect(() => simulatorOptionsFromEnv({ SIM_API_VERSIONS: '1.6-rev0,v2' })).toThrow(EnvError);
    expect(() => simulatorOptionsFromEnv({ SIM_API_VERSIONS: '1.6-rev0,v2' })).toThrow(/SIM_API_VERSIONS.*v2/);
    expect(() => simulatorOptionsFromEnv({ SIM_PORT: 'http' })).toThrow(/SIM_PORT/);
  });
});

describe('the answer to an unsupported revision', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ sessionCount: 10, acceptedApiVersions: VBAWS_8_0_API_VERSIONS });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('is a 400 RFC 7807 problem of type unsupportedApiVersion naming the version, on data and token calls alike', async () => {
    const { access, refresh } = await login(sim, '1.6-rev0');
    const bearer = { authorization: `Bearer ${access}` };
    // 1.0-rev0 is below the window, 1.8-rev0 above it, 1.9-rev0 well-formed but unknown to anyone.
    for (const version of ['1.0-rev0', '1.8-rev0', '1.9-rev0']) {
      const answers = [
        await raw(sim, 'GET', '/api/v1/sessions', { headers: bearer, version }),
        await raw(sim, 'GET', `/api/v1/sessions/${sim.data.sessions[0]?.id ?? ''}`, { headers: bearer, version }),
        await raw(sim, 'GET', '/api/v1/system/version', { headers: bearer, version }),
        await passwordLogin(sim, version),
        await raw(sim, 'POST', '/api/v1/token', { ...form({ grant_type: 'refresh_token', refresh_token: refresh }), version }),
        await raw(sim, 'DELETE', '/api/v1/token', { headers: bearer, version }),
      ];
      for (const answer of answers) {
        expect(answer.status).toBe(400);
        expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(answer.body).toEqual({
          type: `${sim.origin}/api/v1/problems/unsupportedApiVersion`,
          title: 'Unsupported API version',
          status: 400,
          errorCode: 'UnexpectedContent',
          details: expect.stringContaining(version),
        });
      }
    }
    // Refused before anything else: the refresh token was not spent, the bearer was not logged out.
    expect(
      (await raw(sim, 'POST', '/api/v1/token', { ...form({ grant_type: 'refresh_token', refresh_token: refresh }), version: '1.6-rev0' }))
        .status,
    ).toBe(200);
    expect((await get(sim, access, '/api/v1/sessions?Limit=1', '1.6-rev0')).status).toBe(200);
  });

  it('is told apart from a malformed and a missing version', async () => {
    const login = (version: string | null) =>
      raw<{ type: string }>(sim, 'POST', '/api/v1/token', { ...form({ grant_type: 'password', ...sim.credentials }), version });
    expect((await login('1.6')).body.type).toBe(`${sim.origin}/api/v1/problems/invalidApiVersion`);
    expect((await login(null)).body.type).toBe(`${sim.origin}/api/v1/problems/apiVersionUnspecified`);
    expect((await login('1.3-rev0')).body.type).toBe(`${sim.origin}/api/v1/problems/unsupportedApiVersion`);
  });
});

describe('what each revision sees', () => {
  let sim: Simulator;
  let token: string;
  const list = (query: string, version: string) => get<SessionsPageDto>(sim, token, `/api/v1/sessions?${query}`, version);

  beforeAll(async () => {
    sim = await startSimulator({ sessionCount: COUNT, anchor: ANCHOR, seed: 5 });
    token = (await login(sim, '1.7-rev0')).access;
  });
  afterAll(async () => {
    await sim.close();
  });

  it('holds sessions of every 1.7-rev0 type, so that hiding them is observable', () => {
    for (const type of TYPES_FROM_1_7) expect([type, sim.data.sessions.some((s) => s.type === type)]).toEqual([type, true]);
  });

  it.each(BEFORE_1_7)('%s lists no session of a 1.7-rev0 type, and counts accordingly', async (version) => {
    const older = sim.data.sessions.filter((s) => !TYPES_FROM_1_7.includes(s.type));
    const all = await list('Sort=usnAsc', version);
    expect(all.body.totalCount).toBe(older.length);
    expect(ids(all.body.results)).toEqual(ids(older));
    // totalCount counts what that revision may see, before paging.
    const page = await list('Sort=usnDesc&Offset=3&Limit=10', version);
    expect(page.body.totalCount).toBe(older.length);
    expect(ids(page.body.results)).toEqual(ids([...older].reverse().slice(3, 13)));
    expect(ids(sim.data.sessionsAt(version))).toEqual(ids(older));
  });

  it.each(['1.7-rev0', '1.8-rev0'])('%s lists every session', async (version) => {
    const all = await list('Sort=usnAsc', version);
    expect(all.body.totalCount).toBe(COUNT);
    expect(ids(all.body.results)).toEqual(ids(sim.data.sessions));
  });

  it('answers 404 for a 1.7-rev0-type session, its log and its items, below 1.7-rev0 only', async () => {
    for (const type of TYPES_FROM_1_7) {
      const session = sim.data.sessions.find((s) => s.type === type);
      if (!session) throw new Error(`no ${type} session`);
      for (const path of [`/api/v1/sessions/${session.id}`, `/api/v1/sessions/${session.id}/log`]) {
        const hidden = await get(sim, token, path, '1.6-rev0');
        expect([path, hidden.status]).toEqual([path, 404]);
        expect(hidden.body).toMatchObject({ errorCode: 'NotFound', type: `${sim.origin}/api/v1/problems/resourceNotFound` });
        expect([path, (await get(sim, token, path, '1.7-rev0')).status]).toEqual([path, 200]);
      }
      expect((await get<SessionDto>(sim, token, `/api/v1/sessions/${session.id}`, '1.7-rev0')).body.type).toBe(type);
      expect((await get(sim, token, `/api/v1/sessions/${session.id}/protectedItems`, '1.6-rev0')).status).toBe(404);
    }
    const policy = sim.data.sessions.find((s) => s.type === 'Policy');
    expect((await get<SessionLogDto>(sim, token, `/api/v1/sessions/${policy?.id ?? ''}/log`, '1.0-rev0')).status).toBe(200);
  });

  it('refuses a Types value the revision does not know with a 400 validation problem, and filters by it from 1.7-rev0', async () => {
    for (const type of TYPES_FROM_1_7) {
      const refused = await list(`Types=${type}`, '1.6-rev0');
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ status: 400, type: `${sim.origin}/api/v1/problems/validationError` });
      expect(JSON.stringify(refused.body)).toContain(`Types has an unknown value: ${type}`);
      // Also when mixed with a known one, and in any case.
      expect((await list(`Types=Policy&Types=${type.toLowerCase()}`, '1.0-rev0')).status).toBe(400);
      const accepted = await list(`Types=${type}&Limit=-1`, '1.7-rev0');
      expect(accepted.status).toBe(200);
      expect(accepted.body.totalCount).toBe(sim.data.sessions.filter((s) => s.type === type).length);
      expect(accepted.body.results.every((s) => s.type === type)).toBe(true);
    }
    for (const type of ['Policy', 'ImportPolicy', 'TombstoneRetention', 'SelfBackupActivity']) {
      expect([type, (await list(`Types=${type}&Limit=0`, '1.0-rev0')).status]).toEqual([type, 200]);
    }
  });

  it('ignores ParentSessionId below 1.7-rev0 (unknown parameters are not bound), and filters by it from 1.7-rev0', async () => {
    const parent = sim.data.sessions.find(
      (s) => s.type === 'Policy' && sim.data.sessions.some((c) => c.type === 'Task' && c.usn === s.usn + 1),
    );
    if (!parent) throw new Error('no policy session followed by a task');
    const children = await list(`ParentSessionId=${parent.id}&Sort=usnAsc`, '1.7-rev0');
    expect(children.body.totalCount).toBeGreaterThan(0);
    expect(children.body.totalCount).toBeLessThan(10);
    expect(children.body.results.every((s) => s.type === 'Task')).toBe(true);
    for (const version of ['1.0-rev0', '1.5-rev0', '1.6-rev0']) {
      const unfiltered = await list('Sort=usnAsc&Limit=50', version);
      const ignored = await list(`ParentSessionId=${parent.id}&Sort=usnAsc&Limit=50`, version);
      expect(ignored.status).toBe(200);
      expect(ignored.body).toEqual({ ...unfiltered.body, _links: ignored.body._links });
      expect(ignored.body.totalCount).toBeGreaterThan(1000);
      // Not even validated: an unbound parameter's value is never read.
      expect((await list('ParentSessionId=not-a-uuid&Limit=1', version)).status).toBe(200);
    }
    expect((await list('parentsessionid=not-a-uuid', '1.7-rev0')).status).toBe(400);
  });

  it('sends name and extendedSessionType from 1.5-rev0, offset and limit from 1.8-rev0', async () => {
    for (const version of KNOWN_API_VERSIONS) {
      const page = (await list('Types=Policy&Offset=1&Limit=3', version)).body;
      const named = !['1.0-rev0', '1.1-rev0', '1.2-rev0', '1.3-rev0', '1.4-rev0'].includes(version);
      expect(page.results).toHaveLength(3);
      for (const session of page.results) {
        expect([version, 'name' in session, 'extendedSessionType' in session]).toEqual([version, named, named]);
      }
      const paged = version === '1.8-rev0';
      expect([version, 'offset' in page, 'limit' in page]).toEqual([version, paged, paged]);
      if (paged) expect(page).toMatchObject({ offset: 1, limit: 3 });
    }
  });
});

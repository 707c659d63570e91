/**
 * Schema fidelity: every body the simulator answers — lists under every filter, Sort and paging,
 * single sessions, logs, protected items, token answers and problems — at every API revision,
 * validated with ajv against the schema the vendored spec names for that path, method and status
 * (spec-schemas.ts: the pure 1.0-rev0 schemas for 1.0-rev0, plus a documented overlay for later
 * revisions). The plan of calls is fixed, so the number of bodies is in the test names.
 */
import { startSimulator, type Simulator } from '../../src/simulator';
import type { SessionDto } from '../../src/upstream/dto';
import { login, raw } from '../helpers/sim-client';
import { atLeast, REVISIONS, SpecSchemas, type Revision } from './spec-schemas';

const SESSIONS = '/api/v1/sessions';
const SESSION = '/api/v1/sessions/{sessionId}';
const ITEMS = '/api/v1/sessions/{backupSessionId}/protectedItems';
const LOG = '/api/v1/sessions/{sessionId}/log';
const TOKEN = '/api/v1/token';
const VERSION = '/api/v1/system/version';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const TYPES_FROM_1_7 = ['ConfigurationBackupActivity', 'ArchiveRetrieval', 'ArchiveRetrievalProlongation', 'ManualTask', 'FlrEfsTask'];
const ALL_TYPES = [
  'Policy',
  'Job',
  'Task',
  'UserPolicy',
  'RetentionActivity',
  'RestoreTask',
  'FLRTask',
  'SelfBackupActivity',
  'ImportPolicy',
  'TombstoneRetention',
  ...TYPES_FROM_1_7,
];

/** What the calls need from the running simulator: its data, and a token per revision. */
interface Context {
  sim: Simulator;
  token(revision: Revision): string;
  firstOf(predicate: (s: SessionDto) => boolean, what: string): SessionDto;
  /** A policy session directly followed by a task: the task's parent. */
  parentId: string;
  /** An instance that the busiest backup session protected. */
  vmId: string;
  busiest: SessionDto;
}

interface Call {
  family: 'list' | 'session' | 'items' | 'token' | 'problem';
  /** The revision whose schemas apply (the one sent, or 1.0-rev0 when the call sends none that is known). */
  revision: Revision;
  method: 'GET' | 'POST' | 'DELETE';
  template: string;
  status: number;
  request(ctx: Context): Promise<{ path: string; init: Parameters<typeof raw>[3] }> | { path: string; init: Parameters<typeof raw>[3] };
}

const bearer = (ctx: Context, revision: Revision) => ({ authorization: `Bearer ${ctx.token(revision)}` });
const get = (family: Call['family'], revision: Revision, template: string, path: (ctx: Context) => string, status = 200): Call => ({
  family,
  revision,
  method: 'GET',
  template,
  status,
  request: (ctx) => ({ path: path(ctx), init: { headers: bearer(ctx, revision), version: revision } }),
});
const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

function listCalls(revision: Revision): Call[] {
  const filters: Array<(ctx: Context) => string> = [
    () => '',
    () => 'Status=Failed&Status=Warning',
    () => 'Status=Running&Status=NeverExecuted',
    () => 'Types=Policy&Types=UserPolicy',
    () => 'Types=RetentionActivity&Types=TombstoneRetention&Types=restoretask',
    (ctx) => `Usn=${ctx.busiest.usn}`,
    () => `PolicyId=${UNKNOWN_ID}`,
    // Ignored below 1.7-rev0, a filter from it on: valid bodies either way.
    (ctx) => `ParentSessionId=${ctx.parentId}`,
    (ctx) => `VmId=${ctx.vmId}`,
    () => 'FromUtc=2026-09-01T00:00:00Z&ToUtc=2026-09-20',
    ...(atLeast(revision, '1.7-rev0') ? [() => TYPES_FROM_1_7.map((t) => `Types=${t}`).join('&')] : []),
  ];
  const sorts = [
    '',
    'startTimeAsc',
    'startTimeDesc',
    'stopTimeAsc',
    'stopTimeDesc',
    'durationAsc',
    'durationDesc',
    'typeAsc',
    'typeDesc',
    'reasonAsc',
    'reasonDesc',
    'usnAsc',
    'usnDesc',
    'typeDesc&Sort=durationAsc',
  ];
  const pagings = ['Limit=25', 'Offset=10&Limit=40', '', 'Offset=5&Limit=-1', 'Offset=100000&Limit=5', 'Limit=0'];
  const calls: Call[] = [];
  for (const filter of filters) {
    for (const sort of sorts) {
      const paging = pagings[calls.length % pagings.length] ?? '';
      calls.push(
        get('list', revision, SESSIONS, (ctx) => {
          const query = [filter(ctx), sort && `Sort=${sort}`, paging].filter((part) => part !== '').join('&');
          return `${SESSIONS}?${query}`;
        }),
      );
    }
  }
  return calls;
}

function sessionCalls(revision: Revision): Call[] {
  const hidden = (type: string) => TYPES_FROM_1_7.includes(type) && !atLeast(revision, '1.7-rev0');
  // Sessions of a type every revision knows, so that each revision gets a 200 for them.
  const running = (ctx: Context) => ctx.firstOf((s) => s.status === 'Running' && !TYPES_FROM_1_7.includes(s.type), 'a running session');
  const never = (ctx: Context) =>
    ctx.firstOf((s) => s.status === 'NeverExecuted' && !TYPES_FROM_1_7.includes(s.type), 'a never-executed session');
  const one = (pick: (ctx: Context) => SessionDto, status: number, sub = ''): Call =>
    get('session', revision, sub ? LOG : SESSION, (ctx) => `${SESSIONS}/${pick(ctx).id}${sub}`, status);
  return [
    ...ALL_TYPES.map((type) => one((ctx) => ctx.firstOf((s) => s.type === type, type), hidden(type) ? 404 : 200)),
    one(running, 200),
    one(never, 200),
    ...['Policy', 'RetentionActivity', 'RestoreTask', 'FlrEfsTask'].map((type) =>
      one((ctx) => ctx.firstOf((s) => s.type === type, type), hidden(type) ? 404 : 200, '/log'),
    ),
    one(running, 200, '/log'),
    one(never, 200, '/log'),
    get('session', revision, VERSION, () => VERSION),
  ];
}

function itemCalls(revision: Revision): Call[] {
  const searches = ['', 'SearchPattern=prod', 'SearchPattern=WEB', 'SearchPattern=zz-no-such-name'];
  const sorts = [
    '',
    'virtualMachineNameAsc',
    'virtualMachineNameDesc',
    'regionAsc',
    'regionDesc',
    'succeededAsc',
    'succeededDesc',
    'failedAsc',
    'failedDesc',
    'regionDesc&Sort=virtualMachineNameAsc',
  ];
  const pagings = ['', 'Offset=2&Limit=5', 'Limit=-1', 'Offset=1000&Limit=10'];
  const calls: Call[] = [];
  for (const search of searches) {
    for (const sort of sorts) {
      const query = [search, sort && `Sort=${sort}`, pagings[calls.length % pagings.length] ?? ''].filter((part) => part !== '').join('&');
      calls.push(get('items', revision, ITEMS, (ctx) => `${SESSIONS}/${ctx.busiest.id}/protectedItems?${query}`));
    }
  }
  const backup = (status: string) => (ctx: Context) =>
    `${SESSIONS}/${ctx.firstOf((s) => s.type === 'Policy' && s.status === status && (ctx.sim.data.protectedItems(s.id)?.length ?? 0) > 0, `a ${status} backup`).id}/protectedItems`;
  calls.push(get('items', revision, ITEMS, backup('Failed')), get('items', revision, ITEMS, backup('Running')));
  // The seeds' singular path is the same operation.
  calls.push(get('items', revision, ITEMS, (ctx) => `/api/v1/session/${ctx.busiest.id}/protectedItems?Limit=3`));
  return calls;
}

function tokenCalls(revision: Revision): Call[] {
  const post = (status: number, init: (ctx: Context) => Promise<Parameters<typeof raw>[3]> | Parameters<typeof raw>[3]): Call => ({
    family: 'token',
    revision,
    method: 'POST',
    template: TOKEN,
    status,
    request: async (ctx) => ({ path: TOKEN, init: { ...(await init(ctx)), version: revision } }),
  });
  return [
    post(200, (ctx) => form({ grant_type: 'password', ...ctx.sim.credentials })),
    post(200, async (ctx) => form({ grant_type: 'refresh_token', refresh_token: (await login(ctx.sim, revision)).refresh })),
    post(200, () => form({ grant_type: 'password', username: 'mfa', password: 'mfa-pass' })),
    post(401, () => form({ grant_type: 'password', username: 'demo', password: 'wrong-Password-1' })),
    post(401, () => form({ grant_type: 'refresh_token', refresh_token: 'made-up' })),
    post(400, () => form({ grant_type: 'client_credentials' })),
    post(400, (ctx) => ({
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', ...ctx.sim.credentials }),
    })),
    {
      family: 'token',
      revision,
      method: 'DELETE',
      template: TOKEN,
      status: 401,
      request: () => ({ path: TOKEN, init: { headers: { authorization: 'Bearer made-up' }, version: revision } }),
    },
  ];
}

function problemCalls(revision: Revision): Call[] {
  const noToken = (template: string, path: string): Call => ({
    family: 'problem',
    revision,
    method: 'GET',
    template,
    status: 401,
    request: () => ({ path, init: { version: revision } }),
  });
  const badToken = (template: string, path: string): Call => ({
    family: 'problem',
    revision,
    method: 'GET',
    template,
    status: 401,
    request: () => ({ path, init: { headers: { authorization: 'Bearer made-up' }, version: revision } }),
  });
  return [
    noToken(SESSIONS, SESSIONS),
    badToken(SESSIONS, `${SESSIONS}?Limit=1`),
    noToken(SESSION, `${SESSIONS}/${UNKNOWN_ID}`),
    badToken(LOG, `${SESSIONS}/${UNKNOWN_ID}/log`),
    badToken(ITEMS, `${SESSIONS}/${UNKNOWN_ID}/protectedItems`),
    noToken(VERSION, VERSION),
    ...[
      'Limit=-2',
      'Offset=x',
      'Sort=newest',
      'Status=Exploded',
      'Types=Policies',
      'PolicyId=42',
      'FromUtc=2026-02-30',
      'Usn=1e3',
      'Limit=%E0%A4%A',
      ...(atLeast(revision, '1.7-rev0') ? ['ParentSessionId=not-a-uuid'] : ['Types=FlrEfsTask']),
    ].map((query) => get('problem', revision, SESSIONS, () => `${SESSIONS}?${query}`, 400)),
    get('problem', revision, SESSION, () => `${SESSIONS}/not-a-uuid`, 400),
    get('problem', revision, SESSION, () => `${SESSIONS}/${UNKNOWN_ID}`, 404),
    get('problem', revision, LOG, () => `${SESSIONS}/${UNKNOWN_ID}/log`, 404),
    get('problem', revision, ITEMS, () => `${SESSIONS}/${UNKNOWN_ID}/protectedItems`, 404),
    get(
      'problem',
      revision,
      ITEMS,
      (ctx) => `${SESSIONS}/${ctx.firstOf((s) => s.type === 'RetentionActivity', 'a retention').id}/protectedItems`,
      404,
    ),
    get('problem', revision, ITEMS, (ctx) => `${SESSIONS}/${ctx.busiest.id}/protectedItems?Sort=nameAsc`, 400),
  ];
}

/** Problems about the version itself: no revision applies, the Error schema is the same in all. */
const VERSION_PROBLEMS: Call[] = [null, 'v1', '1.9-rev0', '0.9-rev0'].flatMap((version): Call[] => [
  {
    family: 'problem',
    revision: '1.0-rev0',
    method: 'GET',
    template: SESSIONS,
    status: 400,
    request: (ctx) => ({ path: SESSIONS, init: { headers: bearer(ctx, '1.0-rev0'), version } }),
  },
  {
    family: 'problem',
    revision: '1.0-rev0',
    method: 'POST',
    template: TOKEN,
    status: 400,
    request: (ctx) => ({ path: TOKEN, init: { ...form({ grant_type: 'password', ...ctx.sim.credentials }), version } }),
  },
]);

const PLAN: Call[] = [
  ...REVISIONS.flatMap((revision) => [
    ...listCalls(revision),
    ...sessionCalls(revision),
    ...itemCalls(revision),
    ...tokenCalls(revision),
    ...problemCalls(revision),
  ]),
  ...VERSION_PROBLEMS,
];
const count = (family: Call['family']) => PLAN.filter((call) => call.family === family).length;

let sim: Simulator;
let ctx: Context;
let schemas: SpecSchemas;
let validated = 0;
let failed = 0;

beforeAll(async () => {
  schemas = new SpecSchemas();
  // Seed 7: 400 sessions that hold every one of the fifteen session types (the rarest weighs 2 in 1,008).
  sim = await startSimulator({ sessionCount: 400, anchor: new Date('2026-11-01T00:00:00Z'), seed: 7, mfaUsers: { mfa: 'mfa-pass' } });
  const tokens = new Map<Revision, string>();
  for (const revision of REVISIONS) tokens.set(revision, (await login(sim, revision)).access);
  const firstOf = (predicate: (s: SessionDto) => boolean, what: string): SessionDto => {
    const found = sim.data.sessions.find(predicate);
    if (!found) throw new Error(`the data has no ${what}`);
    return found;
  };
  const busiest = [...sim.data.sessions].sort(
    (a, b) => (sim.data.protectedItems(b.id)?.length ?? -1) - (sim.data.protectedItems(a.id)?.length ?? -1),
  )[0];
  const vmId = busiest ? sim.data.protectedItems(busiest.id)?.[0]?.id : undefined;
  if (!busiest || !vmId) throw new Error('the data has no backup session with items');
  const parent = firstOf(
    (s) => s.type === 'Policy' && sim.data.sessions.some((c) => c.type === 'Task' && c.usn === s.usn + 1),
    'a policy session followed by a task',
  );
  ctx = {
    sim,
    token: (revision) => tokens.get(revision) ?? '',
    firstOf,
    parentId: parent.id,
    vmId,
    busiest,
  };
});

afterAll(async () => {
  await sim.close();
});

/** Runs one family's calls: how many bodies validated, and what failed (status or schema). */
async function run(family: Call['family']): Promise<{ bodies: number; failures: string[] }> {
  let bodies = 0;
  const failures: string[] = [];
  for (const [index, call] of PLAN.entries()) {
    if (call.family !== family) continue;
    const { path, init } = await call.request(ctx);
    const response = await raw(sim, call.method, path, init);
    const where = `#${index} ${call.revision} ${call.method} ${path} ${init?.version === undefined ? '' : `(x-api-version ${String(init.version)})`}`;
    if (response.status !== call.status) {
      failures.push(`${where}: status ${response.status}, expected ${call.status}: ${JSON.stringify(response.body).slice(0, 200)}`);
      continue;
    }
    const contentType = String(response.headers['content-type'] ?? '');
    const verdict = schemas.check(call.revision, call.method, call.template, response.status, contentType, response.body);
    if (verdict.errors.length > 0) failures.push(`${where} against ${verdict.schema}: ${verdict.errors.slice(0, 3).join('; ')}`);
    else bodies += 1;
  }
  validated += bodies;
  failed += failures.length;
  return { bodies, failures: failures.slice(0, 10) };
}

describe('every body validates against the spec (1.0-rev0 pure, later revisions with their additions)', () => {
  it(`the sessions list under every filter, Sort and paging, at every revision: ${count('list')} bodies`, async () => {
    expect(await run('list')).toEqual({ bodies: count('list'), failures: [] });
  });

  it(`single sessions of every type, their logs and the product version: ${count('session')} bodies`, async () => {
    expect(await run('session')).toEqual({ bodies: count('session'), failures: [] });
  });

  it(`protected items under every search, Sort and paging: ${count('items')} bodies`, async () => {
    expect(await run('items')).toEqual({ bodies: count('items'), failures: [] });
  });

  it(`token answers (RESTLogin and problems): ${count('token')} bodies`, async () => {
    expect(await run('token')).toEqual({ bodies: count('token'), failures: [] });
  });

  it(`problems for 400, 401 and 404 on every path: ${count('problem')} bodies`, async () => {
    expect(await run('problem')).toEqual({ bodies: count('problem'), failures: [] });
  });

  it(`in all: ${PLAN.length} bodies validated, none failed`, () => {
    expect(validated).toBeGreaterThan(0);
    expect({ validated, failed }).toEqual({ validated: PLAN.length, failed: 0 });
  });
});

describe('the schemas are strict enough to catch what they guard against', () => {
  const session: SessionDto = {
    id: 'f66b0bd7-033e-4a2a-bbc5-8aefb1e0cea5',
    type: 'RetentionActivity',
    status: 'Succeeded',
    result: 'Success',
    usn: 26,
    executionStartTime: '2020-06-19T04:00:05.901095',
    executionStopTime: '2020-06-19T04:00:08.451697',
    executionDuration: 550,
    reason: '',
  };
  const valid = (revision: Revision, name: string, body: unknown) => new SpecSchemas().schema(revision, name)(body);

  it('accepts the verbatim Help Center session at every revision', () => {
    for (const revision of REVISIONS) expect([revision, valid(revision, 'Session', session)]).toEqual([revision, true]);
  });

  it("refuses at 1.0-rev0 a 1.7-rev0 type, a later field and a page's offset, which later revisions accept", () => {
    const schemas = new SpecSchemas();
    const checks: Array<[Revision, string, unknown]> = [
      ['1.7-rev0', 'Session', { ...session, type: 'FlrEfsTask' }],
      ['1.5-rev0', 'Session', { ...session, name: 'Retention', extendedSessionType: 'RetentionActivity' }],
      ['1.8-rev0', 'SessionsPage', { totalCount: 1, results: [session], offset: 0, limit: -1 }],
    ];
    for (const [from, name, body] of checks) {
      expect([from, name, schemas.schema('1.0-rev0', name)(body)]).toEqual([from, name, false]);
      expect([from, name, schemas.schema(from, name)(body)]).toEqual([from, name, true]);
    }
    expect(schemas.schema('1.6-rev0', 'Session')({ ...session, type: 'ManualTask' })).toBe(false);
    expect(schemas.schema('1.7-rev0', 'SessionsPage')({ totalCount: 0, results: [], limit: 5 })).toBe(false);
    expect(schemas.schema('1.4-rev0', 'Session')({ ...session, name: 'x' })).toBe(false);
  });

  it('refuses RFC 1123 token times, an unknown problem errorCode and a problem without a title', () => {
    const schemas = new SpecSchemas();
    expect(schemas.schema('1.0-rev0', 'RESTLogin')({ '.issued': '2026-11-01T00:00:00.000Z', '.expires': '2026-11-01T01:00:00.000Z' })).toBe(
      true,
    );
    expect(schemas.schema('1.0-rev0', 'RESTLogin')({ '.issued': 'Sun, 01 Nov 2026 00:00:00 GMT' })).toBe(false);
    const problem = {
      type: 'http://127.0.0.1:1/api/v1/problems/resourceNotFound',
      title: 'Resource not found',
      status: 404,
      errorCode: 'NotFound',
      details: 'x',
    };
    expect(schemas.schema('1.0-rev0', 'Error')(problem)).toBe(true);
    expect(schemas.schema('1.0-rev0', 'Error')({ ...problem, errorCode: 'Gone' })).toBe(false);
    expect(schemas.schema('1.0-rev0', 'Error')({ ...problem, title: undefined })).toBe(false);
    expect(schemas.schema('1.0-rev0', 'Error')({ ...problem, status: 600 })).toBe(false);
  });

  it("names the spec's own schema per path and status, and falls back to Error only for unlisted problem statuses", () => {
    const schemas = new SpecSchemas();
    expect(schemas.check('1.0-rev0', 'GET', SESSIONS, 200, 'application/json; charset=utf-8', { totalCount: 0, results: [] })).toEqual({
      schema: '200 SessionsPage',
      errors: [],
    });
    expect(schemas.check('1.0-rev0', 'GET', SESSIONS, 200, 'application/json', { totalCount: 0 }).errors).not.toEqual([]);
    expect(schemas.check('1.0-rev0', 'GET', SESSION, 200, 'application/json', { totalCount: 0, results: [] }).errors).not.toEqual([]);
    expect(schemas.check('1.0-rev0', 'GET', SESSION, 204, 'application/json', {}).errors).not.toEqual([]);
    expect(schemas.check('1.0-rev0', 'GET', SESSION, 400, 'application/json', {}).errors).not.toEqual([]);
    expect(schemas.check('1.0-rev0', 'GET', SESSION, 400, 'application/problem+json', {}).schema).toBe('fallback Error');
  });
});

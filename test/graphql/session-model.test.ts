/**
 * The Session model (src/graphql/session-model.ts): its leaf fields are plain properties, so what the
 * schema promises for each field must hold of the model itself. Checked on the model, and through the
 * real schema, for the DTO shapes that need a rule: no times, DateTime.MinValue, unknown spellings,
 * no result.
 */
import { execute, parse, type ExecutionResult, type GraphQLResolveInfo } from 'graphql';
import { createContext } from '../../src/graphql/context';
import { ListMemory } from '../../src/graphql/list-memory';
import type { SessionPageModel } from '../../src/graphql/models';
import { resolvers } from '../../src/graphql/resolvers';
import { buildGatewaySchema } from '../../src/graphql/schema';
import { sessionModel } from '../../src/graphql/session-model';
import type { LogItemDto, SessionDto } from '../../src/upstream/dto';
import type { VeeamClient } from '../../src/upstream/veeam-client';

const FINISHED: SessionDto = {
  id: '0b5e6a3c-1d2e-4f50-8a6b-7c8d9e0f1a2b',
  type: 'Policy',
  status: 'Succeeded',
  usn: 42,
  result: 'Success',
  reason: 'Scheduled',
  executionStartTime: '2020-06-19T04:00:05.901095',
  executionStopTime: '2020-06-19T04:09:59.000000',
  executionDuration: 593_099,
  name: 'Nightly EC2',
  extendedSessionType: 'PolicyBackup',
};

/** Running, as a .NET appliance writes it: DateTime.MinValue for the stop time it does not have. */
const RUNNING: SessionDto = {
  id: '1c6f7b4d-2e3f-4061-9b7c-8d9e0f1a2b3c',
  type: 'RetentionActivity',
  status: 'Running',
  usn: 43,
  result: 'Running',
  executionStartTime: '2020-06-19T05:00:00Z',
  executionStopTime: '0001-01-01T00:00:00',
};

/** A newer appliance's spellings, never run: no times, no result, no name. */
const UNKNOWN_NEVER_RUN: SessionDto = {
  id: '2d708c5e-3f40-4172-8c8d-9e0f1a2b3c4d',
  type: 'QuantumBackup',
  status: 'Paused',
  usn: 9_007_199_254_740_991,
  reason: '',
};

/** A result this gateway does not know: UNKNOWN, with the appliance's spelling beside it. */
const UNKNOWN_RESULT: SessionDto = {
  id: '3e819d6f-4051-4283-9d9e-0f1a2b3c4d5e',
  type: 'Job',
  status: 'Warning',
  usn: 44,
  result: 'PartiallySucceeded',
  executionStartTime: '0001-01-01T00:00:00.0000000',
  executionDuration: 0,
};

const DTOS = [FINISHED, RUNNING, UNKNOWN_NEVER_RUN, UNKNOWN_RESULT];

describe('sessionModel', () => {
  it('carries every leaf field with the value the schema promises', () => {
    expect(sessionModel(FINISHED)).toEqual({
      dto: FINISHED,
      id: FINISHED.id,
      name: 'Nightly EC2',
      type: 'POLICY',
      rawType: 'Policy',
      extendedType: 'PolicyBackup',
      status: 'SUCCEEDED',
      rawStatus: 'Succeeded',
      result: 'SUCCESS',
      rawResult: 'Success',
      reason: 'Scheduled',
      usn: 42,
      startTime: '2020-06-19T04:00:05.901095',
      stopTime: '2020-06-19T04:09:59.000000',
      durationMs: 593_099,
    });
  });

  it('DateTime.MinValue is no time; absent optional fields are null, never undefined', () => {
    expect(sessionModel(RUNNING)).toEqual({
      dto: RUNNING,
      id: RUNNING.id,
      name: null,
      type: 'RETENTION_ACTIVITY',
      rawType: 'RetentionActivity',
      extendedType: null,
      status: 'RUNNING',
      rawStatus: 'Running',
      result: 'RUNNING',
      rawResult: 'Running',
      reason: null,
      usn: 43,
      startTime: '2020-06-19T05:00:00Z',
      stopTime: null,
      durationMs: null,
    });
    expect(sessionModel(UNKNOWN_RESULT)).toMatchObject({ startTime: null, stopTime: null, durationMs: 0 });
  });

  it('unknown spellings are UNKNOWN with the raw value kept; no result is null', () => {
    expect(sessionModel(UNKNOWN_NEVER_RUN)).toMatchObject({
      type: 'UNKNOWN',
      rawType: 'QuantumBackup',
      status: 'UNKNOWN',
      rawStatus: 'Paused',
      result: null,
      rawResult: null,
      reason: '',
      startTime: null,
      stopTime: null,
    });
    expect(sessionModel(UNKNOWN_RESULT)).toMatchObject({ result: 'UNKNOWN', rawResult: 'PartiallySucceeded' });
  });

  it('has no undefined property (a property read would then differ from the schema nullability)', () => {
    for (const dto of DTOS) {
      for (const [field, value] of Object.entries(sessionModel(dto))) expect([field, value]).not.toEqual([field, undefined]);
    }
  });
});

describe('Session through the schema', () => {
  const schema = buildGatewaySchema();
  const byId = new Map(DTOS.map((dto) => [dto.id, dto]));
  const LOG: LogItemDto[] = [{ logTime: '2020-06-19T04:00:06', status: 'Success', message: 'Started' } as LogItemDto];

  function fakeClient() {
    const calls: string[] = [];
    const client = {
      async getSession(id: string) {
        calls.push(`getSession ${id}`);
        const dto = byId.get(id);
        if (!dto) throw new Error(`no session ${id}`);
        return dto;
      },
      async listSessions(params: { offset: number; limit: number }) {
        calls.push('listSessions');
        return { totalCount: DTOS.length, results: DTOS.slice(params.offset, params.offset + params.limit) };
      },
      async getSessionLog(id: string) {
        calls.push(`getSessionLog ${id}`);
        return { log: LOG };
      },
    } as unknown as VeeamClient;
    return { client, calls };
  }

  const contextFor = (client: VeeamClient) =>
    createContext(
      {
        client,
        limits: { maxPageLimit: 1000, upstreamPageSize: 200, maxQueryCost: 500 },
        cacheHints: { finishedItemsSeconds: 0, liveSeconds: 0 },
        lists: new ListMemory(),
      },
      { requestId: 'test', clientId: 'test', signal: new AbortController().signal, deadline: Date.now() + 10_000 },
    );

  const FIELDS = 'id name type rawType extendedType status rawStatus result rawResult reason usn startTime stopTime durationMs';

  /** What the schema promises each DTO answers (serialised: DateTime in UTC with Z, Long a string). */
  const expected: Record<string, Record<string, unknown>> = {
    [FINISHED.id]: {
      id: FINISHED.id,
      name: 'Nightly EC2',
      type: 'POLICY',
      rawType: 'Policy',
      extendedType: 'PolicyBackup',
      status: 'SUCCEEDED',
      rawStatus: 'Succeeded',
      result: 'SUCCESS',
      rawResult: 'Success',
      reason: 'Scheduled',
      usn: '42',
      startTime: '2020-06-19T04:00:05.901095Z',
      stopTime: '2020-06-19T04:09:59.000000Z',
      durationMs: 593_099,
    },
    [RUNNING.id]: {
      id: RUNNING.id,
      name: null,
      type: 'RETENTION_ACTIVITY',
      rawType: 'RetentionActivity',
      extendedType: null,
      status: 'RUNNING',
      rawStatus: 'Running',
      result: 'RUNNING',
      rawResult: 'Running',
      reason: null,
      usn: '43',
      startTime: '2020-06-19T05:00:00Z',
      stopTime: null,
      durationMs: null,
    },
    [UNKNOWN_NEVER_RUN.id]: {
      id: UNKNOWN_NEVER_RUN.id,
      name: null,
      type: 'UNKNOWN',
      rawType: 'QuantumBackup',
      extendedType: null,
      status: 'UNKNOWN',
      rawStatus: 'Paused',
      result: null,
      rawResult: null,
      reason: '',
      usn: '9007199254740991',
      startTime: null,
      stopTime: null,
      durationMs: null,
    },
    [UNKNOWN_RESULT.id]: {
      id: UNKNOWN_RESULT.id,
      name: null,
      type: 'JOB',
      rawType: 'Job',
      extendedType: null,
      status: 'WARNING',
      rawStatus: 'Warning',
      result: 'UNKNOWN',
      rawResult: 'PartiallySucceeded',
      reason: null,
      usn: '44',
      startTime: null,
      stopTime: null,
      durationMs: 0,
    },
  };

  const run = async (source: string, client: VeeamClient): Promise<ExecutionResult> =>
    execute({ schema, document: parse(source), contextValue: contextFor(client) });

  describe('through the schema', () => {
    it.each(DTOS.map((dto) => [dto.id]))('session(id: %s) answers what the schema promises', async (id) => {
      const { client } = fakeClient();
      const result = await run(`{ session(id: "${id}") { ${FIELDS} } }`, client);
      expect(result).toEqual({ data: { session: expected[id] } });
    });

    it('sessions answers the same for each of its items', async () => {
      const { client, calls } = fakeClient();
      const result = await run(`{ sessions(page: { limit: 10 }) { totalCount items { ${FIELDS} } } }`, client);
      expect(result).toEqual({ data: { sessions: { totalCount: DTOS.length, items: DTOS.map((dto) => expected[dto.id]) } } });
      expect(calls).toEqual(['listSessions']);
    });

    it('the computed fields read the model: log by its id, protectedItems without a call for a retention', async () => {
      const { client, calls } = fakeClient();
      const result = await run(`{ session(id: "${RUNNING.id}") { stopTime log { message } protectedItems { totalCount } } }`, client);
      expect(result).toEqual({ data: { session: { stopTime: null, log: [{ message: 'Started' }], protectedItems: { totalCount: 0 } } } });
      expect(calls.sort()).toEqual([`getSession ${RUNNING.id}`, `getSessionLog ${RUNNING.id}`]);
    });
  });
});

describe('one model per session and request', () => {
  it('session(id) after sessions is the very model the page built, with no upstream call', async () => {
    let getSessionCalls = 0;
    const client = {
      async getSession() {
        getSessionCalls += 1;
        throw new Error('not expected');
      },
      async listSessions() {
        return { totalCount: DTOS.length, results: DTOS };
      },
    } as unknown as VeeamClient;
    const context = createContext(
      {
        client,
        limits: { maxPageLimit: 1000, upstreamPageSize: 200, maxQueryCost: 500 },
        cacheHints: { finishedItemsSeconds: 0, liveSeconds: 0 },
        lists: new ListMemory(),
      },
      { requestId: 'test', clientId: 'test', signal: new AbortController().signal, deadline: Date.now() + 10_000 },
    );
    const sessions = resolvers.Query?.sessions;
    if (typeof sessions !== 'function') throw new Error('no sessions resolver');
    const page = (await sessions({}, { page: { offset: 0, limit: 10 } }, context, {} as GraphQLResolveInfo)) as SessionPageModel;
    expect(page.items.map((item) => item.dto)).toEqual(DTOS);
    const item = page.items[1];
    await expect(context.loaders.sessionById.load(RUNNING.id)).resolves.toBe(item);
    expect(getSessionCalls).toBe(0);
  });
});

/**
 * Looking ahead from `session(id:)`: which loads start before the session resolves, with which keys,
 * through fragments, aliases, @skip/@include and variables.
 */
import { buildSchema, graphql, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../../src/graphql/context';
import type { ProtectedItemsKey } from '../../src/graphql/loaders';
import type { SessionModel } from '../../src/graphql/models';
import { prefetchListedItems, prefetchRunningItems, prefetchSessionChildren } from '../../src/graphql/prefetch';
import { MAX_RUNNING_PER_LIST } from '../../src/graphql/list-memory';
import { loadTypeDefs } from '../../src/graphql/schema';

const ID = '0b8f2a55-3c1e-4c55-9b0a-2f7a1d3e4c5b';

interface Recorded {
  logs: string[];
  items: ProtectedItemsKey[];
  started: number;
}

function schemaRecording(finishedItemsSeconds: number): {
  schema: GraphQLSchema;
  run(query: string, variables?: Record<string, unknown>): Promise<Recorded>;
} {
  const schema = buildSchema(loadTypeDefs());
  return {
    schema,
    async run(query, variables) {
      const recorded: Recorded = { logs: [], items: [], started: 0 };
      const context = {
        limits: { maxPageLimit: 1000, upstreamPageSize: 200, maxQueryCost: 500 },
        cacheHints: { finishedItemsSeconds, liveSeconds: 0 },
        loaders: {
          sessionLog: { load: (id: string) => (recorded.logs.push(id), Promise.reject(new Error('dropped'))) },
          protectedItems: { load: (key: ProtectedItemsKey) => (recorded.items.push(key), Promise.reject(new Error('dropped'))) },
        },
      } as unknown as GatewayContext;
      const session = schema.getQueryType()?.getFields()['session'];
      if (!session) throw new Error('no Query.session');
      session.resolve = (_parent, args: { id: string }, ctx: GatewayContext, info) => {
        recorded.started = prefetchSessionChildren(args.id.toLowerCase(), info, ctx);
        return null; // the session does not exist: what was started is dropped
      };
      const result = await graphql({ schema, source: query, variableValues: variables, contextValue: context });
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ session: null });
      return recorded;
    },
  };
}

const cacheOff = schemaRecording(0);

describe('prefetchSessionChildren', () => {
  it('starts the log and the items with the keys the nested resolvers will ask for', async () => {
    const recorded = await cacheOff.run(
      `query ($id: ID!, $n: Int!) { session(id: $id) { id
      log { message } protectedItems(page: {limit: $n}, search: "web") { totalCount } } }`,
      { id: ID.toUpperCase(), n: 7 },
    );
    expect(recorded.logs).toEqual([ID]);
    expect(recorded.items).toEqual([{ sessionId: ID, sessionFinished: false, search: 'web', sort: [], page: { offset: 0, limit: 7 } }]);
    expect(recorded.started).toBe(2);
  });

  it('applies argument defaults as execution does', async () => {
    const recorded = await cacheOff.run(`{ session(id: "${ID}") { protectedItems { totalCount } } }`);
    expect(recorded.items.map((key) => key.page)).toEqual([{ offset: 0, limit: 50 }]);
    expect(recorded.logs).toEqual([]);
  });

  it('follows named and inline fragments and aliases, once per distinct selection', async () => {
    const recorded = await cacheOff.run(
      `query ($id: ID!) { session(id: $id) { ...Detail ... on Session { first: protectedItems(page: {limit: 1}) { totalCount } } } }
      fragment Detail on Session { log { message } again: log { status } ...Detail2 }
      fragment Detail2 on Session { protectedItems(page: {limit: 2}) { totalCount } }`,
      { id: ID },
    );
    expect(recorded.logs).toEqual([ID]); // one load however many times log is selected
    expect(recorded.items.map((key) => key.page.limit).sort()).toEqual([1, 2]);
  });

  it('honours @skip and @include, with variables', async () => {
    const recorded = await cacheOff.run(
      `query ($id: ID!, $skip: Boolean!) { session(id: $id) {
      log @skip(if: $skip) { message } protectedItems @include(if: false) { totalCount } } }`,
      { id: ID, skip: true },
    );
    expect(recorded.logs).toEqual([]);
    expect(recorded.items).toEqual([]);
  });

  it('leaves invalid arguments to the nested resolver', async () => {
    const schema = schemaRecording(0);
    const recorded = await schema.run(`{ session(id: "${ID}") { log { message } protectedItems(page: {limit: 100000}) { totalCount } } }`);
    expect(recorded.items).toEqual([]);
    expect(recorded.logs).toEqual([ID]);
  });

  it('with the finished-item cache on, starts only the log (how long items may be kept depends on the session)', async () => {
    const recorded = await schemaRecording(86_400).run(`{ session(id: "${ID}") { log { message } protectedItems { totalCount } } }`);
    expect(recorded.logs).toEqual([ID]);
    expect(recorded.items).toEqual([]);
  });

  it('starts nothing when no child is selected', async () => {
    const recorded = await cacheOff.run(`{ session(id: "${ID}") { id name } }`);
    expect(recorded.started).toBe(0);
  });
});

/**
 * The loads `prefetch` starts from inside Query.sessions for `query`, on the real schema; the keys it
 * returns must be the keys it loaded.
 */
async function loadsStartedBy(
  prefetch: (info: GraphQLResolveInfo, context: GatewayContext) => ProtectedItemsKey[],
  query: string,
  variables?: Record<string, unknown>,
): Promise<ProtectedItemsKey[]> {
  const schema = buildSchema(loadTypeDefs());
  const loads: ProtectedItemsKey[] = [];
  const context = {
    limits: { maxPageLimit: 1000, upstreamPageSize: 200, maxQueryCost: 500 },
    loaders: { protectedItems: { load: (key: ProtectedItemsKey) => (loads.push(key), Promise.reject(new Error('dropped'))) } },
  } as unknown as GatewayContext;
  let returned: ProtectedItemsKey[] = [];
  const sessions = schema.getQueryType()?.getFields()['sessions'];
  if (!sessions) throw new Error('no Query.sessions');
  sessions.resolve = (_parent, _args, ctx: GatewayContext, info) => {
    returned = prefetch(info, ctx);
    return { totalCount: 0, offset: 0, limit: 0, items: [] };
  };
  const result = await graphql({ schema, source: query, variableValues: variables, contextValue: context });
  expect(result.errors).toBeUndefined();
  expect(returned).toEqual(loads);
  return loads;
}

describe('prefetchRunningItems', () => {
  const RUNNING = [ID, '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f'];

  const startedFor = (query: string, variables?: Record<string, unknown>, running: readonly string[] = RUNNING) =>
    loadsStartedBy((info, context) => prefetchRunningItems(running, info, context), query, variables);

  it('starts each remembered session with the arguments of every items { protectedItems } selected', async () => {
    const loads = await startedFor(
      `query ($n: Int!) { sessions { items { ...Items a: protectedItems(page: {limit: $n}) { totalCount } } } }
      fragment Items on Session { protectedItems(search: "db") { totalCount } }`,
      { n: 20 },
    );
    expect(loads.map((key) => [key.sessionId, key.page.limit, key.search ?? null, key.sessionFinished])).toEqual([
      [RUNNING[0], 50, 'db', false],
      [RUNNING[1], 50, 'db', false],
      [RUNNING[0], 20, null, false],
      [RUNNING[1], 20, null, false],
    ]);
  });

  it('starts nothing without a protectedItems selection, when skipped, for invalid arguments, or with nothing remembered', async () => {
    expect(await startedFor('{ sessions { totalCount items { id } } }')).toEqual([]);
    expect(
      await startedFor('query ($s: Boolean!) { sessions { items { protectedItems @skip(if: $s) { totalCount } } } }', { s: true }),
    ).toEqual([]);
    expect(await startedFor('{ sessions { items { protectedItems(page: {limit: 100000}) { totalCount } } } }')).toEqual([]);
    expect(await startedFor('{ sessions { items { protectedItems { totalCount } } } }', undefined, [])).toEqual([]);
  });

  it('starts at most MAX_RUNNING_PER_LIST loads, however many selections multiply them', async () => {
    const aliases = Array.from({ length: 10 }, (_, i) => `p${i}: protectedItems(page: {limit: ${i + 1}}) { totalCount }`).join(' ');
    const many = Array.from({ length: MAX_RUNNING_PER_LIST }, (_, i) => `${ID.slice(0, -2)}${String(i).padStart(2, '0')}`);
    const loads = await startedFor(`{ sessions { items { ${aliases} } } }`, undefined, many);
    expect(loads).toHaveLength(MAX_RUNNING_PER_LIST);
  });
});

describe('prefetchListedItems', () => {
  const FINISHED = { id: ID, dto: { id: ID, type: 'PolicyBackup', status: 'Success', executionStopTime: '2026-11-01T01:00:00Z' } };
  const RUNNING_ID = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
  const RUNNING = { id: RUNNING_ID, dto: { id: RUNNING_ID, type: 'PolicyBackup', status: 'Running', executionStopTime: null } };
  const RETENTION_ID = '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a';
  const RETENTION = {
    id: RETENTION_ID,
    dto: { id: RETENTION_ID, type: 'RetentionActivity', status: 'Success', executionStopTime: '2026-11-01T01:00:00Z' },
  };
  const LISTED = [FINISHED, RUNNING, RETENTION] as unknown as SessionModel[];

  const startedFor = (query: string, variables?: Record<string, unknown>) =>
    loadsStartedBy((info, context) => prefetchListedItems(LISTED, info, context), query, variables);

  it("starts every listed session's items with the key its resolver will load: finished or not, per selection", async () => {
    const loads = await startedFor(
      `query ($n: Int!) { sessions { items { ... on Session { protectedItems(page: {limit: $n}) { totalCount } } b: protectedItems(search: "db") { totalCount } } } }`,
      { n: 20 },
    );
    expect(loads.map((key) => [key.sessionId, key.page.limit, key.search ?? null, key.sessionFinished])).toEqual([
      [ID, 20, null, true],
      [RUNNING_ID, 20, null, false],
      [ID, 50, 'db', true],
      [RUNNING_ID, 50, 'db', false],
    ]);
  });

  it('skips sessions known to protect nothing, and starts nothing without a valid protectedItems selection', async () => {
    expect((await startedFor('{ sessions { items { protectedItems { totalCount } } } }')).map((key) => key.sessionId)).not.toContain(
      RETENTION_ID,
    );
    expect(await startedFor('{ sessions { totalCount items { id } } }')).toEqual([]);
    expect(await startedFor('{ sessions { items { protectedItems(page: {limit: 100000}) { totalCount } } } }')).toEqual([]);
  });
});

/**
 * Looking ahead from `session(id:)`: which loads start before the session resolves, with which keys,
 * through fragments, aliases, @skip/@include and variables.
 */
import { buildSchema, graphql, type GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../../src/graphql/context';
import type { ProtectedItemsKey } from '../../src/graphql/loaders';
import { prefetchSessionChildren } from '../../src/graphql/prefetch';
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
    expect(recorded.logs).toEqual([ID, ID]); // DataLoader makes these one call
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

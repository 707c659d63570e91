/**
 * The compiling executor (src/graphql/executor.ts): a document runs on graphql-js first and compiled
 * (graphql-jit) when it comes back, and the two answer alike: the same data, the same errors with the
 * same codes and paths, over the real gateway and simulator.
 */
import { buildSchema, parse, type GraphQLSchema } from 'graphql';
import { compilable, createExecutor, MAX_COMPILED_FIELDS } from '../../src/graphql/executor';
import { startStack, type Stack } from '../helpers/stack';

describe('compile policy', () => {
  const schema: GraphQLSchema = buildSchema('type Query { hello(name: String!): String, bye: String }');
  const field = schema.getQueryType()?.getFields()['hello'];
  if (field) field.resolve = (_root, args: { name: string }) => `hello ${args.name}`;

  function executorWithLog(interpretedRuns?: number) {
    const compiles: string[] = [];
    const execute = createExecutor(schema, {
      ...(interpretedRuns !== undefined ? { interpretedRuns } : {}),
      onCompile: (name) => compiles.push(name),
    });
    return { execute, compiles };
  }

  const run = (execute: ReturnType<typeof createExecutor>, document: ReturnType<typeof parse>, variables: Record<string, unknown>) => {
    const operation = document.definitions[0];
    if (operation?.kind !== 'OperationDefinition') throw new Error('no operation');
    return execute({ document, operation, operationName: undefined, variables, contextValue: {} });
  };

  it('interprets the first run of a document and compiles it on the second', async () => {
    const { execute, compiles } = executorWithLog();
    const document = parse('query Greet($name: String!) { hello(name: $name) }');
    expect(await run(execute, document, { name: 'a' })).toEqual({ data: { hello: 'hello a' } });
    expect(compiles).toEqual([]);
    expect(await run(execute, document, { name: 'b' })).toEqual({ data: { hello: 'hello b' } });
    expect(await run(execute, document, { name: 'c' })).toEqual({ data: { hello: 'hello c' } });
    expect(compiles).toEqual(['']);
  });

  it('compiled plans are bounded: an evicted one is compiled again when its document comes back', async () => {
    const compiles: string[] = [];
    const execute = createExecutor(schema, { maxCompiled: 1, onCompile: (name) => compiles.push(name) });
    const twice = async (document: ReturnType<typeof parse>): Promise<void> => {
      for (let time = 0; time < 2; time += 1) expect(await run(execute, document, {})).toEqual({ data: { bye: null } });
    };
    const a = parse('query A { bye }');
    await twice(a);
    await twice(parse('query B { bye }')); // evicts A's plan
    await twice(a); // interpreted once more, then compiled again
    expect(compiles).toEqual(['', '', '']);
  });

  it('a document seen once is never compiled; another parse of the same text is another document', async () => {
    const { execute, compiles } = executorWithLog(2);
    await run(execute, parse('{ bye }'), {});
    await run(execute, parse('{ bye }'), {});
    expect(compiles).toEqual([]);
  });

  it('compiled, variables are still coerced by graphql-js: its messages, its error nodes', async () => {
    const { execute } = executorWithLog(0);
    const document = parse('query Greet($name: String!) { hello(name: $name) }');
    const result = await run(execute, document, { name: 5 });
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.message).toBe('Variable "$name" got invalid value 5; String cannot represent a non string value: 5');
    expect(result.errors?.[0]?.nodes?.[0]?.kind).toBe('VariableDefinition');
  });
});

describe('which documents graphql-jit may compile (compilable)', () => {
  it.each([
    [
      'the dashboard',
      '{ sessions(page: {limit: 50}) { items { id name protectedItems(page: {limit: 20}) { totalCount items { name status } } } } }',
    ],
    [
      'values as variables',
      'query R($filter: SessionFilter, $id: ID!) { sessions(filter: $filter) { totalCount } session(id: $id) { id } }',
    ],
    ['plain aliases and __typename', '{ a: sessions { items { __typename id } } }'],
    ['enum, int and null literals', '{ sessions(sort: [{field: USN, direction: DESC}], page: {limit: 5, offset: null}) { items { id } } }'],
    [
      'a non-null variable inside an input object',
      'query R($from: DateTime!) { sessions(filter: {status: [FAILED], from: $from}) { totalCount } }',
    ],
  ])('admits %s', (_name, text) => {
    expect(compilable(parse(text))).toBe(true);
  });

  it.each([
    [
      'a string literal (graphql-jit splices some strings into code)',
      '{ sessions { items { protectedItems(search: "x") { totalCount } } } }',
    ],
    ['a string default of a variable', 'query ($s: String = "x") { sessions { items { protectedItems(search: $s) { totalCount } } } }'],
    ['a float literal', '{ sessions(page: {limit: 1.0}) { totalCount } }'],
    ['a named fragment (exponential expansion, shared nodes)', '{ sessions { ...P } } fragment P on SessionPage { totalCount }'],
    ['a __proto__ variable', 'query ($__proto__: PageInput) { sessions(page: $__proto__) { totalCount } }'],
    ['an alias with an underscore (colliding info names)', '{ buckets_sessionStats: sessionStats { total } }'],
    ['an alias like a list index name', '{ idx0: sessions { totalCount } }'],
    ['introspection', '{ __schema { types { name } } }'],
    ['an inline fragment', '{ sessions { ... on SessionPage { totalCount } } }'],
    [
      'a directive (a skipped selection merged with a kept one comes back)',
      '{ sessions @skip(if: true) { items { id } } sessions { totalCount } }',
    ],
    ['a variable default (ignored)', 'query ($n: Int! = 2) { sessions(page: {limit: $n}) { totalCount } }'],
    [
      'a nullable variable inside a literal (omitted: null, not the default)',
      'query ($d: SortDirection) { sessions(sort: [{field: TYPE, direction: $d}]) { totalCount } }',
    ],
    ['a subscription', 'subscription { sessionUpdates { usn } }'],
    [
      'more fields than the bound',
      `{ ${Array.from({ length: MAX_COMPILED_FIELDS + 1 }, (_, i) => `f${i}: sessions { totalCount }`).join(' ')} }`,
    ],
  ])('refuses %s', (_name, text) => {
    expect(compilable(parse(text))).toBe(false);
  });
});

describe('interpreted and compiled answers agree (real gateway, real simulator)', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Nothing kept between runs: both runs make the same upstream calls and see the same data.
    stack = await startStack({ env: { CACHE_FINISHED_TTL_MS: '0', CACHE_LIVE_TTL_MS: '0' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  const fragment = 'fragment Item on ProtectedItem { __typename name status region }';
  // Every row has its variables: jest takes a test function with more parameters than the row for a done-callback test.
  const documents: Array<[string, string, Record<string, unknown>]> = [
    [
      'the dashboard, with aliases, a fragment and enums',
      `query D { sessions(page: {limit: 20}) { totalCount hasNextPage items { id name type status result startTime stopTime durationMs usn
        first: protectedItems(page: {limit: 3}) { totalCount items { ...Item } }
        again: protectedItems(page: {limit: 3}) { items { name } } } } } ${fragment}`,
      {},
    ],
    [
      '@include and @skip from variables',
      `query S($withItems: Boolean!, $skipName: Boolean!) { sessions(page: {limit: 5}) { items { id name @skip(if: $skipName)
        protectedItems(page: {limit: 2}) @include(if: $withItems) { totalCount } } } }`,
      { withItems: true, skipName: true },
    ],
    [
      'variables of custom scalars and input objects',
      `query R($filter: SessionFilter, $sort: [SessionSort!]) { sessions(filter: $filter, sort: $sort, page: {limit: 10}) { totalCount items { id usn startTime } } }`,
      { filter: { status: ['FAILED', 'WARNING'], from: '2026-01-01T00:00:00Z' }, sort: [{ field: 'USN', direction: 'DESC' }] },
    ],
    ['an unknown session: null, no error', `{ session(id: "00000000-0000-4000-8000-000000000000") { id log { time } } }`, {}],
    [
      'a session with its log and items',
      `query One($id: ID!) { session(id: $id) { id name log { time status message } protectedItems { totalCount items { id name } } } }`,
      { id: '' },
    ],
    ['statistics', `{ sessionStats { total byStatus { status count } byResult { result count } } }`, {}],
  ];

  it.each(documents)('%s', async (_name, query, given) => {
    const variables = 'id' in given ? { id: stack.sim.data.sessions.find((s) => s.status === 'Succeeded')?.id } : given;
    const interpreted = await stack.gql(query, variables);
    const compiled = await stack.gql(query, variables);
    const again = await stack.gql(query, variables);
    expect(interpreted.status).toBe(200);
    expect(interpreted.errors).toBeUndefined();
    expect(compiled).toEqual(interpreted);
    expect(again).toEqual(interpreted);
  });

  it('a failing upstream call fails alike: same code, same path, same partial data', async () => {
    const query = '{ sessions(page: {limit: 5}) { items { id protectedItems(page: {limit: 2}) { totalCount } } } }';
    stack.sim.knobs.faultRules = [{ pathIncludes: '/protectedItems', status: 500 }];
    try {
      const interpreted = await stack.gql(query);
      const compiled = await stack.gql(query);
      expect(interpreted.errors?.length).toBeGreaterThan(0);
      expect(compiled).toEqual(interpreted);
    } finally {
      stack.sim.knobs.faultRules = [];
    }
  });
});

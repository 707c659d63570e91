/**
 * The cost model: worst-case upstream calls from the document and its variables.
 */
import fc from 'fast-check';
import { buildSchema, Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { operationShape } from '../../../src/graphql/analysis/query-cost';
import { loadTypeDefs } from '../../../src/graphql/schema';

const schema = buildSchema(loadTypeDefs());

function shape(query: string, variables: Record<string, unknown> = {}, upstreamPageSize = 200) {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation) throw new Error('no operation');
  const fragments = Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  return operationShape(schema, operation, { variables, fragments, upstreamPageSize });
}

const DASHBOARD = `{ sessions(page: {limit: 50}) { items { id protectedItems(page: {limit: 20}) { items { name } } log { message } } } }`;

describe('operationShape', () => {
  it('costs the dashboard 1 list call + 50 × (items + log) = 101', () => {
    expect(shape(DASHBOARD)).toMatchObject({ cost: 101, depth: 5, aliases: 0 });
  });

  it('reads page sizes from variables and argument defaults', () => {
    const query = 'query ($n: Int, $m: Int) { sessions(page: {limit: $n}) { items { protectedItems(page: {limit: $m}) { totalCount } } } }';
    expect(shape(query, { n: 10, m: 5 }).cost).toBe(1 + 10 * 1);
    // 1000 items at 200 a call: 5 slices, and the first call made as asked (sessions/pages.ts).
    expect(shape(query, { n: 500, m: 1000 }).cost).toBe(3 + 500 * (1 + 5));
    expect(shape('{ sessions { items { id } } }').cost).toBe(1); // default limit 50, one page
    expect(shape('{ sessions { items { log { message } } } }').cost).toBe(1 + 50);
  });

  it('counts aliases with distinct arguments once each, identical ones once', () => {
    const distinct =
      '{ sessions(page: {limit: 10}) { items { a: protectedItems(search: "a") { totalCount } b: protectedItems(search: "b") { totalCount } } } }';
    const same =
      '{ sessions(page: {limit: 10}) { items { a: protectedItems(search: "a") { totalCount } b: protectedItems(search: "a") { totalCount } } } }';
    expect(shape(distinct)).toMatchObject({ cost: 1 + 10 * 2, aliases: 2 });
    expect(shape(same).cost).toBe(1 + 10 * 1);
  });

  it('follows fragments and inline fragments, and honours @skip/@include with variables', () => {
    const query = `query ($withLog: Boolean!) { sessions(page: {limit: 4}) { items { ...F ... on Session { log @include(if: $withLog) { message } } } } }
      fragment F on Session { protectedItems { totalCount } }`;
    expect(shape(query, { withLog: true }).cost).toBe(1 + 4 * 2);
    expect(shape(query, { withLog: false }).cost).toBe(1 + 4 * 1);
  });

  it('costs session(id) with a large items page by upstream pages', () => {
    // 5 slices in the total order plus the first call made as the client asked.
    expect(shape('{ session(id: "x") { protectedItems(page: {limit: 1000}) { totalCount } log { message } } }').cost).toBe(1 + (1 + 5) + 1);
    expect(shape('{ session(id: "x") { protectedItems(page: {limit: 200}) { totalCount } } }').cost).toBe(1 + 1);
  });

  it('measures introspection depth apart, and counts its aliases like any others', () => {
    const introspection = shape('{ __schema { types { fields { type { ofType { ofType { ofType { ofType { name } } } } } } } } }');
    expect(introspection).toMatchObject({ depth: 0, introspectionDepth: 9, aliases: 0 });
    expect(shape('{ a: __schema { b: types { name } } c: __type(name: "Session") { name } }').aliases).toBe(3);
  });

  it('matches the closed form for any page sizes given as variables', () => {
    const query =
      'query ($n: Int, $m: Int) { sessions(page: {limit: $n}) { items { protectedItems(page: {limit: $m}) { totalCount } log { message } } } }';
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 500 }),
        (n, m, pageSize) => {
          const slices = Math.ceil(Math.max(m, 1) / pageSize);
          const items = slices > 1 ? slices + 1 : slices;
          const expected = Math.ceil(Math.max(n, 1) / pageSize) + n * (items + 1);
          return shape(query, { n, m }, pageSize).cost === expected;
        },
      ),
    );
  });
});

/**
 * The operation walk: linear in the document whatever its fragments do (issue 12, finding 1), no
 * recursion, fields merged by response name as graphql-js merges them.
 */
import fc from 'fast-check';
import { buildSchema, Kind, Lexer, parse, Source, TokenKind, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { AnalysisTooLargeError, walkOperation } from '../../../src/graphql/analysis/operation-walk';
import { operationShape } from '../../../src/graphql/analysis/query-cost';
import { loadTypeDefs } from '../../../src/graphql/schema';
import { doubling, FRAGMENT_BOMB } from '../../../bench/hostile-documents';

const schema = buildSchema(loadTypeDefs());

function parts(query: string) {
  const document = parse(query, { noLocation: false });
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation) throw new Error('no operation');
  const fragments = Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  return { operation, fragments };
}

function tokensOf(query: string): number {
  const lexer = new Lexer(new Source(query));
  let count = 0;
  while (lexer.advance().kind !== TokenKind.EOF) count += 1;
  return count;
}

const shape = (query: string, maxVisits?: number) => {
  const { operation, fragments } = parts(query);
  return operationShape(schema, operation, { variables: {}, fragments, upstreamPageSize: 200, ...(maxVisits ? { maxVisits } : {}) });
};

describe('walkOperation', () => {
  it('analyses the 1.1 KB doubling-fragment document in a few hundred steps, at its true cost', () => {
    expect(FRAGMENT_BOMB.length).toBeLessThan(1_300);
    const result = shape(FRAGMENT_BOMB);
    // Expanded naively this is 2^12 × 2^12 fields; each fragment is read once.
    expect(result.visits).toBeLessThan(300);
    expect(result).toMatchObject({ cost: 1 + 1, depth: 5, aliases: 0, rows: 1 + 50 });
  });

  it('merges 2^17 copies of one field without recursion (no stack overflow)', () => {
    const query = `{ sessions(page: {limit: 1}) { items { ...F0 } } }\n${doubling('F', 'Session', 18, 'id')}`;
    const result = shape(query);
    expect(result.visits).toBeLessThan(200);
    expect(result.walk.root[0]?.children[0]?.children.map((field) => field.responseName)).toEqual(['id']);
  });

  it('walks 3,000 nested fragments without recursion', () => {
    const chain = Array.from({ length: 3_000 }, (_, i) => `fragment C${i} on Session { ${i === 2_999 ? 'id' : `...C${i + 1}`} }`).join(
      '\n',
    );
    expect(shape(`{ session(id: "x") { ...C0 } }\n${chain}`).visits).toBeLessThan(10_000);
  });

  it('counts aliases multiplied through fragments without expanding them', () => {
    // 2^20 aliased fields in the answer: refused by the alias limit, found in linear time.
    const fragments = Array.from(
      { length: 20 },
      (_, i) => `fragment A${i} on Session { a: protectedItems { items { ...B${i} } } b: protectedItems { items { ...B${i} } } }`,
    );
    const bs = Array.from({ length: 20 }, (_, i) => `fragment B${i} on ProtectedItem { id }`);
    const query = `{ session(id: "x") { ...A0 } }\n${fragments.join('\n')}\n${bs.join('\n')}`;
    const result = shape(query);
    expect(result.aliases).toBe(2);
    expect(result.visits).toBeLessThan(200);
  });

  it('merges fields by response name: the same field from two fragments is one field with both selections', () => {
    const query = `{ session(id: "x") { ...A ...B } }
      fragment A on Session { protectedItems { items { id } } }
      fragment B on Session { protectedItems { items { name } } log { message } }`;
    const { walk, cost } = shape(query);
    const session = walk.root[0];
    expect(session?.children.map((f) => f.responseName)).toEqual(['protectedItems', 'log']);
    expect(session?.children[0]?.children[0]?.children.map((f) => f.responseName)).toEqual(['id', 'name']);
    expect(cost).toBe(1 + 1 + 1);
  });

  it('stops at the visit cap with AnalysisTooLargeError', () => {
    const { operation, fragments } = parts(`{ sessions { items { ${'id '.repeat(100)} } } }`);
    expect(() => walkOperation(schema, operation, { variables: {}, fragments, maxVisits: 50 })).toThrow(AnalysisTooLargeError);
  });

  it('visits at most a fixed multiple of the tokens of any document (fragments, spreads, aliases)', () => {
    const sessionLeaf = fc.constantFrom('id', 'name', 'status', 'usn', 'rawType');
    // A selection inside fragment i may spread only fragments after i (no cycles: invalid documents never reach analysis).
    const selection = (i: number, count: number) =>
      fc.oneof(
        sessionLeaf,
        fc.tuple(fc.integer({ min: 0, max: 4 }), sessionLeaf).map(([alias, leaf]) => `a${alias}_${leaf}: ${leaf}`),
        ...(i + 1 < count ? [fc.integer({ min: i + 1, max: count - 1 }).map((j) => `...F${j}`)] : []),
        ...(i + 1 < count ? [fc.integer({ min: i + 1, max: count - 1 }).map((j) => `... on Session { ...F${j} id }`)] : []),
        fc
          .tuple(fc.integer({ min: 0, max: 2 }), sessionLeaf)
          .map(([alias, leaf]) => `p${alias}: protectedItems { items { id } totalCount } ${leaf}`),
      );
    const documentOf = fc.integer({ min: 1, max: 12 }).chain((count) =>
      fc
        .tuple(
          fc.array(
            fc.integer({ min: 0, max: count - 1 }).map((j) => `...F${j}`),
            { minLength: 1, maxLength: 4 },
          ),
          fc.tuple(...Array.from({ length: count }, (_, i) => fc.array(selection(i, count), { minLength: 1, maxLength: 8 }))),
          fc.integer({ min: 0, max: 3 }),
        )
        .map(([rootSpreads, bodies, aliases]) => {
          const roots = Array.from({ length: aliases + 1 }, (_, k) => `s${k}: sessions { items { ${rootSpreads.join(' ')} } }`);
          return [`{ ${roots.join(' ')} }`, ...bodies.map((body, i) => `fragment F${i} on Session { ${body.join(' ')} }`)].join('\n');
        }),
    );
    fc.assert(
      fc.property(documentOf, (query) => {
        const { visits } = shape(query);
        return visits <= 4 * tokensOf(query);
      }),
      { numRuns: 500 },
    );
  });
});

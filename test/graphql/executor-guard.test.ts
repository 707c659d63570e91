/**
 * A review of the compile guard (`compilable` in src/graphql/executor.ts): documents the guard ADMITS,
 * so that graphql-jit compiles them from their second run. Two questions per document: can text the
 * client wrote reach graphql-jit's generated source as code, and does the compiled answer equal the
 * first, interpreted one (over the real gateway and simulator)?
 *
 * The first question is answered no for every channel (see "code generation"). The differences the
 * review found are kept below as reproductions: the guard now refuses each of those documents, so
 * they stay on graphql-js and answer as it does.
 */
import { parse, visit, type DocumentNode } from 'graphql';
import * as jit from 'graphql-jit';
import { compilable, MAX_COMPILED_FIELDS } from '../../src/graphql/executor';
import { buildGatewaySchema } from '../../src/graphql/schema';
import { admits, compileRuns, expectSameAnswers, type Answer } from '../helpers/compile-runs';
import { startStack, type Stack } from '../helpers/stack';

jest.mock('graphql-jit', () => {
  const actual = jest.requireActual<typeof import('graphql-jit')>('graphql-jit');
  return { ...actual, compileQuery: jest.fn(actual.compileQuery) };
});

const compileQuery = jest.mocked(jit.compileQuery);
const actualJit = jest.requireActual<typeof import('graphql-jit')>('graphql-jit');

/** graphql-jit's magic prefixes (execution.js `objectStringify`): a literal starting with one becomes code. */
const MAGIC = ['__MAGIC_DATE__', '__MAGIC_NAN__', '__MAGIC_PLUS_INFINITY__', '__MAGIC_MINUS_INFINITY__'];
const MARK = '__jitGuardRan';
const marker = (): unknown => (globalThis as Record<string, unknown>)[MARK];

let stack: Stack;
const { post, thrice, sessionId } = compileRuns(() => stack, compileQuery);

const body = (answer: Answer | undefined) =>
  answer?.body as { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

/** graphql-jit's generated source for a document (its `debug` option keeps it). */
function generatedSource(document: DocumentNode): string {
  const compiled = actualJit.compileQuery(buildGatewaySchema(), document, undefined, {
    debug: true,
    disablingCapturingStackErrors: true,
  } as Parameters<typeof actualJit.compileQuery>[3]);
  if (!actualJit.isCompiledQuery(compiled)) throw new Error(`not compiled: ${JSON.stringify(compiled.errors)}`);
  return (compiled as unknown as { __DO_NOT_USE_THIS_OR_YOU_WILL_BE_FIRED_compilation: string })
    .__DO_NOT_USE_THIS_OR_YOU_WILL_BE_FIRED_compilation;
}

/** `n` nested inline fragments, each on its own Boolean variable, around `inner`. */
function nestedConditions(n: number, inner: string): string {
  let variables = '';
  let open = '';
  let close = '';
  for (let i = 0; i < n; i += 1) {
    variables += ` $v${i}: Boolean!`;
    open += ` ... @include(if: $v${i}) {`;
    close += ' }';
  }
  return `query (${variables}) {${open} ${inner}${close} }`;
}

beforeAll(async () => {
  stack = await startStack({
    env: {
      // Nothing kept between runs: every run makes the same upstream calls and sees the same data.
      CACHE_FINISHED_TTL_MS: '0',
      CACHE_LIVE_TTL_MS: '0',
      UPSTREAM_RETRY_ATTEMPTS: '1',
      BREAKER_FAILURE_THRESHOLD: '1000',
      // A small budget, so that what the query limits would refuse shows with few upstream calls.
      MAX_QUERY_COST: '20',
    },
  });
});

afterAll(async () => {
  await stack.close();
  Reflect.deleteProperty(globalThis, MARK);
});

afterEach(() => {
  stack.sim.knobs.faultRules = [];
});

describe('code generation: no client text of an admitted document becomes code', () => {
  /*
   * Every place graphql-jit 0.8.9 writes document-derived text into source (execution.js, ast.js,
   * variables.js, resolve-info.js) and what reaches it once the guard has admitted a document:
   *   - argument literals (objectStringify: JSON plus the magic rewrites): no StringValue or FloatValue
   *     is admitted, so only Int (numbers), Boolean, null, enum internal values (the schema's names),
   *     and the parseLiteral results of ID and Long for Int literals: decimal digit strings, quoted;
   *   - aliases (`"alias":`, `__parent.alias`, function and resolve-info names): PLAIN_NAME;
   *   - variable names (`__context.variables["v"]`, `hasValue…` identifiers): PLAIN_NAME; variable
   *     defaults go through plain JSON.stringify (no magic rewrite), and no string default is admitted;
   *   - field, argument, input-field, type names: validated against the schema (none has `_`);
   *   - @skip/@include: only a variable name or `true`/`false`; no other directive exists;
   *   - the operation name: a computed property key (`{ [name]() {} }`), never source;
   *   - locations: numbers; comments and the source text never reach the generator.
   */
  it.each([
    ['ID given as a negative Int literal past 2^64', '{ session(id: -184467440737095516161) { id } }', '"id":"-184467440737095516161"'],
    ['Long at its negative edge', '{ sessions(filter: {usn: -9223372036854775808}) { totalCount } }', '"usn":"-9223372036854775808"'],
    ['Long past 2^53', '{ sessions(filter: {usn: 9007199254740993}) { totalCount } }', '"usn":"9007199254740993"'],
    [
      'nulls, enums and lists nested in input objects',
      '{ sessions(filter: {status: [FAILED, WARNING], types: null, usn: null}, sort: {field: USN}, page: {offset: null}) { totalCount } }',
      '"status":["FAILED","WARNING"]',
    ],
    [
      'aliases and an operation name that are JavaScript keywords',
      'query function { if: sessions(page: {limit: 1}) { new: totalCount class: items { return: id delete: usn } } }',
      '"new"',
    ],
  ])('%s: admitted, and its values are JSON in the source', (_name, text, expected) => {
    const document = parse(text);
    expect(compilable(document)).toBe(true);
    const source = generatedSource(document);
    expect(source).toContain(expected);
    expect(source).not.toContain('new Date(');
    for (const magic of MAGIC) expect(source).not.toContain(magic);
  });

  it.each([
    [
      'Long literals at both int64 edges',
      '{ a: sessions(filter: {usn: -9223372036854775808}) { totalCount } b: sessions(filter: {usn: 9223372036854775807}) { totalCount } }',
    ],
    [
      'nulls, enums and lists nested in input objects',
      '{ sessions(filter: {status: [FAILED, WARNING], types: null, usn: null}, sort: {field: USN}, page: {offset: null, limit: 3}) { totalCount items { usn status } } }',
    ],
    [
      'aliases and an operation name that are JavaScript keywords',
      'query function { if: sessions(page: {limit: 2}) { new: totalCount class: items { return: id delete: usn this: protectedItems(page: {limit: 1}) { var: totalCount } } } }',
    ],
  ])('%s: compiled, answered as graphql-js answered', async (_name, query) => {
    const runs = await thrice(query);
    expect(admits(query)).toBe(true);
    expect(runs.compiled).toBe(true);
    expect(runs.answers[0]?.status).toBe(200);
    expectSameAnswers(runs);
    expect(marker()).toBeUndefined();
  });
});

describe('semantics of admitted documents that hold', () => {
  it('a document with one admitted and one refused operation is never compiled (the guard reads the whole document)', async () => {
    const text = `query A { sessions(page: {limit: 1}) { totalCount } } query B { sessions(page: {limit: 1}) { items { protectedItems(search: "a") { totalCount } } } }`;
    expect(compilable(parse(text))).toBe(false);
    const runs = await thrice(text, {}, 'A');
    expect(runs.compiled).toBe(false);
    expectSameAnswers(runs);
  });

  it('list arguments given as one value, nulls and variables together', async () => {
    const runs = await thrice(
      `query ($st: SessionStatus!, $page: PageInput) { sessions(filter: {status: [$st, WARNING], types: POLICY}, sort: {field: USN, direction: DESC}, page: $page) {
         totalCount limit items { usn status } } }`,
      { st: 'FAILED', page: { limit: 3, offset: null } },
    );
    expect(runs.compiled).toBe(true);
    expectSameAnswers(runs);
  });

  /*
   * graphql-jit reads `if: $s` as `variables.s === true/false`, so a null (a nullable Boolean with a
   * default, given null) neither skips nor includes as graphql-js would (it raises). The query
   * limits evaluate the same directives with graphql-js first and refuse the request the same way
   * every time, so no compiled run sees it.
   */
  it('a null @skip condition is refused alike every time (the query limits see it first)', async () => {
    const runs = await thrice(`query ($s: Boolean = true) { sessions(page: {limit: 1}) { totalCount @skip(if: $s) limit } }`, { s: null });
    // The client's input: 400 BAD_USER_INPUT with graphql-js's message, not an internal error.
    expect(runs.answers[0]?.status).toBe(400);
    expect(JSON.stringify(runs.answers[0]?.body)).toContain('BAD_USER_INPUT');
    expect(JSON.stringify(runs.answers[0]?.body)).toContain('must not be null');
    expect(runs.compiled).toBe(false);
    expectSameAnswers(runs);
  });
});

describe('differences found by the review: each document now stays on graphql-js', () => {
  /*
   * graphql-jit (ast.js) gives a field the @skip/@include conditions of its parent field only for
   * direct children (`augmentFieldNodeTree` skips anything under an inline fragment), and merges all
   * nodes of a response name whatever their conditions. So when a key is selected twice and one
   * selection is skipped, the fields inside an inline fragment of the skipped selection are
   * selected anyway: answers change, and the query limits (which skip that selection, as graphql-js
   * does) never counted them.
   */
  it('a skipped selection merged with a kept one: its inline fragment is not selected (found: compiled answers include it; now refused by the guard)', async () => {
    const query = `{ sessions(page: {limit: 2}) @skip(if: true) { ... { items { id } } } sessions(page: {limit: 2}) { totalCount } }`;
    expect(admits(query)).toBe(false); // the guard keeps it on graphql-js
    const runs = await thrice(query);
    expect(runs.compiled).toBe(false);
    expect(body(runs.answers[0])?.data?.['sessions']).not.toHaveProperty('items');
    expectSameAnswers(runs);
  });

  it('a skipped selection merged with a kept one costs nothing upstream (found: compiled runs make the calls the limits refuse; now refused by the guard)', async () => {
    // The same selection, visible: more than MAX_QUERY_COST (20) calls, refused up front.
    const visible = await post(`{ sessions(page: {limit: 30}) { totalCount items { log { time } } } }`);
    expect(visible.status).toBe(400);
    expect(body(visible)?.errors?.[0]?.extensions?.['code']).toBe('QUERY_TOO_COSTLY');
    const runs = await thrice(
      `{ sessions(page: {limit: 30}) @skip(if: true) { ... { items { log { time } } } } sessions(page: {limit: 30}) { totalCount } }`,
    );
    expect(runs.compiled).toBe(false);
    // Interpreted: one call (the page). Compiled: the page and one log call per session (31).
    expect(runs.calls[1]).toBe(runs.calls[0]);
    expect(runs.calls[2]).toBe(runs.calls[0]);
  });

  /*
   * graphql-jit hands every resolver the field nodes of all selections of its response name, the
   * skipped ones too (graphql-js: the included ones only). `buckets` costs its own selection from
   * `info.fieldNodes` (selection.ts): compiled, it counts `byStatus` of a skipped selection and refuses.
   */
  it('buckets costs only the selections that are included (found: compiled, a skipped one makes it QUERY_TOO_COSTLY; now refused by the guard)', async () => {
    const query = `query ($from: DateTime, $to: DateTime, $s: Boolean!) { sessionStats(filter: {from: $from, to: $to}) {
      buckets(bucket: DAY) { start total } buckets(bucket: DAY) @skip(if: $s) { byStatus { count } } } }`;
    expect(admits(query)).toBe(false); // the guard keeps it on graphql-js
    // 4 buckets: 4 calls for total (within 20); with byStatus 4 × 7 = 28 (over 20).
    const runs = await thrice(query, { from: '2026-10-01', to: '2026-10-04T12:00:00Z', s: true });
    expect(runs.compiled).toBe(false);
    expect(runs.answers[0]?.status).toBe(200);
    expect(body(runs.answers[0])?.errors).toBeUndefined();
    expectSameAnswers(runs);
  });

  /* The same field nodes drive the session lookahead (prefetch.ts): compiled, it loads for skipped selections. */
  it('the session lookahead starts no call for a skipped selection (found: compiled, one per aliased protectedItems; now refused by the guard)', async () => {
    const id = sessionId((s) => s.status === 'Succeeded' && s.type === 'Policy');
    const runs = await thrice(
      `query ($id: ID!, $s: Boolean!) { session(id: $id) { id } session(id: $id) @skip(if: $s) {
         a: protectedItems(page: {limit: 1}) { totalCount } b: protectedItems(page: {limit: 2}) { totalCount }
         c: protectedItems(page: {limit: 3}) { totalCount } } }`,
      { id, s: true },
    );
    expect(runs.compiled).toBe(false);
    expectSameAnswers(runs);
    expect(runs.calls[1]).toBe(runs.calls[0]);
    expect(runs.calls[2]).toBe(runs.calls[0]);
  });

  /*
   * graphql-jit's variable coercion (variables.js) ignores the default of a non-null variable: an
   * omitted `$n: Int! = 2` is "not provided". The executor coerces with graphql-js first (which applies
   * the default and passes) and then gives graphql-jit the raw variables, not graphql-js's result.
   */
  it('an omitted non-null variable takes its default (found: compiled, "was not provided"; now refused by the guard)', async () => {
    const runs = await thrice(
      `query ($n: Int! = 2, $all: Boolean! = true) { sessions(page: {limit: $n}) { limit items { id @include(if: $all) } } }`,
      {},
    );
    expect(runs.compiled).toBe(false);
    expect(body(runs.answers[0])?.data?.['sessions']).toMatchObject({ limit: 2 });
    expectSameAnswers(runs);
  });

  /*
   * graphql-jit builds an argument's literal once (ast.js valueFromAST) with null where a variable
   * sits inside an input object, and writes the variable over it only when given: an omitted one
   * leaves null where graphql-js applies the input field's default (or leaves the field out). Here
   * `direction: SortDirection = ASC` becomes null, and sessionSort's USN tie-break reads ASC or not.
   */
  it('an omitted variable inside an input object takes the field default (found: compiled, null: another order; now refused by the guard)', async () => {
    const runs = await thrice(
      `query ($d: SortDirection) { sessions(sort: [{field: TYPE, direction: $d}], page: {limit: 20}) { items { type usn } } }`,
      {},
    );
    expect(runs.compiled).toBe(false);
    expectSameAnswers(runs);
  });
});

describe('compile cost of admitted documents', () => {
  /*
   * Inline fragments are not counted by the guard, nor are aliases and fields under a fragment the
   * query limits skip (they apply @skip/@include first). Each field inherits the condition of every
   * enclosing fragment and graphql-jit writes them out per field node: ~285 nested conditions
   * around 248 `id`s fit in MAX_QUERY_TOKENS (5,000) and generate ~3 MB of source (~100 ms to compile,
   * ~1.9 MB kept per plan, against "~20 KB" in ExecutorOptions and a 192 MB heap for 1,000 plans).
   */
  it('nested conditions (found: ~3 MB of generated source per plan) are refused; the most fields admitted stay small', () => {
    const text = nestedConditions(285, `sessions(page: {limit: 1}) { items { ${Array.from({ length: 248 }, () => 'id').join(' ')} } }`);
    expect(compilable(parse(text, { maxTokens: 5_000 }))).toBe(false);
    const plain = parse(
      `{ ${Array.from({ length: Math.floor(MAX_COMPILED_FIELDS / 3) }, (_, i) => `s${i}: sessions(page: {limit: 1}) { items { id } }`).join(' ')} }`,
    );
    let fields = 0;
    visit(plain, { Field: () => void (fields += 1) });
    expect(fields).toBeLessThanOrEqual(MAX_COMPILED_FIELDS);
    expect(compilable(plain)).toBe(true);
    expect(generatedSource(plain).length).toBeLessThan(256 * 1024);
  });
});

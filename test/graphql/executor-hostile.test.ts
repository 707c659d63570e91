/**
 * Hostile documents against the compiling executor (src/graphql/executor.ts): graphql-jit turns a
 * document into JavaScript source from its second run, so everything a client writes (names,
 * literals, directives, fragments) ends up in generated code, and every answer of a compiled run
 * must be the answer graphql-js gave the first time. Each document here runs three times over the
 * real gateway and simulator (one interpreted run, then compiled ones); `compileQuery` is wrapped
 * so that each comparison proves a compile really happened in between.
 *
 * The review that wrote these found graphql-jit 0.8.9 unsafe on several of them (code execution
 * from a string literal, exponential compile, `__proto__` names, shared fragment nodes): the
 * executor now compiles only documents of a plain shape (`compilable`), and each such attack must
 * stay on graphql-js and answer as it does.
 */
import { getIntrospectionQuery, getOperationAST, parse, buildSchema, type DocumentNode, type GraphQLSchema } from 'graphql';
import * as jit from 'graphql-jit';
import { createExecutor } from '../../src/graphql/executor';
import { buildGatewaySchema } from '../../src/graphql/schema';
import { compileRuns, expectSameAnswers as expectSameAnswersAs, type Answer, type Runs } from '../helpers/compile-runs';
import { startStack, type Stack } from '../helpers/stack';

jest.mock('graphql-jit', () => {
  const actual = jest.requireActual<typeof import('graphql-jit')>('graphql-jit');
  return { ...actual, compileQuery: jest.fn(actual.compileQuery) };
});

const compileQuery = jest.mocked(jit.compileQuery);

/** graphql-jit's "magic" strings (execution.js): its argument serialiser rewrites them into code. */
const MAGIC_DATE = '__MAGIC_DATE__33a9e76d_02e0_4128_8e92_3530ad3da74d';
const MAGIC_NAN = '__MAGIC_NAN__57f286b9_4c20_487f_b409_79804ddcb4f8';
/** A global that a payload sets when it runs: nothing a client sends may ever set it. */
const MARK = '__jitHostileRan';
const PAYLOAD = `${MAGIC_DATE}0,globalThis.${MARK}=(globalThis.${MARK}||0)+1,0`;
const marker = (): unknown => (globalThis as Record<string, unknown>)[MARK];

/** A GraphQL string literal (JSON's escapes are GraphQL's). */
const str = (value: string): string => JSON.stringify(value);

let stack: Stack;
/** Texts this file builds itself carry their own counter (prefixed, so never one `thrice` sends). */
let fresh = 0;
const { post, thrice, sessionId } = compileRuns(() => stack, compileQuery);

/** Same answers, and the later runs compiled exactly when the executor's shape rule admits the document. */
function expectSameAnswers(runs: Runs): void {
  expect(runs.compiled).toBe(runs.admitted);
  expectSameAnswersAs(runs);
}

beforeAll(async () => {
  stack = await startStack({
    env: {
      // Nothing kept between runs: every run makes the same upstream calls and sees the same data.
      CACHE_FINISHED_TTL_MS: '0',
      CACHE_LIVE_TTL_MS: '0',
      // __type(name:) takes any string: the widest literal channel into generated code.
      INTROSPECTION: 'true',
      // Faults below fail fast and alike on every run (no retries, no circuit opening between runs).
      UPSTREAM_RETRY_ATTEMPTS: '1',
      BREAKER_FAILURE_THRESHOLD: '1000',
    },
  });
});

afterAll(async () => {
  await stack.close();
});

afterEach(() => {
  stack.sim.knobs.faultRules = [];
});

describe('names and literals in generated code: same answers, nothing executed', () => {
  const page = 'page: {limit: 2}';
  const rows: Array<[string, string, Record<string, unknown>?, string?]> = [
    [
      'aliases named like JavaScript and graphql-jit internals',
      `{ constructor: __typename toString: __typename hasOwnProperty: __typename valueOf: __typename __context: __typename
         __parent: __typename idx0: __typename query: __typename prototype: __typename
         sessions(${page}) { constructor: totalCount items { __parent: id idx0: name __currentItem: status __validNode0: usn
           then: protectedItems(page: {limit: 1}) { __context: totalCount } } } }`,
    ],
    [
      'fragment names named like JavaScript internals',
      `{ sessions(${page}) { items { ...constructor ...__proto__ ...toString ...hasOwnProperty } } }
       fragment constructor on Session { id } fragment __proto__ on Session { name }
       fragment toString on Session { status } fragment hasOwnProperty on Session { usn }`,
    ],
    ['an operation named __proto__', `query __proto__ { sessions(${page}) { totalCount } }`, {}, '__proto__'],
    ['an operation named constructor, among others', `query constructor { __typename } query then { __typename }`, {}, 'constructor'],
    [
      'variables named like JavaScript and graphql-jit internals',
      `query ($constructor: Int, $input: Int, $errors: Int, $coerced: SessionFilter, $GraphQLJITError: String, $inspect: [SessionSort!]) {
         sessions(page: {limit: $constructor, offset: $input}, filter: $coerced, sort: $inspect) { totalCount offset limit
           items { protectedItems(search: $GraphQLJITError, page: {limit: $errors}) { totalCount } } } }`,
      { constructor: 2, input: 1, errors: 1, coerced: { status: ['FAILED'] }, GraphQLJITError: 'i', inspect: [{ field: 'USN' }] },
    ],
    ...(
      [
        ['quotes and backslashes', `"'\`\\\\"\\`],
        ['a comment end and a template hole', '*/ ${globalThis.x = 1} /* `${1}`'],
        ['line and paragraph separators', 'a\u2028b\u2029c'],
        ['unicode escapes and a surrogate pair', '\u0041\u00e9\ud83d\ude00'],
        ['a script end and control escapes', '</script>\n\r\t\b\f'],
        ['code that would run if pasted unquoted', `");globalThis.${MARK}=1;("`],
        ['a near-miss of the magic prefix', `__MAGIC_DATE__0,globalThis.${MARK}=1,0`],
        ['the longest search allowed (256 characters)', 'x'.repeat(255) + '"'],
      ] as const
    ).map(([name, value]): [string, string] => [
      `a search literal: ${name}`,
      `{ sessions(${page}) { items { id protectedItems(search: ${str(value)}) { totalCount items { name } } } } }`,
    ]),
    [
      'a block string literal with quotes, backslashes and a template hole',
      `{ sessions(${page}) { items { protectedItems(search: """ \\" \\\\ \${x} */ \`y\` """) { totalCount } } } }`,
    ],
    ['a 4,000-character __type name', `{ __type(name: ${str('Q'.repeat(3_999) + '\\')}) { name } }`],
    [
      'the payload as a variable value (variables never enter generated code)',
      `query ($s: String!) { __type(name: $s) { name } }`,
      { s: PAYLOAD },
    ],
    ['the payload as a variable default', `query ($s: String = ${str(PAYLOAD)}) { __type(name: $s) { name } }`],
    [
      'enum, list and number literals',
      `{ sessions(filter: {status: [FAILED, WARNING], types: POLICY}, sort: [{field: USN, direction: DESC}], page: {limit: 3, offset: 0}) {
         totalCount offset limit items { usn status type } } }`,
    ],
    ['extreme Int literals', `{ sessions(page: {limit: -0, offset: 2147483647}) { totalCount offset limit items { id } } }`],
    [
      'Long and DateTime literals at their edges',
      `{ a: sessions(filter: {usn: 9007199254740993}, page: {limit: 1}) { totalCount }
         b: sessions(filter: {usn: "-9223372036854775808"}, page: {limit: 1}) { totalCount }
         c: sessions(filter: {from: "2026-01-31T14:00:00.123456+02:00", to: "2026-12-31"}, page: {limit: 2}) { totalCount items { startTime } } }`,
    ],
    [
      '__typename under aliases and directives, at every level',
      `{ t: __typename __typename @skip(if: false) u: __typename @include(if: false)
         sessions(${page}) { __typename x: __typename @include(if: true) items { __typename id: id __typename } } }`,
    ],
  ];

  // Rows padded to four values: jest takes a test function with more parameters than its row for a done-callback test.
  const padded = rows.map(([name, query, variables, operationName]) => [name, query, variables, operationName] as const);

  it.each(padded)('%s', async (_name, query, variables, operationName) => {
    const runs = await thrice(query, variables, operationName);
    expect(runs.answers[0]?.status).toBe(200);
    expectSameAnswers(runs);
    expect(marker()).toBeUndefined();
  });

  /*
   * graphql-jit serialises literal arguments with JSON.stringify and then rewrites the magic string
   * `"__MAGIC_DATE__…<anything but a double quote>"` into `new Date(<anything>)`: raw code in the
   * generated function. `protectedItems(search:)` admits 256 characters (preflight), enough for any
   * payload; the compiled run executes it in the gateway process.
   */
  it('a magic-date search literal is a string, not code (remote code execution)', async () => {
    const runs = await thrice(`{ sessions(page: {limit: 1}) { items { protectedItems(search: ${str(PAYLOAD)}) { totalCount } } } }`);
    expect(runs.answers[0]?.status).toBe(200);
    // String literals never reach graphql-jit's code generator: the document stays on graphql-js.
    expect(runs.compiled).toBe(false);
    expectSameAnswers(runs);
    expect(marker()).toBeUndefined();
  });

  it('a magic-date __type name is a string, not code (remote code execution with introspection on)', async () => {
    const runs = await thrice(`{ __type(name: ${str(PAYLOAD)}) { name } }`);
    expect(runs.compiled).toBe(false);
    expect(marker()).toBeUndefined();
  });

  /*
   * graphql-jit coerces variables into an object literal (variables.js): `coerced["__proto__"] = value`
   * sets that object's prototype, and every argument given `$__proto__` reads as not given. graphql-js,
   * and the query limits that coerce with it, apply the variable. A page of {limit: 0} passes the cost
   * and row limits; the compiled run pages with the default 50 instead (30 aliases of this field: 1,500+
   * upstream calls against MAX_QUERY_COST 500, 75,000 rows against MAX_QUERY_ROWS 10,000).
   */
  it('a variable named $__proto__ is applied, as the query limits assumed', async () => {
    const text = `query ($__proto__: PageInput) { sessions(page: $__proto__) { totalCount limit items { id protectedItems(page: $__proto__) { limit } } } }
      # proto ${(fresh += 1)}`;
    // JSON.parse makes "__proto__" an own key, as a request body does (an object literal would set a prototype).
    const variables = JSON.parse('{"__proto__": {"limit": 0}}') as Record<string, unknown>;
    const answers: Answer[] = [];
    const calls: number[] = [];
    for (let run = 0; run < 3; run += 1) {
      stack.sim.counters.reset();
      answers.push(await post(text, variables));
      calls.push(stack.sim.counters.total());
    }
    expect((answers[0]?.body as { data?: { sessions?: { limit?: number } } }).data?.sessions?.limit).toBe(0);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(calls[1]).toBe(calls[0]);
    expect(calls[2]).toBe(calls[0]);
  });

  /* The gateway's answers do not echo a search, so a NaN in place of the text shows in what the appliance is asked. */
  it('a magic-NaN search literal reaches the appliance as the text it is', async () => {
    const id = sessionId((s) => s.status === 'Succeeded' && s.type === 'Policy');
    stack.sim.resetRequests();
    const runs = await thrice(`{ session(id: ${str(id)}) { protectedItems(search: ${str(MAGIC_NAN)}) { totalCount } } }`);
    expect(runs.compiled).toBe(false);
    const searches = stack.sim.requests
      .filter((r) => r.path.endsWith('/protectedItems'))
      .map((r) => new URLSearchParams(r.query).get('SearchPattern'));
    expect(searches.length).toBeGreaterThanOrEqual(3);
    expect(new Set(searches)).toEqual(new Set([MAGIC_NAN]));
  });

  beforeEach(() => {
    Reflect.deleteProperty(globalThis, MARK);
  });

  afterAll(() => {
    Reflect.deleteProperty(globalThis, MARK);
  });
});

describe('semantics graphql-jit is known to change', () => {
  it.each([
    ['{ __typename }', undefined],
    ['{ __schema { queryType { name } mutationType { name } subscriptionType { name } } }', undefined],
    [
      '{ __type(name: "Session") { name kind fields { name args { name defaultValue } type { name kind ofType { name kind ofType { name } } } } } }',
      undefined,
    ],
    [getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, inputValueDeprecation: true }), undefined],
  ])('root __typename and introspection, compiled: %#', async (query, variables) => {
    expectSameAnswers(await thrice(query, variables));
  });

  it.each<[string, string, Record<string, unknown>]>([
    [
      'on named fragments, inline fragments and fields, from variables',
      `query ($yes: Boolean!, $no: Boolean!) { sessions(page: {limit: 3}) { items {
         ...A @include(if: $yes) ...B @skip(if: $yes) ... @include(if: $no) { status } ... on Session @skip(if: $no) { usn }
         name @include(if: $yes) @skip(if: $no) } } }
       fragment A on Session { id } fragment B on Session { type }`,
      { yes: true, no: false },
    ],
    [
      'the same, reversed',
      `query ($yes: Boolean!, $no: Boolean!) { sessions(page: {limit: 3}) { items {
         ...A @include(if: $yes) ...B @skip(if: $yes) ... @include(if: $no) { status } ... on Session @skip(if: $no) { usn }
         name @include(if: $yes) @skip(if: $no) } } }
       fragment A on Session { id } fragment B on Session { type }`,
      { yes: false, no: true },
    ],
    [
      'literal conditions and a field both skipped and selected again',
      `{ sessions(page: {limit: 2}) { items { id @skip(if: true) id name @include(if: false) ... @skip(if: false) { name } } } }`,
      {},
    ],
    [
      'one inline fragment under two parents, skipped under one',
      `query ($s: Boolean!) { a: sessions(page: {limit: 1}) { items { ... @skip(if: $s) { id } } }
         b: sessions(page: {limit: 1}) { items { ... { id } } } }`,
      { s: true },
    ],
  ])('@skip/@include %s', async (_name, query, variables) => {
    expectSameAnswers(await thrice(query, variables));
  });

  /*
   * graphql-jit writes the compiled @skip/@include condition of a fragment spread onto the field
   * nodes of the fragment itself (`__internalShouldInclude`, ast.js) and ANDs every spread's
   * condition there: a fragment spread under two parents takes the condition of one into the other.
   */
  it('@skip on one spread of a fragment does not skip its other spreads', async () => {
    const runs = await thrice(
      `query ($s: Boolean!) { a: sessions(page: {limit: 1}) { items { ...F @skip(if: $s) } }
         b: sessions(page: {limit: 1}) { items { ...F } } } fragment F on Session { id name }`,
      { s: true },
    );
    expectSameAnswers(runs);
  });

  /*
   * The same writes outlive the compile: they stay on the DocumentNode that Apollo's document store
   * shares between requests, so compiling operation A of a document changes what operation B selects.
   */
  it("compiling one operation does not change another operation's answers", async () => {
    const text = `query A($s: Boolean!) { sessions(page: {limit: 1}) { items { ...F @skip(if: $s) } } }
      query B { sessions(page: {limit: 1}) { items { ...F } } } fragment F on Session { id }\n# shared ${(fresh += 1)}`;
    for (let run = 0; run < 3; run += 1) await post(text, { s: true }, 'A');
    const b = [await post(text, {}, 'B'), await post(text, {}, 'B'), await post(text, {}, 'B')];
    expect(b[0]?.status).toBe(200);
    expect(b[1]).toEqual(b[0]);
    expect(b[2]).toEqual(b[0]);
  });

  it('several operations in one document: each runs as selected, compiled per operation', async () => {
    const text = `query One { sessions(page: {limit: 1}) { totalCount } } query Two { sessions(page: {limit: 2}) { items { id } } }
      query Three($n: Int!) { sessions(page: {limit: $n}) { limit } }\n# ops ${(fresh += 1)}`;
    const before = compileQuery.mock.calls.length;
    const answers: Record<string, Answer[]> = { One: [], Two: [], Three: [] };
    for (let run = 0; run < 3; run += 1) for (const name of ['One', 'Two', 'Three']) answers[name]?.push(await post(text, { n: 1 }, name));
    expect(compileQuery.mock.calls.slice(before).map(([, , name]) => name)).toEqual(['One', 'Two', 'Three']);
    for (const name of ['One', 'Two', 'Three']) {
      const [first, ...later] = answers[name] ?? [];
      expect(first?.status).toBe(200);
      for (const answer of later) expect(answer).toEqual(first);
    }
    expect(answers['One']?.[0]).not.toEqual(answers['Two']?.[0]);
  });

  it.each<[string, string, string | undefined]>([
    ['several operations, no name', 'query A { __typename } query B { __typename }', undefined],
    ['an unknown operation name', 'query A { __typename }', 'Nope'],
    ['an empty operation name', 'query A { __typename }', ''],
  ])('no operation selected (%s): the same refusal every time, nothing compiled', async (_name, query, operationName) => {
    const runs = await thrice(query, {}, operationName);
    expect(runs.compiled).toBe(false);
    expect(runs.answers[0]?.status).toBe(400);
    expect(runs.answers[1]).toEqual(runs.answers[0]);
    expect(runs.answers[2]).toEqual(runs.answers[0]);
  });

  it.each<[string, string, Record<string, unknown>]>([
    [
      'variables with defaults, given and omitted',
      `query ($limit: Int = 2, $status: [SessionStatus!] = FAILED, $filter: SessionFilter = {types: POLICY}, $page: PageInput = {limit: 1}) {
         a: sessions(page: {limit: $limit}, filter: {status: $status}) { totalCount limit items { status } }
         b: sessions(filter: $filter, page: $page) { totalCount offset limit items { type } } }`,
      { limit: 3 },
    ],
    [
      'explicit nulls against defaults',
      `query ($page: PageInput = {limit: 1}, $filter: SessionFilter) { sessions(page: $page, filter: $filter) { totalCount limit } }`,
      { page: null, filter: null },
    ],
    [
      'a single value coerced into a list, as literals',
      `{ sessions(filter: {status: FAILED, types: POLICY}, sort: {field: DURATION, direction: DESC}, page: {limit: 3}) { totalCount items { status durationMs } } }`,
      {},
    ],
    [
      'a single value coerced into a list, as variables',
      `query ($f: SessionFilter, $s: [SessionSort!], $st: [SessionStatus!]) {
         a: sessions(filter: $f, sort: $s, page: {limit: 3}) { totalCount items { status durationMs } }
         b: sessions(filter: {status: $st}, page: {limit: 1}) { totalCount } }`,
      { f: { status: 'FAILED', types: 'POLICY' }, s: { field: 'DURATION', direction: 'DESC' }, st: 'WARNING' },
    ],
    [
      'enums as variables, in lists and inside input objects',
      `query ($d: SortDirection!, $t: SessionType!, $sf: SessionSortField!) {
         sessions(filter: {types: [$t]}, sort: [{field: $sf, direction: $d}], page: {limit: 3}) { totalCount items { type usn } } }`,
      { d: 'ASC', t: 'POLICY', sf: 'USN' },
    ],
    [
      'DateTime and Long as variables, in every accepted form',
      `query ($from: DateTime, $to: DateTime, $usn: Long, $usn2: Long) {
         a: sessions(filter: {from: $from, to: $to}, page: {limit: 2}) { totalCount items { startTime } }
         b: sessions(filter: {usn: $usn}) { totalCount } c: sessions(filter: {usn: $usn2}) { totalCount } }`,
      { from: '2026-01-31T14:00:00+02:00', to: '2026-10-31', usn: 42, usn2: ' 9223372036854775807 ' },
    ],
    [
      'a variable used in two places, alone and among literals',
      `query ($st: SessionStatus!) { a: sessions(filter: {status: [$st]}, page: {limit: 1}) { totalCount }
         b: sessions(filter: {status: [FAILED, $st]}, page: {limit: 1}) { totalCount } }`,
      { st: 'SUCCEEDED' },
    ],
  ])('%s', async (_name, query, variables) => {
    const runs = await thrice(query, variables);
    expect(runs.answers[0]?.status).toBe(200);
    expectSameAnswers(runs);
  });

  it('enum, DateTime and Long literals answer as the same values given as variables', async () => {
    const literal = await thrice(
      `{ sessions(filter: {status: [FAILED], from: "2026-01-31", usn: null}, sort: [{field: USN, direction: ASC}], page: {limit: 3}) { totalCount items { usn } } }`,
    );
    const variables = await thrice(
      `query ($f: SessionFilter, $s: [SessionSort!]) { sessions(filter: $f, sort: $s, page: {limit: 3}) { totalCount items { usn } } }`,
      { f: { status: ['FAILED'], from: '2026-01-31T00:00:00Z', usn: null }, s: [{ field: 'USN', direction: 'ASC' }] },
    );
    expectSameAnswers(literal);
    expectSameAnswers(variables);
    expect(variables.answers[0]).toEqual(literal.answers[0]);
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['a DateTime literal that does not parse', `{ sessions(filter: {from: "yesterday"}) { totalCount } }`, {}],
    ['a Long variable past 2^53', `query ($u: Long) { sessions(filter: {usn: $u}) { totalCount } }`, { u: 2 ** 53 + 2 }],
    [
      'an enum variable given a wrong name',
      `query ($s: SessionStatus!) { sessions(filter: {status: [$s]}) { totalCount } }`,
      { s: 'failed' },
    ],
    [
      'a list variable with a null item',
      `query ($s: [SessionStatus!]) { sessions(filter: {status: $s}) { totalCount } }`,
      { s: ['FAILED', null] },
    ],
  ])('bad input is refused alike every time: %s', async (_name, query, variables) => {
    const { answers } = await thrice(query, variables);
    expect(answers[0]?.status).toBe(400);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('resolver errors: same message, path, locations and code (upstream failure per list element)', async () => {
    stack.sim.knobs.faultRules = [{ pathIncludes: '/log', status: 500 }];
    const runs = await thrice(`{ sessions(page: {limit: 3}) { items { id log { time } } } }`);
    const body = runs.answers[0]?.body as { errors?: Array<{ path?: unknown[] }> };
    expect(body.errors?.map((error) => error.path)).toEqual([
      ['sessions', 'items', 0, 'log'],
      ['sessions', 'items', 1, 'log'],
      ['sessions', 'items', 2, 'log'],
    ]);
    expectSameAnswers(runs);
  });

  it('resolver errors: a BAD_USER_INPUT thrown during execution, nulling a non-null root', async () => {
    const runs = await thrice(`{ sessions(page: {limit: 1}) { totalCount } sessionStats { buckets(bucket: HOUR) { start } } }`);
    const body = runs.answers[0]?.body as { errors?: Array<{ extensions?: { code?: string } }> };
    expect(body.errors?.[0]?.extensions?.code).toBeDefined();
    expectSameAnswers(runs);
  });

  it('non-null propagation through a list up to the root (every bucket count fails)', async () => {
    stack.sim.knobs.faultRules = [{ pathIncludes: '/sessions', status: 500 }];
    const runs = await thrice(`{ sessionStats(filter: {from: "2026-10-01", to: "2026-10-03"}) { buckets(bucket: DAY) { start total } } }`);
    const body = runs.answers[0]?.body as { data?: unknown; errors?: unknown[] };
    expect(body.data).toBeNull();
    expectSameAnswers(runs);
  });

  /** Runs `body` with some log entries of a finished session replaced, then puts them back. */
  async function withLogEntries(
    change: (entry: { logTime?: string }) => { logTime?: string },
    count: number,
    body: (id: string) => Promise<void>,
  ): Promise<void> {
    const id = sessionId((s) => s.status === 'Succeeded' && (stack.sim.data.log(s.id)?.log?.length ?? 0) >= 3);
    const log = stack.sim.data.log(id)?.log as Array<{ logTime?: string }> | undefined;
    if (!log) throw new Error('no log');
    const saved = log.slice(0, count);
    saved.forEach((entry, index) => (log[index] = change(entry)));
    try {
      await body(id);
    } finally {
      saved.forEach((entry, index) => (log[index] = entry));
    }
  }

  const LOG_QUERY = `query ($id: ID!) { session(id: $id) { id log { time message } } }`;
  const UNEXPECTED = 'unexpected error in a GraphQL request';

  /*
   * graphql-jit's own GraphQLError (error.js) leaves `extensions` undefined when the error has no
   * original error with extensions: a null in a non-null field, a value a scalar cannot serialise, a
   * resolver's plain Error. Apollo's error normaliser reads `extensions.code`, throws, and answers
   * {"message": "Internal server error"} with no path and no locations; the gateway's formatError never
   * sees the error, so the "unexpected error" log line that graphql-js's run writes is not written.
   */
  it('an error graphql-jit raises itself keeps its message, path and locations, and is logged', async () => {
    await withLogEntries(
      ({ logTime: _dropped, ...entry }) => entry,
      1,
      async (id) => {
        const logged: number[] = [];
        const answers: Answer[] = [];
        const text = `${LOG_QUERY}\n# null ${(fresh += 1)}`;
        for (let run = 0; run < 3; run += 1) {
          const before = stack.logs.lines().filter((line) => line['msg'] === UNEXPECTED).length;
          answers.push(await post(text, { id }));
          logged.push(stack.logs.lines().filter((line) => line['msg'] === UNEXPECTED).length - before);
        }
        const first = answers[0]?.body as { errors?: Array<{ message: string; path?: unknown[] }> };
        expect(first.errors?.[0]?.message).toBe('Cannot return null for non-nullable field SessionLogEntry.time.');
        expect(first.errors?.[0]?.path).toEqual(['session', 'log', 0, 'time']);
        expect(answers[1]).toEqual(answers[0]);
        expect(answers[2]).toEqual(answers[0]);
        expect(logged).toEqual([1, 1, 1]);
      },
    );
  });

  /*
   * graphql-js stops completing a list at its first non-null error and reports that one; graphql-jit
   * completes every element, records every error and trims afterwards: two malformed timestamps from
   * the appliance give one error interpreted and two compiled.
   */
  /*
   * A known, accepted difference: graphql-js stops completing a list at its first non-null error,
   * graphql-jit completes every element and reports each error. Same data; the compiled answer's
   * errors include the interpreted one.
   */
  it('non-null errors in two elements of a nullable list: the same data, every error reported', async () => {
    await withLogEntries(
      (entry) => ({ ...entry, logTime: 'not a time' }),
      2,
      async (id) => {
        const runs = await thrice(LOG_QUERY, { id });
        expect(runs.compiled).toBe(true);
        const bodies = runs.answers.map((answer) => answer.body as { data?: { session?: { log?: unknown } }; errors?: unknown[] });
        expect(bodies.map((body) => body.data?.session?.log)).toEqual([null, null, null]);
        expect(bodies.map((body) => body.errors?.length)).toEqual([1, 2, 2]);
        for (const body of bodies.slice(1)) expect(body.errors).toContainEqual(bodies[0]?.errors?.[0]);
      },
    );
  });

  /*
   * A JavaScript object literal reads the key "__proto__" as its prototype: graphql-jit builds
   * nested objects as literals, so an alias `__proto__` vanishes from a compiled answer.
   */
  it('an alias named __proto__ stays in the answer', async () => {
    const runs = await thrice(`{ sessions(page: {limit: 1}) { __proto__: totalCount items { __proto__: id } } }`);
    expectSameAnswers(runs);
  });

  /*
   * graphql-jit names each resolver's GraphQLResolveInfo by its response path joined with "_": the
   * root alias `buckets_sessionStats` and the path sessionStats.buckets get one name, and the later
   * compiled replaces the other. `buckets` then reads another field's selection (total, byStatus)
   * for its own cost check and refuses a query graphql-js answers.
   */
  it('a resolver reads its own field in info, whatever the aliases around it', async () => {
    const runs = await thrice(
      `{ sessionStats(filter: {from: "2026-01-01", to: "2026-12-31"}) { buckets(bucket: DAY) { start } }
         buckets_sessionStats: sessionStats(filter: {status: [FAILED]}) { total byStatus { count } } }`,
    );
    expect(runs.answers[0]?.status).toBe(200);
    expectSameAnswers(runs);
  });

  it('the session lookahead (info) starts the same upstream calls compiled as interpreted', async () => {
    const id = sessionId((s) => s.status === 'Succeeded' && s.type === 'Policy');
    const query = `query ($id: ID!) { session(id: $id) { id log { time } first: protectedItems(page: {limit: 2}) { totalCount } protectedItems(search: "a") { totalCount } } }`;
    const calls: Array<Record<string, number>> = [];
    const answers: Answer[] = [];
    const text = `${query}\n# lookahead ${(fresh += 1)}`;
    for (let run = 0; run < 3; run += 1) {
      stack.sim.counters.reset();
      answers.push(await post(text, { id }));
      calls.push(stack.sim.counters.snapshot());
    }
    expect(answers[0]?.status).toBe(200);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(calls[1]).toEqual(calls[0]);
    expect(calls[2]).toEqual(calls[0]);
  });
});

describe('other paths through the executor', () => {
  it('a subscription sent over HTTP is answered alike every time and never compiled', async () => {
    const runs = await thrice('subscription { sessionUpdates { usn } }');
    expect(runs.compiled).toBe(false);
    expect(runs.answers[0]?.status).toBeLessThan(500);
    expect(runs.answers[1]).toEqual(runs.answers[0]);
    expect(runs.answers[2]).toEqual(runs.answers[0]);
  });

  describe('on a small schema', () => {
    const schema: GraphQLSchema = buildSchema(
      `type Query { list: [Item], strict: [Item!], one: Item } type Item { id: String!, name: String }`,
    );
    const items: Record<string, () => unknown> = {};
    const fields = schema.getQueryType()?.getFields() ?? {};
    for (const name of ['list', 'strict', 'one']) {
      const field = fields[name];
      if (field) field.resolve = () => items[name]?.();
    }

    async function bothWays(query: string): Promise<[unknown, unknown]> {
      const execute = createExecutor(schema);
      const document: DocumentNode = parse(query);
      const operation = getOperationAST(document) ?? undefined;
      const run = () => execute({ document, operation, operationName: undefined, variables: {}, contextValue: {} });
      const interpreted = await run();
      const compiled = await run();
      return [JSON.parse(JSON.stringify(interpreted)), JSON.parse(JSON.stringify(compiled))];
    }

    it.each<[string, () => unknown]>([
      ['a Set', () => new Set([{ id: 'a' }, { id: 'b' }])],
      [
        'a generator',
        () =>
          (function* () {
            yield { id: 'a' };
            yield Promise.resolve({ id: 'b' });
          })(),
      ],
      ['a promise of promises, one rejecting', () => Promise.resolve([Promise.resolve({ id: 'a' }), Promise.reject(new Error('no b'))])],
      ['an Error returned as an element', () => [{ id: 'a' }, new Error('bad element')]],
      [
        'a thrown error',
        () => {
          throw new Error('thrown');
        },
      ],
      ['a rejected promise', () => Promise.reject(new Error('rejected'))],
    ])('list values: %s', async (_name, value) => {
      items['list'] = value;
      const [interpreted, compiled] = await bothWays('{ list { id } }');
      expect(compiled).toEqual(interpreted);
    });

    /* Same error, same path and data; graphql-js quotes the field's name in its message, graphql-jit does not. */
    it.each<[string, () => unknown]>([
      [
        'an async generator',
        () =>
          (async function* () {
            yield { id: 'a' };
          })(),
      ],
      ['a string', () => 'ab'],
      ['a number', () => 5],
    ])('not a list (%s): the same error, up to the quotes in its message', async (_name, value) => {
      items['list'] = value;
      const unquoted = (answer: unknown) => JSON.parse(JSON.stringify(answer).replace(/\\"Query\.list\\"/g, 'Query.list')) as unknown;
      const [interpreted, compiled] = await bothWays('{ list { id } }');
      expect((interpreted as { errors?: unknown[] }).errors).toHaveLength(1);
      expect(unquoted(compiled)).toEqual(unquoted(interpreted));
    });

    it('a compile graphql-jit refuses falls back to graphql-js for good', async () => {
      const refusals: boolean[] = [];
      const execute = createExecutor(schema, { onCompile: (_name, compiled) => refusals.push(compiled) });
      items['one'] = () => ({ id: 'x', name: 'n' });
      compileQuery.mockImplementationOnce(() => ({ errors: [] }));
      const document = parse('{ one { id name } }');
      const operation = getOperationAST(document) ?? undefined;
      const run = () => execute({ document, operation, operationName: undefined, variables: {}, contextValue: {} });
      const answers = [await run(), await run(), await run()];
      expect(answers).toEqual(Array(3).fill({ data: { one: { id: 'x', name: 'n' } } }));
      expect(refusals).toEqual([false]);
    });
  });
});

describe('compile cost of documents the query limits admit', () => {
  /** F0 selects one field; each F(i) spreads F(i-1) twice: 2^n expansions in n lines. */
  function fragmentChain(n: number): string {
    let text = `{ sessions(page: {limit: 1}) { items { ...F${n} } } }\nfragment F0 on Session { id }\n`;
    for (let i = 1; i <= n; i += 1) text += `fragment F${i} on Session { ...F${i - 1} ...F${i - 1} }\n`;
    return text;
  }

  it('a 40-fragment chain (2^40 expansions) is admitted and answered at once by its first, interpreted run', async () => {
    // Sent ONCE only: a second run would compile it, and that compile does not end (see the report).
    const answer = await post(`${fragmentChain(40)}# once ${(fresh += 1)}`);
    expect(answer.status).toBe(200);
    expect((answer.body as { data?: { sessions?: { items?: unknown[] } } }).data?.sessions?.items).toHaveLength(1);
  });

  /*
   * graphql-jit's augmentFieldNodeTree (ast.js) walks every field's subtree through fragment spreads
   * without remembering the fragments it has expanded: compile work doubles with each link of the
   * chain (n = 20: ~1.5 s, n = 22: ~5.6 s on this machine), while graphql-js, the validation and
   * the query limits take each fragment once. Counted here in reads of the fragments' selections.
   */
  it('a fragment chain is never compiled (graphql-jit expands it exponentially): no more reads than graphql-js', async () => {
    // On __type: no context needed, and graphql-js really executes the fragments (2^14 expansions).
    let text = `{ __type(name: "Session") { ...F14 } }\nfragment F0 on __Type { name }\n`;
    for (let i = 1; i <= 14; i += 1) text += `fragment F${i} on __Type { ...F${i - 1} ...F${i - 1} }\n`;
    const document = parse(text);
    let reads = 0;
    for (const definition of document.definitions) {
      if (definition.kind !== 'FragmentDefinition') continue;
      const selectionSet = definition.selectionSet;
      Object.defineProperty(definition, 'selectionSet', {
        get: () => {
          reads += 1;
          return selectionSet;
        },
        enumerable: true,
        configurable: true,
      });
    }
    const compiles: boolean[] = [];
    const execute = createExecutor(buildGatewaySchema(), { onCompile: (_name, compiled) => compiles.push(compiled) });
    const operation = getOperationAST(document) ?? undefined;
    const run = async (): Promise<number> => {
      const before = reads;
      expect(await execute({ document, operation, operationName: undefined, variables: {}, contextValue: {} })).toEqual({
        data: { __type: { name: 'Session' } },
      });
      return reads - before;
    };
    const interpreted = await run();
    const compiled = await run();
    expect(compiles).toEqual([]);
    expect(interpreted).toBeGreaterThan(0);
    expect(compiled).toBeLessThanOrEqual(20 * interpreted);
  });
});

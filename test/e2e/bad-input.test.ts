/**
 * Bad input of every kind gets a 4xx or a GraphQL error with a clear message: never a 500, never an
 * upstream call. Property-based tests throw generated garbage at the input layer.
 */
import fc from 'fast-check';
import { connect } from 'node:net';
import { request } from 'undici';
import { startStack, type Stack } from '../helpers/stack';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  await stack.gql('{ sessions(page: {limit: 1}) { totalCount } }'); // log in once: later calls must add none
});

afterAll(async () => {
  await stack.close();
});

beforeEach(() => stack.sim.counters.reset());

async function raw(body: string | Buffer, contentType = 'application/json', method = 'POST', search = '') {
  const response = await request(`${stack.gateway.url}/graphql${search}`, {
    method: method as 'POST',
    headers: { 'content-type': contentType, 'apollo-require-preflight': 'true' },
    body: method === 'GET' ? undefined : body,
  });
  const text = await response.body.text();
  return { status: response.statusCode, text };
}

describe('malformed requests', () => {
  it.each([
    ['malformed JSON', '{"query": "{ sessions { totalCount } }"', 'application/json', 400, /not valid JSON/],
    ['a JSON array', '[1, 2, 3]', 'application/json', 400, /.+/],
    ['a JSON body without a query', '{"foo": 1}', 'application/json', 400, /query/i],
    ['a non-string query', '{"query": 42}', 'application/json', 400, /queries must be strings/],
    ['a non-object variables', '{"query": "{ sessions { totalCount } }", "variables": "x"}', 'application/json', 400, /variables/i],
    ['a text/plain body (CSRF prevention)', '{ sessions { totalCount } }', 'text/plain', 400, /.+/],
    ['a GraphQL syntax error', '{"query": "{ sessions { "}', 'application/json', 400, /Syntax Error/],
    ['an unknown field', '{"query": "{ backups { id } }"}', 'application/json', 400, /Cannot query field \\"backups\\"/],
    [
      'an unknown operation name',
      '{"query": "query A { sessions { totalCount } }", "operationName": "B"}',
      'application/json',
      400,
      /Unknown operation named \\"B\\"/,
    ],
    // The schema has no Mutation type: refused before execution with a code, not graphql's execution error.
    ['a mutation (none exist)', '{"query": "mutation { x }"}', 'application/json', 400, /OPERATION_NOT_SUPPORTED/],
    [
      'a huge string argument',
      JSON.stringify({ query: `{ sessions { items { protectedItems(search: "${'x'.repeat(10_000)}") { totalCount } } } }` }),
      'application/json',
      400,
      /search must be at most 256 characters/,
    ],
  ])('%s: refused, no upstream call', async (_name, body, type, status, message) => {
    const response = await raw(body, type);
    expect(response.status).toBe(status);
    expect(response.text).toMatch(message);
    expect(stack.sim.counters.total()).toBe(0);
  });

  it.each([
    [{ filter: { from: 'not-a-date' } }, /Invalid DateTime/],
    [{ filter: { usn: 1.5 } }, /Long must be an integer/],
    [{ filter: { usn: '99999999999999999999' } }, /Long must be a 64-bit integer|out of the 64-bit range/],
    [{ filter: { status: ['EXPLODED'] } }, /EXPLODED/],
    [{ page: { limit: 'ten' } }, /Int cannot represent/],
    [{ page: { offset: 2 ** 40 } }, /Int cannot represent/],
    [{ sort: [{ field: 'NAME' }] }, /NAME/],
  ])('invalid variables %j → 400 BAD_USER_INPUT, no upstream call', async (variables, message) => {
    const response = await stack.gql(
      'query ($filter: SessionFilter, $page: PageInput, $sort: [SessionSort!]) { sessions(filter: $filter, page: $page, sort: $sort) { totalCount } }',
      variables,
    );
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.message).toMatch(message);
    expect(stack.sim.counters.total()).toBe(0);
  });

  it('a GET without a query and unknown methods are 4xx', async () => {
    expect((await raw('', 'application/json', 'GET')).status).toBe(400);
    const put = await request(`${stack.gateway.url}/graphql`, {
      method: 'PUT',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(put.statusCode).toBeGreaterThanOrEqual(400);
    expect(put.statusCode).toBeLessThan(500);
    await put.body.dump();
  });
});

describe('generated input (fast-check)', () => {
  const sessionsQuery =
    'query ($filter: SessionFilter, $page: PageInput, $id: ID!) { sessions(filter: $filter, page: $page) { totalCount } session(id: $id) { id } }';
  const anyJson = fc.oneof(
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 3 }),
  );

  it('never answers 5xx, and invalid input never reaches the appliance', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            filter: fc.record(
              { from: anyJson, to: anyJson, usn: anyJson, policyId: anyJson, vmId: anyJson, status: anyJson, types: anyJson },
              { requiredKeys: [] },
            ),
            page: fc.record({ offset: anyJson, limit: anyJson }, { requiredKeys: [] }),
            id: anyJson,
          },
          { requiredKeys: [] },
        ),
        async (variables) => {
          stack.sim.counters.reset();
          const response = await stack.gql(sessionsQuery, variables);
          expect(response.status).toBeLessThan(500);
          if (response.errors?.some((e) => e.extensions?.['code'] === 'BAD_USER_INPUT')) {
            expect(stack.sim.counters.total()).toBe(0);
          }
          for (const error of response.errors ?? []) {
            expect(error.extensions?.['code']).not.toBe('INTERNAL_SERVER_ERROR');
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('arbitrary bytes as a body are a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const response = await raw(Buffer.from(bytes));
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
      }),
      { numRuns: 100 },
    );
    expect(stack.sim.counters.total()).toBe(0);
  });
});

it('a client that leaves halfway through its body is a 499 in the request log, not an error', async () => {
  const { port } = new URL(stack.gateway.url);
  await new Promise<void>((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(
        'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nx-request-id: left-halfway\r\nContent-Length: 100\r\n\r\n{"query":',
      );
      setTimeout(() => socket.destroy(), 50);
    });
    socket.on('close', () => resolve());
  });
  const line = async () => stack.logs.lines().find((l) => l['requestId'] === 'left-halfway');
  for (let i = 0; i < 100 && !(await line()); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(await line()).toMatchObject({ status: 499 });
  expect(stack.logs.lines().filter((l) => l['level'] === 50 || l['level'] === 'error')).toEqual([]);
});

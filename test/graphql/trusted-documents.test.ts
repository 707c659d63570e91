/**
 * Trusted documents: both manifest formats (graphql-codegen's persisted-documents.json and Apollo's
 * persisted query list), `require` running only listed operations (by id, hash or exact text) and
 * refusing the rest before any parse work and with no upstream call, and `allow`.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { parseManifest, TrustedDocuments } from '../../src/graphql/plugins/trusted-documents';
import { startStack, type Stack } from '../helpers/stack';

const COUNT = 'query SessionCount { sessions(page: { limit: 1 }) { totalCount } }';
const NEWEST = 'query Newest { sessions(page: { limit: 2 }) { items { id status } } }';
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function manifestFile(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'gw-trusted-')), 'manifest.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

async function post(stack: Stack, body: Record<string, unknown>) {
  const response = await request(`${stack.gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.statusCode,
    body: (await response.body.json()) as {
      data?: Record<string, unknown>;
      errors?: Array<{ message: string; extensions?: { code?: string } }>;
    },
  };
}

describe('manifests', () => {
  it("reads codegen's hash → document map and Apollo's operation list, with operation names", () => {
    const codegen = parseManifest({ [sha256(COUNT)]: COUNT }, 'test');
    expect(codegen).toEqual([{ id: sha256(COUNT), body: COUNT, name: 'SessionCount' }]);
    const apollo = parseManifest(
      { format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: 'abc', name: 'Newest', type: 'query', body: NEWEST }] },
      'test',
    );
    expect(apollo).toEqual([{ id: 'abc', body: NEWEST, name: 'Newest' }]);
    const documents = new TrustedDocuments(apollo);
    expect(documents.lookup('abc')?.name).toBe('Newest');
    expect(documents.lookup(sha256(NEWEST))?.name).toBe('Newest'); // the body's hash works too
    expect(documents.match(NEWEST)?.id).toBe('abc');
  });

  it.each([
    [[1, 2], /must be a JSON object/],
    [{ abc: 42 }, /value of abc must be a GraphQL document/],
    [{ abc: '{ sessions(' }, /document abc is not valid GraphQL/],
    [{ format: 'apollo-persisted-query-manifest', version: 2, operations: [] }, /only version 1/],
  ])('refuses a malformed manifest %j at start-up', (content, message) => {
    expect(() => parseManifest(content, 'TRUSTED_DOCUMENTS_FILE (m.json)')).toThrow(message);
  });
});

describe('TRUSTED_DOCUMENTS=require with a codegen manifest', () => {
  let stack: Stack;

  beforeAll(async () => {
    const file = manifestFile({ [sha256(COUNT)]: COUNT });
    stack = await startStack({ env: { TRUSTED_DOCUMENTS: 'require', TRUSTED_DOCUMENTS_FILE: file } });
  });

  afterAll(async () => {
    await stack.close();
  });

  beforeEach(() => stack.sim.counters.reset());

  it.each([
    ['documentId in the body', { documentId: sha256(COUNT) }],
    ['extensions.persistedQuery (Apollo Client, urql)', { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(COUNT) } } }],
    ['the listed text itself', { query: COUNT }],
  ])('runs a listed operation named by %s', async (_how, body) => {
    const result = await post(stack, body);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ data: { sessions: { totalCount: 500 } } });
  });

  it('refuses an unlisted operation before parse work, with no upstream call', async () => {
    const unlisted = await post(stack, { query: NEWEST });
    expect(unlisted.status).toBe(400);
    expect(unlisted.body.errors?.[0]?.extensions?.code).toBe('OPERATION_NOT_TRUSTED');
    expect(unlisted.body.data).toBeUndefined();
    // Not even parsed: broken syntax gets the same refusal, not GRAPHQL_PARSE_FAILED.
    const broken = await post(stack, { query: '{ sessions(page: ' });
    expect(broken.body.errors?.[0]?.extensions?.code).toBe('OPERATION_NOT_TRUSTED');
    expect(stack.sim.counters.total()).toBe(0);
  });

  it("counts operations in metrics under their manifest entry's name", async () => {
    expect((await post(stack, { documentId: sha256(COUNT) })).status).toBe(200);
    const metrics = await stack.gateway.metrics.registry.metrics();
    expect(metrics).toMatch(/veeam_gateway_graphql_requests_total\{operation="SessionCount",client="none",outcome="success"\} [1-9]/);
  });

  it('refuses an unlisted subscription on the live transport too, before any upstream call', async () => {
    const response = await request(`${stack.gateway.url}/graphql/stream`, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'subscription Unlisted { sessionUpdates { usn } }' }),
    });
    expect(response.statusCode).toBe(400);
    const body = (await response.body.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]?.extensions.code).toBe('OPERATION_NOT_TRUSTED');
    expect(stack.sim.counters.total()).toBe(0);
  });

  it('refuses an unknown id with PERSISTED_QUERY_NOT_FOUND', async () => {
    const result = await post(stack, { documentId: sha256('something else') });
    expect(result.status).toBe(400);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(stack.sim.counters.total()).toBe(0);
  });
});

describe('TRUSTED_DOCUMENTS=allow with an Apollo persisted query list', () => {
  let stack: Stack;

  beforeAll(async () => {
    const file = manifestFile({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [{ id: 'newest-v1', name: 'Newest', type: 'query', body: NEWEST }],
    });
    stack = await startStack({ env: { TRUSTED_DOCUMENTS: 'allow', TRUSTED_DOCUMENTS_FILE: file } });
  });

  afterAll(async () => {
    await stack.close();
  });

  it('runs listed operations by id and any other valid query as usual', async () => {
    const listed = await post(stack, { extensions: { persistedQuery: { version: 1, sha256Hash: 'newest-v1' } } });
    expect((listed.body.data?.['sessions'] as { items: unknown[] }).items).toHaveLength(2);
    const free = await post(stack, { query: COUNT });
    expect(free.body).toEqual({ data: { sessions: { totalCount: 500 } } });
  });
});

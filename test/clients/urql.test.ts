/**
 * urql (@urql/core + Graphcache) against the running gateway with an API key: its default GET for
 * short queries passes CSRF prevention because the credential header counts as preflighted, and
 * two session details that share an instance keep their own statuses in the normalised cache.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, fetchExchange, gql } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { request } from 'undici';
import { sha256Hex } from '../../src/http/auth/index';
import { startStack, type Stack } from '../helpers/stack';
import { DASHBOARD, DETAIL, sharedInstance, statusIn, type DetailData } from './fixtures';

const API_KEY = 'urql-dashboard-key-5d1f';
let stack: Stack;

beforeAll(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'gw-urql-')), 'api-keys');
  writeFileSync(file, `dashboards ${sha256Hex(API_KEY)}\n`);
  stack = await startStack({ env: { AUTH_MODE: 'apikey', API_KEYS_FILE: file, CORS_ORIGINS: 'https://dashboards.example.com' } });
});

afterAll(async () => {
  await stack.close();
});

/** Objects without an id are embedded in their parent (Graphcache's `keys` returning null). */
const embedded = () => null;

function urql(methods: string[] = [], keys: Record<string, (data: Record<string, unknown>) => string | null> = {}): Client {
  return new Client({
    url: `${stack.gateway.url}/graphql`,
    exchanges: [cacheExchange({ keys: { SessionPage: embedded, ProtectedItemPage: embedded, ...keys } }), fetchExchange],
    fetchOptions: { headers: { 'x-api-key': API_KEY } },
    // urql's defaults otherwise (preferGetMethod: 'within-url-limit'); the methods are recorded.
    fetch: (input, init) => {
      methods.push(init?.method ?? 'GET');
      return fetch(input, init);
    },
  });
}

describe('urql with Graphcache, authenticated by x-api-key', () => {
  it('sends the short dashboard query as a GET, which CSRF prevention admits', async () => {
    const methods: string[] = [];
    const result = await urql(methods).query(DASHBOARD, { offset: 0, limit: 5 }).toPromise();
    expect(result.error).toBeUndefined();
    expect(methods).toEqual(['GET']);
    expect((result.data as { sessions: { items: unknown[] } }).sessions.items).toHaveLength(5);
  });

  it("keeps session A's FAILED item FAILED after session B shows the same instance SUCCEEDED", async () => {
    const { instanceId, failedIn, succeededIn } = sharedInstance(stack.sim);
    const client = urql();
    const a = await client.query<DetailData>(gql(DETAIL), { id: failedIn }).toPromise();
    expect(a.error).toBeUndefined();
    expect(statusIn(a.data, instanceId)).toBe('FAILED');
    const b = await client.query<DetailData>(gql(DETAIL), { id: succeededIn }).toPromise();
    expect(statusIn(b.data, instanceId)).toBe('SUCCEEDED');
    stack.sim.counters.reset();
    const again = await client.query<DetailData>(gql(DETAIL), { id: failedIn }, { requestPolicy: 'cache-only' }).toPromise();
    expect(statusIn(again.data, instanceId)).toBe('FAILED');
    expect(stack.sim.counters.total()).toBe(0);
  });

  it('(control) keyed by the instance alone, as before, Graphcache mixes the sessions up', async () => {
    const { instanceId, failedIn, succeededIn } = sharedInstance(stack.sim);
    const client = urql([], { ProtectedItem: (item) => String(item['instanceId']) });
    await client.query<DetailData>(gql(DETAIL), { id: failedIn }).toPromise();
    await client.query<DetailData>(gql(DETAIL), { id: succeededIn }).toPromise();
    const again = await client.query<DetailData>(gql(DETAIL), { id: failedIn }, { requestPolicy: 'cache-only' }).toPromise();
    expect(statusIn(again.data, instanceId)).toBe('SUCCEEDED');
  });
});

describe('headers browsers send', () => {
  it('a preflight admits the standard client headers', async () => {
    const response = await request(`${stack.gateway.url}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://dashboards.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers':
          'apollographql-client-name,apollographql-client-version,traceparent,tracestate,x-apollo-operation-name,x-api-key',
      },
    });
    await response.body.dump();
    expect(response.statusCode).toBe(204);
    const allowed = String(response.headers['access-control-allow-headers'])
      .split(',')
      .map((h) => h.trim());
    for (const header of [
      'apollographql-client-name',
      'apollographql-client-version',
      'traceparent',
      'tracestate',
      'x-apollo-operation-name',
      'apollo-require-preflight',
      'content-type',
      'authorization',
      'x-api-key',
      'x-request-id',
    ]) {
      expect(allowed).toContain(header);
    }
  });

  it('a GET without a credential or preflight header is still refused as a possible CSRF', async () => {
    const none = await startStack();
    try {
      const response = await request(
        `${none.gateway.url}/graphql?query=${encodeURIComponent('{ sessions(page: {limit: 1}) { totalCount } }')}`,
      );
      expect(response.statusCode).toBe(400);
      expect(await response.body.text()).toMatch(/Cross-Site Request Forgery/);
      const withKeyHeader = await request(
        `${none.gateway.url}/graphql?query=${encodeURIComponent('{ sessions(page: {limit: 1}) { totalCount } }')}`,
        {
          headers: { authorization: 'Bearer anything' },
        },
      );
      expect(withKeyHeader.statusCode).toBe(200);
      await withKeyHeader.body.dump();
    } finally {
      await none.close();
    }
  });
});

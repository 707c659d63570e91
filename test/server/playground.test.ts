/**
 * The offline playground over HTTP: served to browsers only, assets from the gateway itself with
 * long-lived caching, a strict CSP, and example queries that are valid against the schema.
 */
import { buildSchema, parse, validate } from 'graphql';
import { request } from 'undici';
import { createPlayground, DEFAULT_TABS, PLAYGROUND_CSP } from '../../src/server/playground';
import { loadTypeDefs } from '../../src/graphql/schema';
import { startStack, type Stack } from '../helpers/stack';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ simulator: { sessionCount: 20 } });
});

afterAll(async () => {
  await stack.close();
});

const browserHeaders = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

async function page() {
  const response = await request(`${stack.gateway.url}/graphql`, { headers: browserHeaders });
  return { response, html: await response.body.text() };
}

describe('the playground page', () => {
  it('is served to a browser at /graphql with a strict CSP and nothing remote', async () => {
    const { response, html } = await page();
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toBe(PLAYGROUND_CSP);
    expect(PLAYGROUND_CSP).not.toMatch(/https?:|\*/);
    expect(PLAYGROUND_CSP).toContain("script-src 'self'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(html).not.toMatch(/<script>(?!<)/); // no inline script
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  it('is not taken for GraphQL GETs or API clients', async () => {
    const get = await request(`${stack.gateway.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { ...browserHeaders, 'apollo-require-preflight': '1' },
    });
    expect(await get.body.json()).toEqual({ data: { __typename: 'Query' } });
    const api = await request(`${stack.gateway.url}/graphql`, { headers: { accept: 'application/json' } });
    expect(api.headers['content-type']).not.toMatch(/text\/html/);
    await api.body.dump();
  });

  it('serves every referenced asset with its type, a year of caching, gzip and 304s', async () => {
    const { html } = await page();
    const paths = [...html.matchAll(/(?:src|href)="(\/playground\/[^"]+)"/g)].map((m) => m[1] ?? '');
    expect(paths).toHaveLength(5);
    for (const path of paths) {
      const response = await request(`${stack.gateway.url}${path}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(path.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
      expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(response.headers['content-encoding']).toBe('gzip');
      await response.body.dump();
      const again = await request(`${stack.gateway.url}${path}`, { headers: { 'if-none-match': String(response.headers['etag']) } });
      expect(again.statusCode).toBe(304);
      await again.body.dump();
    }
    const missing = await request(`${stack.gateway.url}/playground/nope.js`);
    expect(missing.statusCode).toBe(404);
    await missing.body.dump();
  });

  it('keeps a query containing </script> inside its JSON block', () => {
    const playground = createPlayground({ graphqlPath: '/graphql', assetsPath: '/p', title: '<b>x</b>', tabs: [{ query: '# </script><script>alert(1)</script>' }] });
    let written = '';
    const res = {
      writeHead: () => res,
      end: (body?: Buffer) => {
        written = body?.toString('utf8') ?? '';
      },
    };
    const handled = playground.handle(
      { method: 'GET', url: '/graphql', headers: { accept: 'text/html' } } as never,
      res as never,
    );
    expect(handled).toBe(true);
    expect(written).not.toContain('</script><script>alert(1)');
    expect(written).toContain('\\u003c/script>');
    expect(written).toContain('<title>&lt;b&gt;x&lt;/b&gt;</title>');
  });

  it('preloads example queries that are valid against the schema', () => {
    const schema = buildSchema(loadTypeDefs());
    expect(DEFAULT_TABS.length).toBeGreaterThanOrEqual(3);
    for (const tab of DEFAULT_TABS) expect(validate(schema, parse(tab.query))).toEqual([]);
  });
});

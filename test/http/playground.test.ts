/**
 * The offline playground over real HTTP, mounted on a plain node:http server that 404s everything
 * the playground does not take (unknown asset names included): served to browsers only, every asset from the server itself with
 * long-lived caching and 304s, a strict CSP, and its settings escaped inside the page.
 */
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { gunzipSync } from 'node:zlib';
import { buildSchema, parse, validate } from 'graphql';
import { request } from 'undici';
import { createPlayground, DEFAULT_TABS, PLAYGROUND_CSP, type Playground, type PlaygroundOptions } from '../../src/http/playground/index';
import { loadTypeDefs } from '../../src/graphql/schema';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
/** What the fallback route answers, so a test can tell "not taken" from the playground's own 404. */
const FALLBACK_BODY = 'fallback route';

/** The installed files the playground serves. */
const packageFile = (name: string, file: string): string => join(dirname(require.resolve(`${name}/package.json`)), file);
const SERVED_FILES = [
  packageFile('react', 'umd/react.production.min.js'),
  packageFile('react-dom', 'umd/react-dom.production.min.js'),
  packageFile('graphiql', 'graphiql.min.js'),
  packageFile('graphiql', 'graphiql.min.css'),
  packageFile('graphql-sse', 'umd/graphql-sse.min.js'),
];

const HOSTILE_QUERY = '# </script><script>alert(1)</script> <!-- \u2028 & "quotes"\n{ __typename }';
const OPTIONS: PlaygroundOptions = {
  graphqlPath: '/graphql',
  subscriptionPath: '/graphql/stream',
  assetsPath: '/playground',
  title: 'Backup <API> & "playground"',
  tabs: [{ name: 'Sessions', query: 'query Sessions { sessions { totalCount } }', variables: '{ "limit": 5 }' }, { query: HOSTILE_QUERY }],
};

interface Running {
  url: string;
  server: Server;
}

async function serve(playground: Playground): Promise<Running> {
  const server = createServer((req, res) => {
    if (playground.handle(req, res)) return;
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end(FALLBACK_BODY);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

let running: Running;

beforeAll(async () => {
  running = await serve(createPlayground(OPTIONS));
});

afterAll(async () => {
  await new Promise((resolve) => running.server.close(resolve));
});

async function get(path: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' | 'POST' = 'GET') {
  const response = await request(`${running.url}${path}`, { method, headers });
  const body = Buffer.from(await response.body.arrayBuffer());
  return { status: response.statusCode, headers: response.headers, body, text: body.toString('utf8') };
}

const page = () => get('/graphql', { accept: BROWSER_ACCEPT });

/** The `src`/`href` URLs the page loads (not the `data:` favicon). */
function assetUrls(html: string): string[] {
  return [...html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]*)"/g)]
    .map((m) => m[1] ?? '')
    .filter((u) => !u.startsWith('data:'));
}

/** The text of the JSON config element, up to where an HTML parser would end it. */
function configBlock(html: string): string {
  const open = '<script type="application/json" id="playground-config">';
  const start = html.indexOf(open);
  expect(start).toBeGreaterThan(-1);
  const end = html.indexOf('</script', start + open.length);
  return html.slice(start + open.length, end);
}

describe('the page at GET /graphql', () => {
  it('is served to a browser, with the security headers', async () => {
    const { status, headers, text } = await page();
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('text/html; charset=utf-8');
    expect(headers['content-security-policy']).toBe(PLAYGROUND_CSP);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['cache-control']).toBe('no-cache');
    expect(headers['vary']).toBe('Accept, Accept-Encoding');
    expect(text).toMatch(/^<!doctype html>/);
  });

  it('has a CSP that allows nothing remote, no inline script, no eval', () => {
    const directives = new Map(
      PLAYGROUND_CSP.split(';').map((d) => {
        const [name = '', ...sources] = d.trim().split(/\s+/);
        return [name, sources] as const;
      }),
    );
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    const allowed = new Set(["'self'", "'none'", "'unsafe-inline'", 'data:']);
    for (const [name, sources] of directives) {
      for (const source of sources) expect(`${name} ${source}`).toBe(`${name} ${allowed.has(source) ? source : '(allowed source)'}`);
    }
    expect(PLAYGROUND_CSP).not.toContain('unsafe-eval');
  });

  it('has no inline script and references nothing remote', async () => {
    const { text } = await page();
    for (const [tag] of text.matchAll(/<script\b[^>]*>/g)) {
      expect(tag).toMatch(/^<script (src="\/playground\/[^"]+"|type="application\/json" id="playground-config")>$/);
    }
    const urls = assetUrls(text);
    expect(urls.length).toBeGreaterThanOrEqual(5);
    for (const url of urls) expect(url).toMatch(/^\/playground\/[a-z-]+\.[0-9a-f]{12}\.(js|css)$/);
    expect(text).not.toMatch(/(?:src|href)="(?!\/playground\/|data:)/);
  });

  it('answers HEAD with the headers and no body', async () => {
    const head = await get('/graphql', { accept: BROWSER_ACCEPT }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-security-policy']).toBe(PLAYGROUND_CSP);
    expect(Number(head.headers['content-length'])).toBe((await page()).body.length);
    expect(head.body.length).toBe(0);
  });

  it('revalidates with its ETag', async () => {
    const first = await page();
    const again = await get('/graphql', { accept: BROWSER_ACCEPT, 'if-none-match': String(first.headers['etag']) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it.each([
    [
      'a GraphQL GET with ?query=, even from a browser',
      `/graphql?query=${encodeURIComponent('{ __typename }')}`,
      { accept: BROWSER_ACCEPT },
    ],
    [
      'a GraphQL GET with ?query= and other parameters',
      `/graphql?operationName=A&query=${encodeURIComponent('query A { __typename }')}`,
      { accept: 'text/html' },
    ],
    ['Accept: application/json', '/graphql', { accept: 'application/json' }],
    ['Accept: application/graphql-response+json', '/graphql', { accept: 'application/graphql-response+json, application/json;q=0.9' }],
    ['JSON ranked above HTML', '/graphql', { accept: 'application/json, text/html;q=0.5' }],
    ['text/html refused with q=0', '/graphql', { accept: 'text/html;q=0, */*' }],
    ['Accept: */* (curl)', '/graphql', { accept: '*/*' }],
    ['no Accept header', '/graphql', {}],
    ['another path', '/graphql/', { accept: BROWSER_ACCEPT }],
    ['a path outside the playground', '/healthz', { accept: BROWSER_ACCEPT }],
    ['a sibling of the assets folder', '/playgroundx/react.js', {}],
  ])('is not taken for %s', async (_case, path, headers: Record<string, string>) => {
    const { status, text } = await get(path, headers);
    expect({ status, text }).toEqual({ status: 404, text: FALLBACK_BODY });
  });

  it('is not taken for a POST, whatever it accepts', async () => {
    const { text } = await get('/graphql', { accept: BROWSER_ACCEPT }, 'POST');
    expect(text).toBe(FALLBACK_BODY);
  });

  it('is taken when HTML is preferred or tied with JSON', async () => {
    for (const accept of ['text/html', 'text/html, application/json', 'application/json;q=0.5, text/html;q=0.9']) {
      expect((await get('/graphql', { accept })).status).toBe(200);
    }
  });
});

describe('the settings inside the page', () => {
  it('round-trip exactly, with nothing able to end the JSON block early', async () => {
    const { text } = await page();
    const block = configBlock(text);
    expect(block).not.toMatch(/[<>&\u2028\u2029]/);
    // Only GraphiQL's TabDefinition fields travel; `name` is checked at creation.
    expect(JSON.parse(block)).toEqual({
      endpoint: '/graphql',
      subscriptionEndpoint: '/graphql/stream',
      tabs: [{ query: 'query Sessions { sessions { totalCount } }', variables: '{ "limit": 5 }' }, { query: HOSTILE_QUERY }],
    });
    expect(text.match(/<script\b/g)).toHaveLength(assetUrls(text).filter((u) => u.endsWith('.js')).length + 1);
    expect(text).not.toContain('alert(1)</script>');
  });

  it('name no subscription endpoint when none is configured', async () => {
    const { subscriptionPath: _omitted, ...withoutSubscriptions } = OPTIONS;
    const other = await serve(createPlayground(withoutSubscriptions));
    try {
      const html = await (await request(`${other.url}/graphql`, { headers: { accept: 'text/html' } })).body.text();
      expect(JSON.parse(configBlock(html))).not.toHaveProperty('subscriptionEndpoint');
    } finally {
      await new Promise((resolve) => other.server.close(resolve));
    }
  });

  it('escape the title', async () => {
    const { text } = await page();
    expect(text).toContain('<title>Backup &lt;API&gt; &amp; &quot;playground&quot;</title>');
  });
});

describe('the assets under /playground/', () => {
  it('are served with their type, a year of immutable caching and a weak ETag from the URL hash', async () => {
    const urls = assetUrls((await page()).text);
    for (const url of urls) {
      const { status, headers, body } = await get(url);
      const hash = /\.([0-9a-f]{12})\.(?:js|css)$/.exec(url)?.[1];
      expect({ url, status }).toEqual({ url, status: 200 });
      expect(headers['content-type']).toBe(url.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');
      expect(headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(headers['etag']).toBe(`W/"${hash}"`);
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['content-encoding']).toBeUndefined();
      expect(Number(headers['content-length'])).toBe(body.length);
      expect(body.length).toBeGreaterThan(0);
    }
  });

  it('are the installed packages’ files (React, ReactDOM, GraphiQL, graphql-sse) and the start-up script', async () => {
    const urls = assetUrls((await page()).text);
    const names = urls.map((u) => u.replace(/^\/playground\/|\.[0-9a-f]{12}/g, ''));
    expect(names).toEqual(['graphiql.css', 'playground.css', 'react.js', 'react-dom.js', 'graphiql.js', 'graphql-sse.js', 'playground.js']);
    const react = await get(urls[2] ?? '');
    expect(react.body.equals(fs.readFileSync(SERVED_FILES[0] ?? ''))).toBe(true);
    const graphiql = await get(urls[4] ?? '');
    expect(graphiql.text).toContain('window.GraphiQL =');
    expect(graphiql.text).not.toContain('sourceMappingURL');
    const sse = await get(urls[5] ?? '');
    expect(sse.body.equals(fs.readFileSync(SERVED_FILES[4] ?? ''))).toBe(true);
    expect(sse.text).toContain('.graphqlSse=');
    const init = await get(urls[6] ?? '');
    expect(init.text).toContain('GraphiQL.createFetcher');
    expect(init.text).toContain('graphqlSse.createClient');
    // Plain script text: it must at least compile (the browser test runs it).
    expect(() => new Script(init.text)).not.toThrow();
  });

  it('answer If-None-Match with 304 (weak comparison, lists, *)', async () => {
    const [url = ''] = assetUrls((await page()).text);
    const { headers } = await get(url);
    const etag = String(headers['etag']);
    for (const ifNoneMatch of [etag, etag.replace(/^W\//, ''), `"other", ${etag}`, '*']) {
      const again = await get(url, { 'if-none-match': ifNoneMatch });
      expect({ ifNoneMatch, status: again.status, length: again.body.length }).toEqual({ ifNoneMatch, status: 304, length: 0 });
      expect(again.headers['etag']).toBe(etag);
      expect(again.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
    expect((await get(url, { 'if-none-match': '"other"' })).status).toBe(200);
  });

  it('are gzipped when the browser accepts it', async () => {
    const urls = assetUrls((await page()).text);
    const url = urls.find((u) => u.includes('/graphiql.') && u.endsWith('.js')) ?? '';
    const plain = await get(url);
    const gzipped = await get(url, { 'accept-encoding': 'gzip, deflate, br' });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers['vary']).toBe('Accept-Encoding');
    expect(gzipped.body.length).toBeLessThan(plain.body.length / 3);
    expect(gunzipSync(gzipped.body).equals(plain.body)).toBe(true);
    expect((await get(url, { 'accept-encoding': 'gzip;q=0, identity' })).headers['content-encoding']).toBeUndefined();
  });

  it('answer HEAD without a body', async () => {
    const [url = ''] = assetUrls((await page()).text);
    const head = await get(url, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
    expect(head.body.length).toBe(0);
  });

  it('leave an unknown name under the assets path to the caller’s 404', async () => {
    const [url = ''] = assetUrls((await page()).text);
    const stale = url.replace(/\.[0-9a-f]{12}\./, '.000000000000.');
    for (const path of ['/playground/nope.js', '/playground/', '/playground/react.js', stale, `${url}?v=1`.replace('?', '/')]) {
      const { status, text } = await get(path);
      expect({ path, status, text }).toEqual({ path, status: 404, text: FALLBACK_BODY });
    }
  });

  it('ignore a query string', async () => {
    const [url = ''] = assetUrls((await page()).text);
    expect((await get(`${url}?v=2`)).status).toBe(200);
  });

  it('are never read from disk after creation', async () => {
    const playground = createPlayground(OPTIONS);
    const reads = [
      jest.spyOn(fs, 'readFileSync'),
      jest.spyOn(fs, 'readFile'),
      jest.spyOn(fs, 'createReadStream'),
      jest.spyOn(fs.promises, 'readFile'),
    ];
    const other = await serve(playground);
    try {
      const html = (await request(`${other.url}/graphql`, { headers: { accept: 'text/html' } })).body;
      for (const url of assetUrls(await html.text())) await (await request(`${other.url}${url}`)).body.arrayBuffer();
      // Jest's module loader reads through the same fs (undici loads parts lazily): only the
      // playground's files matter here.
      const served = reads
        .flatMap((spy) => spy.mock.calls.map((call: unknown[]) => String(call[0])))
        .filter((path) => SERVED_FILES.includes(path));
      expect(served).toEqual([]);
    } finally {
      for (const spy of reads) spy.mockRestore();
      await new Promise((resolve) => other.server.close(resolve));
    }
  });
});

describe("the gateway's example tabs", () => {
  it('are named, each name being the title GraphiQL shows, and valid against the schema', () => {
    const schema = buildSchema(loadTypeDefs());
    expect(DEFAULT_TABS.length).toBeGreaterThanOrEqual(3);
    expect(new Set(DEFAULT_TABS.map((tab) => tab.name)).size).toBe(DEFAULT_TABS.length);
    expect(() => createPlayground({ ...OPTIONS, tabs: DEFAULT_TABS })).not.toThrow();
    for (const tab of DEFAULT_TABS) {
      expect(tab.name).toBeDefined();
      expect({ name: tab.name, errors: validate(schema, parse(tab.query)) }).toEqual({ name: tab.name, errors: [] });
    }
  });
});

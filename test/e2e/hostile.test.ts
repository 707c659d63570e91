/**
 * Issue 12, "safe under hostile load": each finding of the adversarial review as a regression test
 * against the real gateway and the real simulator over HTTP. Every test here failed before the fix
 * (a frozen event loop, a 500, an accepted over-budget report, no refusal, a socket held open).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { sha256Hex } from '../../src/http/auth/index';
import { doubling, FRAGMENT_BOMB, SESSION_SCALARS } from '../../bench/hostile-documents';
import { startStack, type Stack } from '../helpers/stack';

const aliases = (count: number, field: (i: number) => string): string =>
  `{ ${Array.from({ length: count }, (_, i) => `a${i}: ${field(i)}`).join(' ')} }`;

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await request(url, { headers });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text };
}

describe('queries', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
    await stack.gql('{ sessions(page: {limit: 1}) { totalCount } }'); // the gateway's own login, out of the counts
  });

  afterAll(async () => {
    await stack.close();
  });

  beforeEach(() => stack.sim.counters.reset());

  it('answers the 1.1 KB doubling-fragment document at once, and health stays responsive', async () => {
    const [response, health] = await Promise.all([stack.gql(FRAGMENT_BOMB), get(`${stack.gateway.url}/healthz`)]);
    expect(health.status).toBe(200);
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
    // One session page, one items page: the cost the document really has.
    expect(stack.sim.counters.total()).toBeLessThanOrEqual(2);
  });

  it('answers 2^17 merged copies of one field without a stack overflow (no 500)', async () => {
    const response = await stack.gql(`{ sessions(page: {limit: 1}) { items { ...F0 } } }\n${doubling('F', 'Session', 18, 'id')}`);
    expect(response.status).toBe(200);
    expect(response.data).toMatchObject({ sessions: { items: [{ id: expect.any(String) }] } });
  });

  it('refuses 30 aliases × 1,000 sessions up front (rows), five at once, and keeps serving', async () => {
    const query = aliases(30, () => `sessions(page: {limit: 1000}) { items { ${SESSION_SCALARS} } }`);
    const responses = await Promise.all(Array.from({ length: 5 }, () => stack.gql(query)));
    for (const response of responses) {
      expect(response.status).toBe(400);
      expect(response.errors?.[0]).toMatchObject({
        message: 'This query could return 30000 rows; the limit is 10000. Ask for smaller pages, fewer aliases, or use an export.',
        extensions: { code: 'QUERY_TOO_LARGE', rows: 30_000, maxRows: 10_000 },
      });
    }
    expect(stack.sim.counters.total()).toBe(0);
    expect((await stack.gql('{ sessions(page: {limit: 1}) { totalCount } }')).status).toBe(200);
  });

  it('costs 30 aliases of sessionStats up front and refuses them with no upstream call', async () => {
    const query = aliases(
      30,
      (i) =>
        `sessionStats(filter: {from: "2026-10-${String(i + 1).padStart(2, '0')}"}) { total byStatus { count } byType { count } durations { count } }`,
    );
    const response = await stack.gql(query);
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', cost: 30 * (1 + 6 + 15), maxCost: 500 });
    expect(stack.sim.counters.total()).toBe(0);
  });

  it('sums topFailingItems over its aliases: refused after one count probe each, before reading any session', async () => {
    // 500 sessions in the simulator; each alias would read its failed backup sessions and their items.
    const query = aliases(20, (i) => `topFailingItems(filter: {from: "2026-0${1 + (i % 9)}-01"}) { name }`);
    const response = await stack.gql(query);
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', maxCost: 500 });
    expect(stack.sim.counters.total()).toBeLessThanOrEqual(20);
  });

  it('puts x-request-id on a 404', async () => {
    const response = await get(`${stack.gateway.url}/nowhere`);
    expect(response.status).toBe(404);
    expect(response.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('counts aliases under __schema like any others', async () => {
    const response = await stack.gql(aliases(220, () => '__schema { types { name } }'));
    expect(response.status).toBe(400);
    expect(response.errors?.[0]).toMatchObject({ extensions: { code: 'TOO_MANY_ALIASES', aliases: 220 } });
  });
});

describe('reports', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ env: { MAX_QUERY_COST: '2' } });
    await stack.gql('{ sessions(page: {limit: 1}) { totalCount } }'); // the gateway's own login, out of the counts
  });

  afterAll(async () => {
    await stack.close();
  });

  it('costs durations by its page count from one probe: 500 sessions in pages of 200 = 3 calls > 2', async () => {
    stack.sim.counters.reset();
    const response = await stack.gql('{ sessionStats { durations { count } } }');
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', cost: 1 + 3, maxCost: 2 });
    expect(stack.sim.counters.total()).toBe(1);
  });
});

describe('fair shares at the door', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ env: { MAX_CLIENT_REQUESTS: '2', MAX_CLIENT_EXPORTS: '1', TRUST_PROXY: '1', AUTH_MODE: 'none' } });
  });

  afterAll(async () => {
    await stack.close();
  });

  afterEach(() => {
    stack.sim.knobs.latencyMs = 0;
  });

  const post = async (forwardedFor: string) => {
    const response = await request(`${stack.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ query: '{ sessions(page: {limit: 1}) { totalCount } }' }),
    });
    return { status: response.statusCode, retryAfter: response.headers['retry-after'], body: await response.body.text() };
  };

  it('caps the GraphQL requests one client has in progress (429 with Retry-After); another address is not held back', async () => {
    stack.sim.knobs.latencyMs = 300;
    const [a, b, c, other] = await Promise.all([post('10.0.0.1'), post('10.0.0.1'), post('10.0.0.1'), post('10.0.0.2')]);
    expect([a, b, c].map((r) => r.status).sort()).toEqual([200, 200, 429]);
    expect([a, b, c].find((r) => r.status === 429)).toMatchObject({ retryAfter: '1' });
    expect(other.status).toBe(200);
  });

  it('caps the exports one client streams at once', async () => {
    stack.sim.knobs.latencyMs = 300;
    const exportFrom = (address: string) => get(`${stack.gateway.url}/export/sessions.csv`, { 'x-forwarded-for': address });
    const [first, second] = await Promise.all([exportFrom('10.0.0.3'), exportFrom('10.0.0.3')]);
    expect([first.status, second.status].sort()).toEqual([200, 429]);
  });

  it('never puts /healthz or /readyz behind the client gate', async () => {
    stack.sim.knobs.latencyMs = 300;
    const busy = [post('10.0.0.4'), post('10.0.0.4')];
    const [health, ready] = await Promise.all([
      get(`${stack.gateway.url}/healthz`, { 'x-forwarded-for': '10.0.0.4' }),
      get(`${stack.gateway.url}/readyz`, { 'x-forwarded-for': '10.0.0.4' }),
    ]);
    expect(health.status).toBe(200);
    expect(ready.status).toBe(200);
    await Promise.all(busy);
  });
});

describe('memory admission and export deadline', () => {
  it('refuses new client requests with 503 + Retry-After when the heap is near its limit; health still answers', async () => {
    const stack = await startStack({ env: { MAX_HEAP_USED_PERCENT: '1' } });
    try {
      const response = await stack.gql('{ sessions(page: {limit: 1}) { totalCount } }');
      expect(response.status).toBe(503);
      expect(response.errors?.[0]?.extensions).toEqual({ code: 'GATEWAY_OVERLOADED' });
      expect((await get(`${stack.gateway.url}/healthz`)).status).toBe(200);
    } finally {
      await stack.close();
    }
  });

  it('ends an export that runs past EXPORT_TIMEOUT_MS with REQUEST_TIMEOUT', async () => {
    const stack = await startStack({ env: { EXPORT_TIMEOUT_MS: '200' }, simulator: { knobs: { latencyMs: 400 } } });
    try {
      const response = await get(`${stack.gateway.url}/export/sessions.csv`);
      expect(response.status).toBe(504);
      expect(JSON.parse(response.text)).toMatchObject({ errors: [{ extensions: { code: 'REQUEST_TIMEOUT' } }] });
    } finally {
      await stack.close();
    }
  });
});

describe('the HTTP server', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ env: { HTTP_HEADERS_TIMEOUT_MS: '300', HTTP_REQUEST_TIMEOUT_MS: '400', MAX_CONNECTIONS: '2' } });
  });

  afterAll(async () => {
    await stack.close();
  });

  const open = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const { port } = new URL(stack.gateway.url);
      const socket = connect(Number(port), '127.0.0.1', () => resolve(socket));
      socket.once('error', reject);
    });

  /** What the server writes before it closes the socket. */
  const untilClosed = (socket: Socket): Promise<string> =>
    new Promise((resolve) => {
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      socket.on('error', () => undefined);
      socket.once('close', () => resolve(received));
    });

  it('closes a request whose body drips in (requestTimeout) with a 408', async () => {
    const socket = await open();
    const closed = untilClosed(socket);
    socket.write('POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{');
    const drip = setInterval(() => socket.write(' '), 100);
    try {
      expect(await closed).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      clearInterval(drip);
    }
  });

  it('closes connections beyond MAX_CONNECTIONS', async () => {
    const held = [await open(), await open()];
    try {
      const third = await open();
      expect(await untilClosed(third)).toBe('');
    } finally {
      for (const socket of held) socket.destroy();
    }
  });
});

describe('authentication under attack', () => {
  let stack: Stack;
  const key = 'dash-2f6c1a9e-long-random-key';

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gw-keys-')), 'api-keys');
    writeFileSync(file, `dashboards ${sha256Hex(key)}\n`);
    stack = await startStack({ env: { AUTH_MODE: 'apikey', API_KEYS_FILE: file, TRUST_PROXY: '1' } });
  });

  afterAll(async () => {
    await stack.close();
  });

  const post = async (headers: Record<string, string>) => {
    const response = await request(`${stack.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ sessions(page: {limit: 1}) { totalCount } }' }),
    });
    return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
  };

  it('throttles wrong keys by address after 10, logs address and request id, and leaves other addresses alone', async () => {
    const attacker = { 'x-forwarded-for': '192.0.2.66' };
    const refusals = [];
    for (let i = 0; i < 12; i += 1) refusals.push(await post({ ...attacker, 'x-api-key': `guess-${i}`, 'x-request-id': `guess-${i}` }));
    expect(refusals.slice(0, 10).map((r) => r.status)).toEqual(Array(10).fill(401));
    expect(refusals.slice(10).map((r) => r.status)).toEqual([429, 429]);
    expect(refusals[10]?.headers['retry-after']).toEqual(expect.any(String));
    // Even the right key waits: the address is throttled, not the key.
    expect((await post({ ...attacker, 'x-api-key': key })).status).toBe(429);
    expect((await post({ 'x-forwarded-for': '192.0.2.7', 'x-api-key': key })).status).toBe(200);
    const logged = stack.logs.lines().find((line) => line['requestId'] === 'guess-0');
    expect(logged).toMatchObject({ address: '192.0.2.66', msg: 'client refused: not authenticated' });
  });

  it('puts x-request-id on a 401 and on export answers', async () => {
    const refused = await post({ 'x-forwarded-for': '192.0.2.8' });
    expect(refused.status).toBe(401);
    expect(refused.headers['x-request-id']).toEqual(expect.any(String));
    const exported = await get(`${stack.gateway.url}/export/sessions.csv?status=FAILED`, {
      'x-api-key': key,
      'x-forwarded-for': '192.0.2.9',
    });
    expect(exported.status).toBe(200);
    expect(exported.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('refuses an export sort with a third part', async () => {
    const response = await get(`${stack.gateway.url}/export/sessions.csv?sort=USN:ASC:EXTRA`, {
      'x-api-key': key,
      'x-forwarded-for': '192.0.2.9',
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text)).toEqual({
      errors: [{ message: 'sort "USN:ASC:EXTRA" must be FIELD or FIELD:DIRECTION', extensions: { code: 'BAD_USER_INPUT' } }],
    });
  });
});

describe('AUTH_MODE=none', () => {
  it('keys clients by address for the rate limit, not one shared bucket', async () => {
    const stack = await startStack({ env: { AUTH_MODE: 'none', TRUST_PROXY: '1', RATE_LIMIT_RPS: '1', RATE_LIMIT_BURST: '1' } });
    try {
      const from = async (address: string) =>
        await request(`${stack.gateway.url}/graphql?query=${encodeURIComponent('{ sessions(page: {limit: 1}) { totalCount } }')}`, {
          headers: { 'x-forwarded-for': address, 'apollo-require-preflight': 'true' },
        }).then(async (response) => (await response.body.dump(), response.statusCode));
      expect(await from('198.51.100.1')).toBe(200);
      expect(await from('198.51.100.1')).toBe(429);
      expect(await from('198.51.100.2')).toBe(200);
    } finally {
      await stack.close();
    }
  });
});

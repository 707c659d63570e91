/**
 * Query limits in front of the real gateway: refused with a 400 and a stable code before any
 * upstream call, each message stating the figure and the limit.
 */
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { sendRaw } from '../helpers/raw-http';
import { startStack, type Stack } from '../helpers/stack';
import { until } from '../helpers/upstream';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ env: { MAX_QUERY_DEPTH: '6', MAX_QUERY_ALIASES: '3', MAX_QUERY_TOKENS: '400', MAX_QUERY_COST: '200' } });
});

afterAll(async () => {
  await stack.close();
});

beforeEach(() => stack.sim.counters.reset());

it.each([
  [
    'a query over the cost budget, page size in a variable',
    'query ($n: Int) { sessions(page: {limit: $n}) { items { protectedItems(page: {limit: 20}) { totalCount } } } }',
    { n: 500 },
    'QUERY_TOO_COSTLY',
    'This query could make 503 upstream calls; the budget is 200. Ask for smaller pages or fewer nested fields.',
  ],
  [
    'too many aliases',
    '{ a: sessions { totalCount } b: sessions { totalCount } c: sessions { totalCount } d: sessions { totalCount } }',
    {},
    'TOO_MANY_ALIASES',
    'This query uses 4 aliases; the limit is 3.',
  ],
])('refuses %s', async (_name, query, variables, code, message) => {
  const response = await stack.gql(query, variables);
  expect(response.status).toBe(400);
  expect(response.errors?.[0]).toMatchObject({ message, extensions: { code } });
  expect(stack.sim.counters.total()).toBe(0);
});

it('refuses a query deeper than the limit', async () => {
  const deep = '{ sessions { items { protectedItems { items { id } } } } }';
  const ok = await stack.gql(deep);
  expect(ok.errors).toBeUndefined();
  const limited = await startStack({ env: { MAX_QUERY_DEPTH: '4' } });
  try {
    limited.sim.counters.reset();
    const response = await limited.gql(deep);
    expect(response.status).toBe(400);
    expect(response.errors?.[0]).toMatchObject({
      message: 'This query is 5 levels deep; the limit is 4.',
      extensions: { code: 'QUERY_TOO_DEEP' },
    });
    expect(limited.sim.counters.total()).toBe(0);
  } finally {
    await limited.close();
  }
});

it('refuses a document with too many tokens', async () => {
  const response = await stack.gql(`{ sessions { items { ${'id '.repeat(500)} } } }`);
  expect(response.status).toBe(400);
  expect(response.errors?.[0]?.message).toMatch(/Document contains more tha[nt] 400 tokens/); // graphql-js spells it "that";
  expect(stack.sim.counters.total()).toBe(0);
});

it('refuses a body over MAX_BODY_BYTES with 413', async () => {
  const response = await request(`${stack.gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ sessions { totalCount } }', variables: { pad: 'x'.repeat(2 * 1024 * 1024) } }),
  });
  expect(response.statusCode).toBe(413);
  expect(await response.body.json()).toMatchObject({ errors: [{ extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
});

it('refuses a chunked body that grows past MAX_BODY_BYTES with 413, and closes the connection', async () => {
  async function* chunked(): AsyncGenerator<Buffer> {
    yield Buffer.from('{"query":"{ sessions { totalCount } }","variables":{"pad":"');
    for (let i = 0; i < 32; i += 1) yield Buffer.alloc(64 * 1024, 'x');
    yield Buffer.from('"}}');
  }
  const response = await request(`${stack.gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' }, // no content-length: the size is only known while reading
    body: Readable.from(chunked()),
  });
  expect(response.statusCode).toBe(413);
  expect(response.headers['connection']).toBe('close');
  expect(await response.body.json()).toMatchObject({ errors: [{ extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
});

it('logs a 413 as a 413, not 499, when the client leaves once it has read it (the rest of its body unsent)', async () => {
  const { port } = new URL(stack.gateway.url);
  await new Promise<void>((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => undefined);
    socket.on('data', () => socket.destroy()); // reads the 413, then gives up its upload
    socket.on('close', () => resolve());
    socket.write(
      'POST /graphql HTTP/1.1\r\nHost: gateway\r\nx-request-id: leaves-after-413\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${5 * 1024 * 1024}\r\n\r\n`,
    );
  });
  const line = (): Record<string, unknown> | undefined =>
    stack.logs.lines().find((entry) => entry['requestId'] === 'leaves-after-413' && entry['msg'] === 'graphql request');
  await until(() => line() !== undefined, 'the request log line');
  expect(line()).toMatchObject({ status: 413, refused: 'payload_too_large' });
});

it('upgrades no WebSocket pipelined behind a refused body: the connection ends after the 413', async () => {
  const oversized = 2 * 1024 * 1024;
  const answer = await sendRaw(Number(new URL(stack.gateway.url).port), [
    `POST /graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: ${oversized}\r\n\r\n`,
    Buffer.alloc(oversized, 'x'),
    'GET /graphql HTTP/1.1\r\nHost: gateway\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n',
  ]);
  expect(answer).toMatch(/^HTTP\/1\.1 413 /);
  expect(answer).not.toMatch(/HTTP\/1\.1 101/);
});

describe('a client that asks before sending its body (Expect: 100-continue, as curl does over 1 MiB)', () => {
  const HEAD = 'POST /graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n';

  /** The final (non-100) answer in what was read, once its whole body is there. */
  function finalAnswer(text: string): string | undefined {
    const start = text.search(/HTTP\/1\.1 (?!100 )\d{3} /);
    if (start < 0) return undefined;
    const answer = text.slice(start);
    const headEnd = answer.indexOf('\r\n\r\n');
    const length = /content-length: (\d+)/i.exec(answer)?.[1];
    if (headEnd < 0 || length === undefined) return undefined;
    return Buffer.byteLength(answer.slice(headEnd + 4), 'latin1') >= Number(length) ? answer : undefined;
  }

  /**
   * Sends the head, then the body only once told to continue, as curl does; reads until the final
   * answer is whole, then leaves. Resolves everything it read, and whether it sent its body.
   */
  const ask = (contentLength: number, body: string): Promise<{ text: string; sentBody: boolean }> =>
    new Promise((resolve) => {
      const socket = connect(Number(new URL(stack.gateway.url).port), '127.0.0.1');
      let text = '';
      let sentBody = false;
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (text.startsWith('HTTP/1.1 100 Continue\r\n\r\n') && !sentBody) {
          sentBody = true;
          socket.write(body);
        }
        if (finalAnswer(text) !== undefined) {
          socket.destroy();
          resolve({ text, sentBody });
        }
      });
      socket.write(`${HEAD}Content-Length: ${contentLength}\r\n\r\n`);
    });

  it('is refused with 413 before it uploads an oversized body', async () => {
    const { text, sentBody } = await ask(5 * 1024 * 1024, 'x'.repeat(5 * 1024 * 1024));
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(sentBody).toBe(false);
  });

  it('gets the 413, not a reset, when it sends the oversized body at once anyway and reads only then', async () => {
    const text = await new Promise<string>((resolve) => {
      const socket = connect(Number(new URL(stack.gateway.url).port), '127.0.0.1');
      const received: Buffer[] = [];
      socket.pause();
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      socket.on('close', () => resolve(Buffer.concat(received).toString('latin1')));
      socket.write(`${HEAD}Content-Length: ${5 * 1024 * 1024}\r\n\r\n`);
      socket.write(Buffer.alloc(5 * 1024 * 1024, 'x'), () => {
        socket.resume();
        socket.end();
      });
    });
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('is told to continue when its body fits, and answered', async () => {
    const body = JSON.stringify({ query: '{ sessions(page: {limit: 1}) { totalCount } }' });
    const { text, sentBody } = await ask(Buffer.byteLength(body), body);
    expect(sentBody).toBe(true);
    expect(text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
  });
});

/**
 * What bounds live subscriptions: client authentication before any upstream call, the per-client
 * cap, the arguments and cost checked up front, the replay window's gap signal, and the cut-off of a
 * subscriber that stops reading, with memory held to the window.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { request } from 'undici';
import WebSocket from 'ws';
import { sha256Hex } from '../../src/http/auth/index';
import { startLiveStack, until, Collector, type LiveStack } from '../live/live-stack';

const WATCH =
  'subscription ($f: SessionFilter, $after: Long) { sessionUpdates(filter: $f, afterUsn: $after) { usn changes session { id status } } }';

describe('without a credential (AUTH_MODE=apikey)', () => {
  const key = 'live-dashboard-key-0123456789abcdef';
  let stack: LiveStack;

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'live-keys-')), 'keys');
    writeFileSync(file, `dashboards ${sha256Hex(key)}\n`);
    stack = await startLiveStack({ AUTH_MODE: 'apikey', API_KEYS_FILE: file });
    stack.sim.counters.reset();
  });

  afterAll(async () => {
    await stack.close();
  });

  it('SSE answers 401 before any upstream call', async () => {
    const query = new URLSearchParams({ query: WATCH });
    const response = await request(`${stack.gateway.url}/graphql/stream?${query.toString()}`, { headers: { accept: 'text/event-stream' } });
    expect(response.statusCode).toBe(401);
    expect(((await response.body.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code).toBe(
      'UNAUTHENTICATED',
    );
    const refused = new Collector();
    stack.sse().subscribe({ query: WATCH }, refused.sink());
    await until(() => refused.errors.length > 0, 'the graphql-sse client to fail');
    expect(stack.gateway.live.stats().subscribers).toBe(0);
    expect(stack.sim.counters.total()).toBe(0);
  });

  it('WebSocket closes with 4401 before any upstream call', async () => {
    const refused = new Collector();
    stack.ws({ 'x-api-key': 'wrong' }).subscribe({ query: WATCH }, refused.sink());
    await until(() => refused.errors.length > 0, 'the graphql-ws client to fail');
    expect((refused.errors[0] as { code?: number }).code).toBe(4401);
    expect(stack.sim.counters.total()).toBe(0);
  });

  it('admits the key from the connection_init payload or the SSE request headers', async () => {
    const overWs = new Collector();
    const overSse = new Collector();
    const stops = [
      stack.ws({ 'x-api-key': key }).subscribe({ query: WATCH }, overWs.sink()),
      stack.sse({ 'x-api-key': key }).subscribe({ query: WATCH }, overSse.sink()),
    ];
    await until(() => stack.gateway.live.stats().subscribers === 2 && stack.gateway.live.stats().head !== undefined, 'two subscribers');
    stack.sim.activity.start();
    await stack.tick();
    await overWs.count(1);
    await overSse.count(1);
    for (const stop of stops) stop();
    await until(() => stack.gateway.live.stats().subscribers === 0, 'unsubscribed');
  });
});

describe('without client authentication', () => {
  let stack: LiveStack;

  beforeAll(async () => {
    // One proxy in front: the client address is the X-Forwarded-For entry it appends.
    stack = await startLiveStack({ LIVE_MAX_SUBSCRIPTIONS_PER_CLIENT: '1', TRUST_PROXY: '1' });
  });

  afterAll(async () => {
    await stack.close();
  });

  it("counts the subscription cap per address, so one anonymous caller cannot use up everyone's", async () => {
    const from = (address: string) => stack.sse({ 'x-forwarded-for': address });
    const first = new Collector();
    const stopFirst = from('192.0.2.1').subscribe({ query: WATCH }, first.sink());
    await until(() => stack.gateway.live.stats().subscribers === 1, 'the first subscriber');
    const sameAddress = new Collector();
    from('192.0.2.1').subscribe({ query: WATCH }, sameAddress.sink());
    await until(() => sameAddress.errors.length > 0, 'the refusal of a second subscription from the same address');
    expect(sameAddress.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'LIVE_TOO_MANY_SUBSCRIPTIONS' }) }),
    ]);
    const otherAddress = new Collector();
    const stopOther = from('192.0.2.2').subscribe({ query: WATCH }, otherAddress.sink());
    await until(() => stack.gateway.live.stats().subscribers === 2, 'a subscriber from another address');
    expect(otherAddress.errors).toEqual([]);
    stopFirst();
    stopOther();
    await until(() => stack.gateway.live.stats().subscribers === 0, 'unsubscribed');
  });
});

describe('WebSocket connections per client (LIVE_MAX_WEBSOCKETS_PER_CLIENT=2, anonymous clients by address)', () => {
  const current = stackForDescribe(() => startLiveStack({ LIVE_MAX_WEBSOCKETS_PER_CLIENT: '2', TRUST_PROXY: '1' }));

  /** A graphql-ws client from an address: resolves "connected", or the close code and reason. */
  const connectFrom = (address: string): { client: ReturnType<LiveStack['ws']>; outcome: Promise<string> } => {
    const client = current().ws(undefined, { 'x-forwarded-for': address });
    const outcome = new Promise<string>((resolve) => {
      client.on('connected', () => resolve('connected'));
      client.on('closed', (event) => {
        const { code, reason } = event as { code: number; reason: string };
        resolve(`${code} ${reason}`);
      });
    });
    return { client, outcome };
  };

  it('closes a third connection of one client with 4429, leaves other clients alone, and counts a closed one out', async () => {
    const first = connectFrom('192.0.2.1');
    const second = connectFrom('192.0.2.1');
    expect(await first.outcome).toBe('connected');
    expect(await second.outcome).toBe('connected');
    const third = connectFrom('192.0.2.1');
    expect(await third.outcome).toMatch(/^4429 LIVE_TOO_MANY_WEBSOCKETS: 2 open/);
    // A refused connection is not counted in, nor out: the next one is refused too.
    expect(await connectFrom('192.0.2.1').outcome).toMatch(/^4429 LIVE_TOO_MANY_WEBSOCKETS: 2 open/);
    expect(await connectFrom('192.0.2.2').outcome).toBe('connected');
    await first.client.dispose();
    // The gateway counts it out when the close reaches it; until then the place is still taken.
    let retried = '';
    for (let attempt = 0; attempt < 100 && retried !== 'connected'; attempt += 1) retried = await connectFrom('192.0.2.1').outcome;
    expect(retried).toBe('connected');
  });
});

/**
 * A raw WebSocket client that reads everything and answers nothing, not even the server's close
 * frame: ws alone would hold such a socket for 30 s. Resolves the frames' bytes when the gateway
 * drops it; rejects if it is still held after 10 s (the waits under test are 100 ms).
 */
async function silentClient(stack: LiveStack, send?: string): Promise<Promise<Buffer>> {
  const { port } = new URL(stack.gateway.url);
  const socket = connect(Number(port), '127.0.0.1');
  const received: Buffer[] = [];
  const dropped = new Promise<Buffer>((resolve, reject) => {
    const held = setTimeout(() => reject(new Error('the gateway still holds the socket after 10 s')), 10_000);
    socket.on('close', () => {
      clearTimeout(held);
      resolve(Buffer.concat(received));
    });
  });
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  socket.write(
    'GET /graphql HTTP/1.1\r\nHost: gateway\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
      'Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n',
  );
  await until(() => Buffer.concat(received).includes('101 Switching Protocols'), 'the upgrade');
  if (send !== undefined) {
    // A client's text frame: final, masked, under 126 bytes.
    const payload = Buffer.from(send);
    const mask = randomBytes(4);
    socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0))]));
  }
  return dropped;
}

const SILENT_KEY = 'live-dashboard-key-0123456789abcdef';
const initWith = (key: string): string => JSON.stringify({ type: 'connection_init', payload: { 'x-api-key': key } });

async function startKeyedStack(waits: { connectionInitWaitMs: number; closeGraceMs: number }): Promise<LiveStack> {
  const file = join(mkdtempSync(join(tmpdir(), 'live-keys-')), 'keys');
  writeFileSync(file, `dashboards ${sha256Hex(SILENT_KEY)}\n`);
  return startLiveStack({ AUTH_MODE: 'apikey', API_KEYS_FILE: file, LIVE_MAX_WEBSOCKETS_PER_CLIENT: '1' }, { webSocketWaits: waits });
}

/** A stack for the enclosing describe, started before its tests and closed after them. */
function stackForDescribe(start: () => Promise<LiveStack>): () => LiveStack {
  let stack: LiveStack | undefined;
  beforeAll(async () => {
    stack = await start();
  });
  afterAll(async () => {
    await stack?.close();
  });
  return () => {
    if (!stack) throw new Error('the stack has not started');
    return stack;
  };
}

describe('sockets that never send connection_init (connection_init wait and grace of 100 ms)', () => {
  const current = stackForDescribe(() => startKeyedStack({ connectionInitWaitMs: 100, closeGraceMs: 100 }));

  it('drops one whose client ignores the close frame', async () => {
    const frames = await silentClient(current());
    expect(frames.includes('Connection initialisation timeout')).toBe(true); // graphql-ws's 4408, then the drop
  });

  it('keeps an admitted one past both waits', async () => {
    const stack = current();
    const client = stack.ws({ 'x-api-key': SILENT_KEY });
    const events = new Collector();
    client.subscribe({ query: WATCH }, events.sink());
    await until(() => stack.gateway.live.stats().subscribers === 1, 'the subscriber');
    await new Promise((resolve) => setTimeout(resolve, 400)); // twice the wait and the grace
    expect(events.errors).toEqual([]);
    expect(stack.gateway.live.stats().subscribers).toBe(1);
    await client.dispose();
    await until(() => stack.gateway.live.stats().subscribers === 0, 'unsubscribed');
  });
});

describe('refused sockets whose client ignores the close frame (grace of 100 ms, connection_init wait of a minute)', () => {
  // Only the refusal's own grace can drop them within the helper's 10 s.
  const current = stackForDescribe(() => startKeyedStack({ connectionInitWaitMs: 60_000, closeGraceMs: 100 }));

  it('drops one refused as unauthenticated (4401)', async () => {
    const frames = await silentClient(current(), initWith('not-a-key'));
    expect(frames.includes('UNAUTHENTICATED')).toBe(true);
  });

  it("drops one refused for its client's connections (4429)", async () => {
    const stack = current();
    const held = stack.ws({ 'x-api-key': SILENT_KEY });
    const connected = new Promise<void>((resolve) => held.on('connected', () => resolve()));
    await connected;
    const frames = await silentClient(stack, initWith(SILENT_KEY));
    expect(frames.includes('LIVE_TOO_MANY_WEBSOCKETS')).toBe(true);
    await held.dispose();
  });
});

describe('bounds', () => {
  const WINDOW = 5;
  let stack: LiveStack;

  beforeAll(async () => {
    stack = await startLiveStack({
      LIVE_REPLAY_WINDOW: String(WINDOW),
      LIVE_MAX_SUBSCRIPTIONS_PER_CLIENT: '2',
      MAX_QUERY_ALIASES: '200',
      MAX_QUERY_COST: '8',
    });
  });

  afterAll(async () => {
    await stack.close();
  });

  const stats = () => stack.gateway.live.stats();

  it('refuses a third subscription of one client with LIVE_TOO_MANY_SUBSCRIPTIONS', async () => {
    const client = stack.ws();
    const held = [new Collector(), new Collector()];
    const stops = held.map((collector) => client.subscribe({ query: WATCH }, collector.sink()));
    await until(() => stats().subscribers === 2 && stats().head !== undefined, 'two subscribers and the start-up poll');
    const third = new Collector();
    client.subscribe({ query: WATCH }, third.sink());
    await until(() => third.errors.length > 0, 'the refusal');
    expect(third.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'LIVE_TOO_MANY_SUBSCRIPTIONS' }) }),
    ]);
    for (const stop of stops) stop();
    await until(() => stats().subscribers === 0, 'unsubscribed');
  });

  it.each([
    [{ f: { policyId: '3f0e4a36-0e3c-4a59-9d43-1d0a7c1b2e33' } }, 'BAD_USER_INPUT', 'filter.policyId'],
    [{ after: '-1' }, 'BAD_USER_INPUT', 'afterUsn'],
  ])('refuses %j with %s before any upstream call', async (variables, code, argument) => {
    stack.sim.counters.reset();
    const refused = new Collector();
    stack.sse().subscribe({ query: WATCH, variables }, refused.sink());
    await until(() => refused.errors.length > 0 || refused.completed, 'the refusal');
    expect(refused.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code, argument }) })]);
    expect(stack.sim.counters.total()).toBe(0);
  });

  it('refuses a selection whose events would cost more than MAX_QUERY_COST', async () => {
    const query =
      'subscription { sessionUpdates { session { protectedItems(page: { limit: 1000 }) { totalCount } a: protectedItems(search: "x", page: { limit: 1000 }) { totalCount } } } }';
    const response = await request(`${stack.gateway.url}/graphql/stream`, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    expect(response.statusCode).toBe(400);
    const body = (await response.body.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]?.extensions.code).toBe('QUERY_TOO_COSTLY');
  });

  it('refuses a selection whose events could hold more than MAX_QUERY_ROWS rows, as for a query', async () => {
    const items = Array.from({ length: 12 }, (_, i) => `i${i}: protectedItems(page: { limit: 1000 }) { items { name } }`).join(' ');
    const response = await request(`${stack.gateway.url}/graphql/stream`, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ query: `subscription { sessionUpdates { session { ${items} } } }` }),
    });
    expect(response.statusCode).toBe(400);
    const body = (await response.body.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]?.extensions.code).toBe('QUERY_TOO_LARGE');
  });

  it('answers a subscription sent to POST /graphql with OPERATION_NOT_SUPPORTED, without an upstream call', async () => {
    stack.sim.counters.reset();
    const response = await request(`${stack.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'subscription { sessionUpdates { usn } }' }),
    });
    const body = (await response.body.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]?.extensions.code).toBe('OPERATION_NOT_SUPPORTED');
    expect(stack.sim.counters.total()).toBe(0);
  });

  it('signals LIVE_GAP_TOO_OLD when the changes after afterUsn have left the window', async () => {
    const keeper = stack.ws().subscribe({ query: WATCH }, new Collector().sink());
    await until(() => stats().subscribers === 1 && stats().head !== undefined, 'a subscriber');
    const old = String(stats().head);
    for (let i = 0; i <= WINDOW; i += 1) {
      stack.sim.activity.start();
      await stack.tick();
    }
    const late = new Collector();
    stack.sse().subscribe({ query: WATCH, variables: { after: old } }, late.sink());
    await until(() => late.completed || late.errors.length > 0, 'the gap signal');
    expect(late.updates).toEqual([]);
    expect(late.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'LIVE_GAP_TOO_OLD' }) })]);
    keeper();
    await until(() => stats().subscribers === 0, 'unsubscribed');
  });

  it('cuts off a WebSocket client that never reads, holding no more than the window', async () => {
    // Large events (the same log under many aliases: one upstream call each) fill the socket buffers fast.
    const aliases = Array.from({ length: 150 }, (_, i) => `l${i}: log { time status rawStatus message startTime durationMs }`).join(' ');
    const socket = new WebSocket(`${stack.gateway.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await new Promise((resolve) => socket.once('message', resolve));
    socket.send(
      JSON.stringify({
        id: '1',
        type: 'subscribe',
        payload: { query: `subscription { sessionUpdates { usn session { id ${aliases} } } }` },
      }),
    );
    await until(() => stats().subscribers === 1 && stats().head !== undefined, 'the subscriber');
    socket.pause();

    let polls = 0;
    while (stats().cutOff === 0 && polls < 400) {
      for (let i = 0; i < WINDOW; i += 1) stack.sim.activity.start();
      await stack.tick();
      polls += 1;
      expect(stats().windowSize).toBeLessThanOrEqual(WINDOW);
    }
    expect(stats()).toMatchObject({ cutOff: 1, subscribers: 0 });

    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.resume();
    expect([1013, 1006]).toContain(await closed);
  });
});

describe('guessing keys over WebSocket', () => {
  let stack: LiveStack;

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'live-keys-')), 'keys');
    writeFileSync(file, `dashboards ${sha256Hex('the-real-key-0123456789abcdef')}\n`);
    stack = await startLiveStack({ AUTH_MODE: 'apikey', API_KEYS_FILE: file });
  });

  afterAll(async () => {
    await stack.close();
  });

  it('is throttled per address like HTTP: after 10 failures the connection is refused before authentication', async () => {
    const closeCodes: Array<number | undefined> = [];
    for (let attempt = 0; attempt < 11; attempt += 1) {
      const refused = new Collector();
      stack.ws({ 'x-api-key': `guess-${attempt}` }).subscribe({ query: WATCH }, refused.sink());
      await until(() => refused.errors.length > 0, `attempt ${attempt} to be refused`);
      closeCodes.push((refused.errors[0] as { code?: number }).code);
    }
    expect(closeCodes.slice(0, 10)).toEqual(Array.from({ length: 10 }, () => 4401));
    expect(closeCodes[10]).toBe(4429);
    expect(stack.sim.counters.total()).toBe(0);
  });
});

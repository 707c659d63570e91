/**
 * Streamed exports end to end: content and order checked against the simulator's data, RFC 4180
 * CSV, a mid-stream failure visible in the file, a disconnect that stops the paging, and 100,000
 * sessions streamed with bounded memory.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { brotliDecompressSync, constants as zlibConstants, gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse';
import { parse as parseCsvText } from 'csv-parse/sync';
import { request } from 'undici';
import { csvLine } from '../../src/exports/formats';
import { startStack, type Stack } from '../helpers/stack';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ simulator: { sessionCount: 1_000 } });
});

afterAll(async () => {
  await stack.close();
});

beforeEach(() => {
  stack.sim.counters.reset();
  stack.sim.knobs.faultRules = [];
  stack.sim.knobs.latencyMs = 0;
});

async function get(path: string) {
  const response = await request(`${stack.gateway.url}${path}`);
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

/** Reads a body until it ends or the connection fails: what a client got, and how it ended. */
async function readUntilFailure(path: string, headers: Record<string, string> = {}) {
  const response = await request(`${stack.gateway.url}${path}`, { headers });
  const chunks: Buffer[] = [];
  let error: unknown;
  try {
    for await (const chunk of response.body) chunks.push(chunk as Buffer);
  } catch (failure) {
    error = failure;
  }
  return { status: response.statusCode, headers: response.headers, bytes: Buffer.concat(chunks), error };
}

/** A real CSV reader (csv-parse), as reporting tools read the exports; the #ERROR trailer is a short row. */
function parseCsv(text: string): string[][] {
  return parseCsvText(text, { record_delimiter: '\r\n', relax_column_count: true }) as string[][];
}

describe('GET /export/sessions.csv', () => {
  it('streams every matching session with a header, in USN order, UTC times', async () => {
    const response = await get('/export/sessions.csv?status=FAILED,WARNING&types=POLICY');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows = parseCsv(response.text);
    expect(rows[0]).toEqual([
      'id',
      'name',
      'type',
      'extendedType',
      'status',
      'result',
      'reason',
      'usn',
      'startTime',
      'stopTime',
      'durationMs',
      'rawType',
      'rawStatus',
      'rawResult',
    ]);
    const expected = stack.sim.data.sessions
      .filter((s) => ['Failed', 'Warning'].includes(s.status) && s.type === 'Policy')
      .sort((a, b) => a.usn - b.usn);
    expect(rows.slice(1).map((r) => r[0])).toEqual(expected.map((s) => s.id));
    const first = rows[1] ?? [];
    expect(first[7]).toBe(String(expected[0]?.usn));
    expect(first[8]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    // One spelling with GraphQL (POLICY, FAILED); the appliance's at the end.
    expect([first[2], first[4]]).toEqual(['POLICY', expected[0]?.status.toUpperCase()]);
    expect([first[11], first[12]]).toEqual(['Policy', expected[0]?.status]);
    expect(stack.sim.counters.get('GET /sessions')).toBe(Math.max(1, Math.ceil(expected.length / 200)));
  });

  it('quotes fields per RFC 4180', async () => {
    expect(csvLine(['a', 'b,c', 'say "hi"', 'two\nlines', undefined, 5])).toBe('a,"b,c","say ""hi""","two\nlines",,5\r\n');
  });

  it('rejects bad parameters with 400 before any upstream call', async () => {
    for (const query of ['status=EXPLODED', 'from=yesterday', 'sort=NAME', 'policyId=42', 'colour=red']) {
      const response = await get(`/export/sessions.csv?${query}`);
      expect(response.status).toBe(400);
      expect(JSON.parse(response.text)).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
    }
    expect(stack.sim.counters.total()).toBe(0);
  });

  it('fails for the client when the appliance fails midway, after a machine-readable #ERROR trailer', async () => {
    stack.sim.knobs.faultRules = [{ pathIncludes: '/sessions', queryIncludes: 'Offset=600', status: 500, errorCode: 'UnknownError' }];
    const response = await readUntilFailure('/export/sessions.csv');
    expect(response.status).toBe(200);
    expect(response.error).toBeDefined(); // the body never completed: the connection was cut
    const rows = parseCsv(response.bytes.toString('utf8'));
    expect(rows[rows.length - 1]).toEqual(['#ERROR', 'UPSTREAM_ERROR', 'The Veeam appliance failed (500)']);
    expect(rows.length - 2).toBe(600); // header, 3 full pages, the error line
  });

  it('makes a pandas-style reader (csv-parse over the HTTP stream) fail instead of loading a wrong row', async () => {
    stack.sim.knobs.faultRules = [{ pathIncludes: '/sessions', queryIncludes: 'Offset=400', status: 500, errorCode: 'UnknownError' }];
    const response = await request(`${stack.gateway.url}/export/sessions.csv`);
    const frame: Array<Record<string, string>> = [];
    // relax_column_count: the parser alone would accept the trailer as a row; the transport must fail.
    const reading = pipeline(
      response.body,
      parse({ columns: true, relax_column_count: true }),
      new Writable({
        objectMode: true,
        write(row: Record<string, string>, _encoding, done) {
          frame.push(row);
          done();
        },
      }),
    );
    const error = await reading.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as { code?: string }).code ?? '').not.toMatch(/^CSV_/);
  });

  it('compresses with br or gzip as negotiated, flushing rows as pages arrive', async () => {
    const plain = await get('/export/sessions.csv?types=POLICY');
    for (const [encoding, decode] of [
      ['br', brotliDecompressSync],
      ['gzip', gunzipSync],
    ] as const) {
      const response = await readUntilFailure('/export/sessions.csv?types=POLICY', { 'accept-encoding': `${encoding}, identity;q=0.5` });
      expect(response.error).toBeUndefined();
      expect(response.headers['content-encoding']).toBe(encoding);
      expect(String(response.headers['vary'])).toMatch(/accept-encoding/);
      expect(decode(response.bytes).toString('utf8')).toBe(plain.text);
      expect(response.bytes.length).toBeLessThan(plain.text.length / 3);
    }
    expect(plain.headers['content-encoding']).toBeUndefined();
  });

  it('fails a compressed export midway too', async () => {
    stack.sim.knobs.faultRules = [{ pathIncludes: '/sessions', queryIncludes: 'Offset=200', status: 500, errorCode: 'UnknownError' }];
    const response = await readUntilFailure('/export/sessions.csv', { 'accept-encoding': 'gzip' });
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.error).toBeDefined();
    // What arrived before the cut decodes, and ends with the machine-readable trailer.
    const text = gunzipSync(response.bytes, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString('utf8');
    const rows = parseCsv(text);
    expect(rows[rows.length - 1]).toEqual(['#ERROR', 'UPSTREAM_ERROR', 'The Veeam appliance failed (500)']);
  });

  it('stops after `limit` rows for a preview, asking the appliance for no more', async () => {
    stack.sim.resetRequests();
    const response = await get('/export/sessions.csv?limit=5');
    const rows = parseCsv(response.text);
    expect(rows).toHaveLength(6);
    expect(rows.slice(1).map((r) => r[0])).toEqual(
      [...stack.sim.data.sessions]
        .sort((a, b) => a.usn - b.usn)
        .slice(0, 5)
        .map((s) => s.id),
    );
    expect(stack.sim.requests.filter((r) => r.endpoint === 'GET /sessions').map((r) => r.query)).toEqual(['Offset=0&Limit=5&Sort=usnAsc']);
    const items = parseCsv((await get('/export/protected-items.csv?types=POLICY&limit=7')).text);
    expect(items).toHaveLength(8);
    for (const bad of ['limit=0', 'limit=-3', 'limit=ten', 'limit=100000000']) {
      expect((await get(`/export/sessions.csv?${bad}`)).status).toBe(400);
    }
  });

  it('answers a failure before the first row with an HTTP error, not a 200', async () => {
    stack.sim.knobs.faultRules = [{ pathIncludes: '/sessions', status: 503, errorCode: 'ServiceUnavailable' }];
    const response = await get('/export/sessions.ndjson');
    expect(response.status).toBe(503);
    expect(JSON.parse(response.text)).toMatchObject({ errors: [{ extensions: { code: 'UPSTREAM_UNAVAILABLE' } }] });
  });
});

describe('GET /export/sessions.ndjson and /export/protected-items.csv', () => {
  it('writes one JSON object per line, and an error object when failing midway', async () => {
    const ok = await get('/export/sessions.ndjson?types=RETENTION_ACTIVITY');
    const lines = ok.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; type: string; rawType: string });
    expect(lines.length).toBe(stack.sim.data.sessions.filter((s) => s.type === 'RetentionActivity').length);
    expect(lines.every((l) => l.type === 'RETENTION_ACTIVITY' && l.rawType === 'RetentionActivity')).toBe(true);
    stack.sim.knobs.faultRules = [{ pathIncludes: '/sessions', queryIncludes: 'Offset=200', status: 500 }];
    const failed = await readUntilFailure('/export/sessions.ndjson');
    expect(failed.error).toBeDefined();
    expect(JSON.parse(failed.bytes.toString('utf8').trim().split('\n').pop() ?? '{}')).toEqual({
      error: { code: 'UPSTREAM_ERROR', message: 'The Veeam appliance failed (500)' },
    });
  });

  it('lists one row per session × protected item', async () => {
    const response = await get('/export/protected-items.csv?types=POLICY&status=FAILED');
    const rows = parseCsv(response.text);
    expect(rows[0]).toEqual([
      'sessionId',
      'sessionType',
      'sessionStatus',
      'sessionStartTime',
      'itemId',
      'itemName',
      'itemStatus',
      'region',
      'rawSessionType',
      'rawSessionStatus',
      'rawItemStatus',
    ]);
    const sessions = stack.sim.data.sessions.filter((s) => s.type === 'Policy' && s.status === 'Failed').sort((a, b) => a.usn - b.usn);
    const expected = sessions.flatMap((s) => (stack.sim.data.protectedItems(s.id) ?? []).map((i) => [s.id, i.id]));
    expect(rows.slice(1).map((r) => [r[0], r[4]])).toEqual(expected);
  });
});

describe('a client that disconnects', () => {
  it('stops the upstream paging', async () => {
    // 3,000 sessions in pages of 100: 30 pages, 2 fetched ahead.
    const slow = await startStack({
      simulator: { sessionCount: 3_000, knobs: { latencyMs: 50 } },
      env: { VEEAM_PAGE_SIZE: '100', EXPORT_CONCURRENCY: '2' },
    });
    try {
      const controller = new AbortController();
      const response = await request(`${slow.gateway.url}/export/sessions.csv`, { signal: controller.signal });
      const reader = response.body[Symbol.asyncIterator]();
      await reader.next(); // the first rows arrived
      controller.abort();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const afterAbort = slow.sim.counters.get('GET /sessions');
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(slow.sim.counters.get('GET /sessions')).toBe(afterAbort);
      expect(afterAbort).toBeLessThan(10);
      const line = slow.logs.lines().find((l) => l['msg'] === 'export');
      expect(line).toMatchObject({ outcome: 'client gone' });
    } finally {
      await slow.close();
    }
  });
});

/**
 * A full garbage collection, so that what is measured is memory the export holds on to, not garbage
 * V8 has not yet collected (the gateway, the simulator and this client share the process).
 */
function collectGarbage(): void {
  setFlagsFromString('--expose_gc');
  (runInNewContext('gc') as () => void)();
}

describe('100,000 sessions', () => {
  it("stream with the gateway's memory growing by less than 50 MB", async () => {
    const big = await startStack({ simulator: { sessionCount: 100_000 } });
    try {
      await big.gql('{ sessions(page: {limit: 1}) { totalCount } }'); // warm: login, JIT
      big.sim.counters.reset();
      collectGarbage();
      const before = process.memoryUsage();
      let peakHeap = before.heapUsed;
      let peakRss = before.rss;
      const response = await request(`${big.gateway.url}/export/sessions.csv`);
      let lines = 0;
      let tail = '';
      let firstRow = '';
      for await (const chunk of response.body) {
        const text = tail + (chunk as Buffer).toString('utf8');
        const parts = text.split('\r\n');
        tail = parts.pop() ?? '';
        if (!firstRow && parts.length > 1) firstRow = parts[1] ?? '';
        const previous = lines;
        lines += parts.length;
        if (Math.floor(previous / 10_000) !== Math.floor(lines / 10_000)) {
          collectGarbage(); // every 10,000 rows: what is still held while the export runs
          const now = process.memoryUsage();
          peakHeap = Math.max(peakHeap, now.heapUsed);
          peakRss = Math.max(peakRss, now.rss);
        }
      }
      expect(lines).toBe(100_001);
      expect(firstRow.split(',')[0]).toBe(big.sim.data.sessions[0]?.id);
      expect(big.sim.counters.get('GET /sessions')).toBe(500);
      expect((peakHeap - before.heapUsed) / 1048576).toBeLessThan(50);
      expect((peakRss - before.rss) / 1048576).toBeLessThan(50);
    } finally {
      await big.close();
    }
  });
});

/**
 * `node dist/bench/h2.js`: HTTP/1.1 against HTTP/2 for a dashboard's fan-out, on the transport the
 * gateway uses (an undici Pool with a connection cap). The simulator speaks HTTP/1.1 only (node:https),
 * so this is a bench-only fake appliance: node:http2 `createSecureServer({ allowHTTP1: true })` in a
 * child process, answering a 50-session list and 20-item pages of the simulator's sizes after a fixed
 * latency. The same fake serves both protocols; undici's `allowH2` picks h2 by ALPN.
 *
 * Env: BENCH_H2_DURATION_S (5), BENCH_H2_LATENCY_MS (10).
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createSecureServer } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { drive, type CellResult } from './driver';

const DURATION_S = Number(process.env['BENCH_H2_DURATION_S'] ?? 5);
const LATENCY_MS = Number(process.env['BENCH_H2_LATENCY_MS'] ?? 10);
/** A dashboard: one list, then one items call per backup session on it. */
const ITEM_CALLS = 41;

function serve(): void {
  const dir = mkdtempSync(join(tmpdir(), 'bench-h2-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const session = {
    id: '0b8f2a55-3c1e-4c55-9b0a-2f7a1d3e4c5b',
    name: 'Daily EC2 policy',
    type: 'Policy',
    status: 'Succeeded',
    executionStartTime: '2026-11-01T00:00:00.123456',
    executionStopTime: '2026-11-01T00:10:00.654321',
    executionDuration: 600_000,
    usn: 123456,
    reason: 'Scheduled',
    result: 'Success',
    _embedded: { backupJobInfo: { policyId: 'p', policyName: 'Daily EC2 policy' } },
  };
  const list = JSON.stringify({ totalCount: 5000, results: Array.from({ length: 50 }, () => session) });
  const item = { id: 'i-0123456789abcdef0', name: 'web-server-01', status: 'Succeeded', region: 'us-east-1', type: 'EC2' };
  const items = JSON.stringify({ totalCount: 20, results: Array.from({ length: 20 }, () => item) });
  let connections = 0;
  const server = createSecureServer(
    { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')), allowHTTP1: true },
    (req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(req.url?.startsWith('/sessions?') ? list : items);
      }, LATENCY_MS);
    },
  );
  server.on('secureConnection', () => {
    connections += 1;
  });
  process.on('message', (message: string) => {
    if (message === 'connections') {
      process.send?.({ connections });
      connections = 0;
    }
  });
  process.on('disconnect', () => process.exit(0));
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
  });
}

interface Row {
  protocol: string;
  connections: number;
  pipelining: number | undefined;
  c1: CellResult;
  c64: CellResult;
  socketsOpened: number;
}

async function main(): Promise<void> {
  const child = fork(__filename, ['serve'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  const socketsOpened = (): Promise<number> =>
    new Promise((resolve) => {
      child.once('message', (m: { connections: number }) => resolve(m.connections));
      child.send('connections');
    });
  const rows: Row[] = [];
  // undici 7 caps h2 streams per connection at `pipelining`, which defaults to 1 even for h2 (the
  // gateway's Pool also sets 1): multiplexing needs it raised, which on an h1 fallback would pipeline.
  const configs: Array<[protocol: 'h1' | 'h2', connections: number, pipelining: number | undefined]> = [
    ['h1', 8, 1],
    ['h1', 64, 1],
    ['h2', 8, 1],
    ['h2', 1, 64],
    ['h2', 2, 32],
  ];
  for (const [protocol, connections, pipelining] of configs) {
    await socketsOpened();
    const pool = new Pool(`https://127.0.0.1:${port}`, {
      connections,
      ...(pipelining === undefined ? {} : { pipelining }),
      allowH2: protocol === 'h2',
      connect: { rejectUnauthorized: false },
    });
    const get = async (path: string): Promise<void> => {
      const response = await pool.request({ method: 'GET', path, headers: { accept: 'application/json' } });
      JSON.parse(await response.body.text());
    };
    const dashboard = async (): Promise<void> => {
      await get('/sessions?Offset=0&Limit=50');
      await Promise.all(Array.from({ length: ITEM_CALLS }, (_, i) => get(`/sessions/${i}/protectedItems?Offset=0&Limit=20`)));
    };
    await drive(dashboard, 4, 1);
    const c1 = await drive(dashboard, 1, DURATION_S);
    const c64 = await drive(dashboard, 64, DURATION_S);
    await pool.close();
    rows.push({ protocol, connections, pipelining, c1, c64, socketsOpened: await socketsOpened() });
    process.stdout.write(
      `${protocol} connections=${connections} pipelining=${pipelining ?? 'unset'}: c=1 p50 ${c1.p50} ms; c=64 ${c64.throughput} q/s p50 ${c64.p50} ms; sockets opened ${rows[rows.length - 1]?.socketsOpened}\n`,
    );
  }
  child.disconnect();
  process.stdout.write(
    [
      '',
      `Fake appliance over TLS, ${LATENCY_MS} ms per call; a dashboard = 1 list + ${ITEM_CALLS} item calls.`,
      '',
      `| protocol | pool connections | pipelining | dashboard p50 c=1 (ms) | dashboard q/s c=64 | sockets opened |`,
      '|---|---|---|---|---|---|',
      ...rows.map(
        (r) => `| ${r.protocol} | ${r.connections} | ${r.pipelining ?? 'unset'} | ${r.c1.p50} | ${r.c64.throughput} | ${r.socketsOpened} |`,
      ),
      '',
    ].join('\n'),
  );
}

if (process.argv[2] === 'serve') serve();
else void main();

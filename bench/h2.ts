/**
 * `node dist/bench/h2.js`: the gateway over HTTPS, HTTP/1.1 against HTTP/2 (VEEAM_HTTP2). Runs
 * bench/run.js four times on cold dashboards: the simulator serving HTTP/1.1 only, and the simulator
 * offering HTTP/2 by ALPN with the gateway's VEEAM_HTTP2 at `off` and at `auto`, so that the last two
 * differ only in the protocol; then the last again with the floor over HTTP/2 too, to tell the
 * protocol's own cost from the gateway's. Otherwise the floor is the calls made directly over
 * HTTPS/1.1 with no connection cap. Prints a table for bench/results/latest.md.
 *
 * Env: BENCH_H2_DURATION_S (6: seconds per cell), BENCH_H2_LATENCIES (0,10).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchReport, Cell } from './report';

const DURATION_S = process.env['BENCH_H2_DURATION_S'] ?? '6';
const LATENCIES = process.env['BENCH_H2_LATENCIES'] ?? '0,10';

interface Setup {
  label: string;
  appliance: 'https' | 'https-h2';
  http2: 'auto' | 'off';
  /** The floor's calls over HTTP/2 too: what the protocol costs a client without the gateway. */
  floorH2?: boolean;
}

const SETUPS: Setup[] = [
  { label: 'HTTPS/1.1 only', appliance: 'https', http2: 'auto' },
  { label: 'offers h2, VEEAM_HTTP2=off', appliance: 'https-h2', http2: 'off' },
  { label: 'offers h2, VEEAM_HTTP2=auto', appliance: 'https-h2', http2: 'auto' },
  { label: 'offers h2, VEEAM_HTTP2=auto, floor over h2', appliance: 'https-h2', http2: 'auto', floorH2: true },
];

function measure(setup: Setup, dir: string): Pick<BenchReport, 'cells'> {
  const file = join(dir, `${setup.appliance}-${setup.http2}.json`);
  const result = spawnSync(process.execPath, [join(__dirname, 'run.js')], {
    env: {
      ...process.env,
      BENCH_APPLIANCE: setup.appliance,
      VEEAM_HTTP2: setup.http2,
      BENCH_JSON: file,
      BENCH_ONLY: 'dashboard',
      BENCH_MODES: 'floor,cold',
      BENCH_LATENCIES: LATENCIES,
      BENCH_DURATION_S: DURATION_S,
      BENCH_SOAK_S: '0',
      BENCH_HOSTILE: '0',
      BENCH_COMPRESSION: '0',
      BENCH_H2: '0',
      BENCH_FLOOR_HTTP2: setup.floorH2 ? '1' : '0',
    },
    encoding: 'utf8',
    timeout: 5 * 60_000,
  });
  if (result.status !== 0) throw new Error(`${setup.label}: bench/run exited ${result.status}: ${result.stderr}`);
  return JSON.parse(readFileSync(file, 'utf8')) as Pick<BenchReport, 'cells'>;
}

const find = (cells: Cell[], mode: Cell['mode'], latencyMs: number, concurrency: number): Cell | undefined =>
  cells.find((cell) => cell.mode === mode && cell.latencyMs === latencyMs && cell.concurrency === concurrency);

function rows(setup: Setup, cells: Cell[]): string[] {
  const latencies = [...new Set(cells.map((cell) => cell.latencyMs))];
  return latencies.map((latencyMs) => {
    const floor1 = find(cells, 'floor', latencyMs, 1);
    const cold1 = find(cells, 'cold', latencyMs, 1);
    const floor64 = find(cells, 'floor', latencyMs, 64);
    const cold64 = find(cells, 'cold', latencyMs, 64);
    const ratio = (a: number | undefined, b: number | undefined): string => (a && b ? `${(a / b).toFixed(2)}×` : '–');
    const open = Object.entries(cold64?.connectionsOpen ?? {})
      .map(([protocol, count]) => `${count} ${protocol}`)
      .join(', ');
    return (
      `| ${setup.label} | ${latencyMs} ms | ${floor1?.result.p50 ?? '–'} | ${floor1?.cpuMsPerQuery ?? '–'} | ${cold1?.result.p50 ?? '–'} (${ratio(cold1?.result.p50, floor1?.result.p50)}) ` +
      `| ${cold1?.cpuMsPerQuery ?? '–'} | ${floor64?.result.throughput ?? '–'} | ${cold64?.result.throughput ?? '–'} (${ratio(cold64?.result.throughput, floor64?.result.throughput)}) ` +
      `| ${cold64?.cpuMsPerQuery ?? '–'} | ${open || '–'} |`
    );
  });
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'bench-h2-'));
  const lines = [
    `Cold dashboards over HTTPS, ${DURATION_S} s per cell; the floor: the same calls on an uncapped Agent, over HTTPS/1.1 unless the row says h2.`,
    '',
    '| appliance, gateway | latency | floor p50 ms c=1 | floor CPU ms/q c=1 | gateway p50 ms c=1 | gateway CPU ms/q c=1 | floor q/s c=64 | gateway q/s c=64 | gateway CPU ms/q c=64 | gateway connections open c=64 |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  try {
    for (const setup of SETUPS) {
      process.stderr.write(`bench/h2: ${setup.label} …\n`);
      lines.push(...rows(setup, measure(setup, dir).cells));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();

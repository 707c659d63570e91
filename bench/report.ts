/**
 * The benchmark's outputs: JSON with every figure, a Markdown report that states each target of
 * issue 14 as met or missed (ratios to the uncapped floor), and an SVG chart (hand-drawn: p50 latency
 * per cell, floor beside the gateway).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CellResult } from './driver';

/** floor: direct, uncapped; cold: shipped defaults, finished-item cache off; warm: as shipped; budget: cold with the compared connection count. */
export type Mode = 'floor' | 'cold' | 'warm' | 'budget';

export interface Cell {
  workload: string;
  mode: Mode;
  latencyMs: number;
  concurrency: number;
  result: CellResult;
  /** CPU per query: the gateway's process, or (floor cells) the floor's own calls and JSON in the bench process. */
  cpuMsPerQuery?: number;
  upstreamCallsPerQuery?: number;
  rssMb?: number;
  /** Most upstream calls the gateway had in flight at once during the cell. */
  maxInflight?: number;
  /** The gateway's VEEAM_MAX_CONNECTIONS. */
  maxConnections?: number;
  /** The most connections the gateway had open to the appliance at the end of a turn, by protocol (h2, http/1.1). */
  connectionsOpen?: Record<string, number>;
}

export interface BenchReport {
  date: string;
  machine: { cpu: string; cores: number; memoryGb: number; node: string };
  settings: Record<string, number | boolean>;
  shippedConnections: number | undefined;
  /** One query, cold: upstream calls by the floor and by each gateway. */
  callsPerQuery: Array<{ workload: string; floor: number; gateway: Partial<Record<Mode, number>> }>;
  cells: Cell[];
  /** Upstream calls of a dashboard repeated within CACHE_LIVE_TTL_MS (60 s), by endpoint. */
  repeatedDashboardCallsWithCache: { total: number; endpoints: Record<string, number> } | undefined;
  /** Warm dashboards at c=1 with a live-data TTL of a second (not shipped: the operator's trade-off). */
  liveCached?: { ttlMs: number; latencyMs: number; result: CellResult } | undefined;
  soak:
    | { concurrency: number; latencyMs: number; seconds: number; throughput: number; p99: number; errors: number; rssMb: number[] }
    | undefined;
  /** What bench/hostile printed, when it exists. */
  hostile: string | undefined;
  /** What bench/compression printed: bytes and CPU ms of br and gzip per answer. */
  compression: string | undefined;
  /** What bench/h2 printed: HTTP/1.1 against HTTP/2 for a dashboard's fan-out. */
  h2?: string | undefined;
}

/** Least-squares slope of RSS per minute: an upward trend is a leak. */
export function slopePerMinute(samples: number[]): number {
  const n = samples.length;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = samples.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  samples.forEach((y, x) => {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  });
  return Math.round((num / den) * 60 * 100) / 100;
}

const round = (n: number): number => Math.round(n * 100) / 100;

function find(report: BenchReport, workload: string, mode: Mode, latencyMs: number, concurrency: number): Cell | undefined {
  return report.cells.find((c) => c.workload === workload && c.mode === mode && c.latencyMs === latencyMs && c.concurrency === concurrency);
}

interface Target {
  name: string;
  /** The measured figure, as text. */
  figure: string;
  target: string;
  met: boolean | undefined;
}

/** gateway p50 / floor p50 for one cell, or undefined when either side was not run. */
function p50Ratio(
  report: BenchReport,
  workload: string,
  mode: Mode,
  latencyMs: number,
): { ratio: number; gateway: number; floor: number } | undefined {
  const gateway = find(report, workload, mode, latencyMs, 1);
  const floor = find(report, workload, 'floor', latencyMs, 1);
  if (!gateway || !floor) return undefined;
  return { ratio: round(gateway.result.p50 / floor.result.p50), gateway: gateway.result.p50, floor: floor.result.p50 };
}

function ratioTarget(report: BenchReport, name: string, workload: string, mode: Mode, latencyMs: number, max: number): Target {
  const r = p50Ratio(report, workload, mode, latencyMs);
  return {
    name,
    figure: r ? `${r.gateway} / ${r.floor} ms = **${r.ratio}×**` : 'not run',
    target: `≤ ${max.toFixed(2)}×`,
    met: r ? r.ratio <= max : undefined,
  };
}

export function targets(report: BenchReport): Target[] {
  const c64 = find(report, 'dashboard', 'cold', 10, 64);
  const f64 = find(report, 'dashboard', 'floor', 10, 64);
  const throughput = c64 && f64 ? round(c64.result.throughput / f64.result.throughput) : undefined;
  const cpu = find(report, 'dashboard', 'cold', 10, 1) ?? find(report, 'dashboard', 'cold', 0, 1);
  const floorCpu = cpu ? find(report, 'dashboard', 'floor', cpu.latencyMs, 1) : undefined;
  const rss = report.soak?.rssMb ?? [];
  const maxRss = Math.max(...rss, 0);
  const slope = slopePerMinute(rss.slice(Math.floor(rss.length / 4))); // after the first quarter's warm-up
  return [
    ratioTarget(report, 'dashboard cold, 10 ms, c=1', 'dashboard', 'cold', 10, 1.1),
    ratioTarget(report, 'dashboard cold, 0 ms, c=1', 'dashboard', 'cold', 0, 1.25),
    ratioTarget(report, 'dashboard warm, 10 ms, c=1', 'dashboard', 'warm', 10, 0.6),
    ratioTarget(report, 'detail (cold), 10 ms, c=1', 'detail', 'cold', 10, 1.15),
    ratioTarget(report, 'report 500 rows, 10 ms, c=1', 'report', 'cold', 10, 1.1),
    {
      name: 'dashboard cold, 10 ms, c=64: throughput',
      figure:
        c64 && f64
          ? `${c64.result.throughput} / ${f64.result.throughput} q/s = **${throughput}×**, ${c64.result.errors} errors; upstream calls in flight ≤ ${c64.maxInflight} (budget ${c64.maxConnections})`
          : 'not run',
      target: '≥ 1.00×, no errors, in flight ≤ budget',
      met:
        c64 && f64 && throughput !== undefined
          ? throughput >= 1 && c64.result.errors === 0 && (c64.maxInflight ?? Infinity) <= (c64.maxConnections ?? 0)
          : undefined,
    },
    {
      name: 'gateway CPU per cold dashboard (c=1)',
      figure: cpu
        ? `**${cpu.cpuMsPerQuery} ms**${floorCpu?.cpuMsPerQuery !== undefined ? ` (the floor's own client: ${floorCpu.cpuMsPerQuery} ms for the same calls and JSON)` : ''}`
        : 'not run',
      target: '≤ 5 ms',
      met: cpu ? (cpu.cpuMsPerQuery ?? Infinity) <= 5 : undefined,
    },
    {
      name: `RSS through the ${report.soak?.seconds ?? 0} s soak (cold dashboards, c=64, 10 ms)`,
      figure: rss.length > 0 ? `max **${maxRss} MB**, trend ${slope} MB/min after warm-up` : 'not run',
      target: '< 200 MB',
      met: rss.length > 0 ? maxRss < 200 : undefined,
    },
  ];
}

/** The warm dashboard with a second of live-data TTL, against the floor at the same latency. */
function liveCachedLine(report: BenchReport): string {
  const live = report.liveCached;
  if (!live) return '';
  const floor = find(report, 'dashboard', 'floor', live.latencyMs, 1);
  const ratio = floor ? ` = ${round(live.result.p50 / floor.result.p50)}× the floor` : '';
  return ` Warm with CACHE_LIVE_TTL_MS=${live.ttlMs} (not shipped; lists and running sessions' items up to a second old), ${live.latencyMs} ms, c=1: p50 ${live.result.p50} ms${ratio}.`;
}

const mark = (met: boolean | undefined): string => (met === undefined ? 'not run' : met ? 'met' : '**missed**');

function cellRows(report: BenchReport): string[] {
  const keys = [...new Set(report.cells.map((c) => `${c.latencyMs}|${c.workload}|${c.concurrency}`))];
  return keys.map((key) => {
    const [latency, workload, concurrency] = key.split('|');
    const at = (mode: Mode): Cell | undefined => find(report, workload ?? '', mode, Number(latency), Number(concurrency));
    const floor = at('floor');
    const side = (mode: Mode): string => {
      const cell = at(mode);
      if (!cell) return '–';
      const ratio = floor
        ? Number(concurrency) === 1
          ? round(cell.result.p50 / floor.result.p50)
          : round(cell.result.throughput / floor.result.throughput)
        : undefined;
      const figure = Number(concurrency) === 1 ? `${cell.result.p50} ms` : `${cell.result.throughput} q/s`;
      return `${figure}${ratio === undefined ? '' : ` (${ratio}×)`}`;
    };
    const cold = at('cold');
    const figureOf = (cell: Cell | undefined): string =>
      !cell ? '–' : Number(concurrency) === 1 ? `${cell.result.p50} ms` : `${cell.result.throughput} q/s`;
    return (
      `| ${latency} ms | ${workload} | ${concurrency} | ${figureOf(floor)} | ${side('cold')} | ${side('warm')} | ${side('budget')} | ` +
      `${cold ? `${cold.result.p99}` : '–'} | ${cold?.cpuMsPerQuery ?? '–'} | ${cold?.upstreamCallsPerQuery ?? '–'} | ${cold ? `${cold.maxInflight} / ${cold.maxConnections}` : '–'} | ${cold?.rssMb ?? '–'} |`
    );
  });
}

function svg(report: BenchReport): string {
  const bars = report.cells.filter((c) => c.concurrency === 1);
  const rows = [...new Set(bars.map((c) => `${c.latencyMs} ms ${c.workload}`))];
  const colours: Record<Mode, string> = { floor: '#9aa5b1', cold: '#1f6feb', warm: '#2da44e', budget: '#cf222e' };
  const width = 820;
  const left = 150;
  const barHeight = 12;
  const max = Math.max(...bars.map((c) => c.result.p50), 1);
  const scale = (v: number): number => ((width - left - 110) * v) / max;
  let y = 44;
  const parts: string[] = [];
  for (const row of rows) {
    const inRow = bars.filter((c) => `${c.latencyMs} ms ${c.workload}` === row);
    parts.push(`<text x="${left - 8}" y="${y + 12}" text-anchor="end">${row}</text>`);
    for (const cell of inRow) {
      parts.push(
        `<rect x="${left}" y="${y}" width="${scale(cell.result.p50).toFixed(1)}" height="${barHeight}" fill="${colours[cell.mode]}"/>` +
          `<text x="${left + scale(cell.result.p50) + 6}" y="${y + 10}">${cell.mode} ${cell.result.p50} ms</text>`,
      );
      y += barHeight + 3;
    }
    y += 12;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
<text x="${left}" y="22" font-size="14" font-weight="bold">p50 latency per query at c=1: the uncapped floor, the gateway cold, warm, and with ${report.settings['compareConnections']} connections</text>
${parts.join('\n')}
</svg>
`;
}

function markdown(report: BenchReport): string {
  const soak = report.soak;
  const lines = [
    `# Benchmark: ${report.date}`,
    '',
    `Machine: ${report.machine.cpu}, ${report.machine.cores} cores, ${report.machine.memoryGb} GiB, Node ${report.machine.node}` +
      ` (shared: other work ran on it; compare ratios, not absolute figures). Simulator: ${report.settings['sessions']} sessions in its own process; ` +
      `${report.settings['durationS']} s per cell after a ${report.settings['warmupS']} s warm-up, ` +
      `in ${report.settings['rounds'] ?? 1} turns taken alternately by the floor and the gateways of the cell, so that what else runs on the machine weighs on all of them alike.`,
    '',
    '- **floor**: the same upstream calls made directly with undici `request` on an `Agent` with no connection cap, every independent call at once.',
    `- **cold**: the gateway with its shipped defaults (VEEAM_MAX_CONNECTIONS ${report.shippedConnections ?? '?'}) and the finished-item cache off (CACHE_FINISHED_TTL_MS=0).`,
    "- **warm**: the gateway exactly as shipped (finished sessions' items cached).",
    `- **budget**: cold, with VEEAM_MAX_CONNECTIONS=${report.settings['compareConnections']} (the previous default), for the connection-budget comparison.`,
    "- Only the benchmark's own settings differ from `npm start`: no rate limit (RATE_LIMIT_RPS=0), API keys for 8 clients; c=64 is 8 clients × 8 dashboards (the shipped MAX_CLIENT_REQUESTS is 8 per client).",
    '',
    '## Targets (gateway p50 / floor p50, c=1, unless stated)',
    '| target | measured | goal | |',
    '|---|---|---|---|',
    ...targets(report).map((t) => `| ${t.name} | ${t.figure} | ${t.target} | ${mark(t.met)} |`),
    '',
    '## All cells',
    'At c=1 the figure is p50 latency, at c=64 throughput; ratios are to the floor (latency: lower is better; throughput: higher is better). ' +
      'p99, CPU, calls, in-flight and RSS columns are of the cold gateway.',
    '',
    '| upstream latency | workload | c | floor | cold | warm | budget | cold p99 ms | cold CPU ms/query | cold upstream calls/query | cold max in flight / budget | cold RSS MB |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...cellRows(report),
    '',
    `Upstream calls of one cold query: ${report.callsPerQuery
      .map(
        (row) =>
          `${row.workload} ${Object.entries(row.gateway)
            .map(([mode, calls]) => `${mode} ${calls}`)
            .join(', ')} (floor ${row.floor})`,
      )
      .join('; ')}.` +
      (report.repeatedDashboardCallsWithCache === undefined
        ? ''
        : ` A repeated dashboard within CACHE_LIVE_TTL_MS: ${report.repeatedDashboardCallsWithCache.total} upstream calls (${
            Object.entries(report.repeatedDashboardCallsWithCache.endpoints)
              .map(([endpoint, calls]) => `${endpoint} ${calls}`)
              .join(', ') || 'none'
          }).`) +
      liveCachedLine(report),
    '',
    '- **dashboard**: 50 newest sessions with name, type, status, times, and the first 20 protected items of each.',
    '- **detail**: one finished backup session by id with its log and all protected items.',
    '- **report**: failed and warning sessions over a 30-day range, 500 per page, no nesting.',
    '',
    soak
      ? `Soak: cold dashboards at c=${soak.concurrency}, ${soak.latencyMs} ms, for ${soak.seconds} s: ${soak.throughput} q/s, p99 ${soak.p99} ms, ${soak.errors} errors; RSS samples (MB): ${soak.rssMb.join(' ')}`
      : 'Soak: not run.',
    '',
    '![p50 latency, floor vs gateway](latest.svg)',
    '',
    ...(report.hostile ? ['## Hostile load (bench/hostile)', '', '```', report.hostile, '```', ''] : []),
    ...(report.h2 ? ['## HTTP/1.1 against HTTP/2 (bench/h2)', '', report.h2, ''] : []),
    ...(report.compression
      ? ['## Compression (bench/compression): bytes and CPU ms per answer', '', '```', report.compression, '```', '']
      : []),
  ];
  return lines.join('\n');
}

export async function writeReport(report: BenchReport, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files = [join(dir, 'latest.json'), join(dir, 'latest.md'), join(dir, 'latest.svg')];
  await writeFile(files[0] ?? '', `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(files[1] ?? '', markdown(report));
  await writeFile(files[2] ?? '', svg(report));
  return files;
}

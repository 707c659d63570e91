/**
 * The benchmark's outputs: JSON with every figure, a short Markdown report that states each target
 * as met or missed, and an SVG chart (hand-drawn: p50 latency, gateway beside floor, per cell).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CellResult } from './driver';

export interface CellReport {
  concurrency: number;
  gateway: CellResult;
  floor: CellResult;
  p50Ratio: number;
  throughputRatio: number;
  cpuMsPerQuery: number;
  upstreamCallsPerQuery: number;
  rssMb: number;
}

export interface WorkloadResult {
  name: string;
  description: string;
  gatewayCallsPerQuery: number;
  floorCallsPerQuery: number;
  cells: CellReport[];
}

export interface BenchReport {
  date: string;
  machine: { cpu: string; cores: number; memoryGb: number; node: string };
  settings: Record<string, number | boolean>;
  workloads: WorkloadResult[];
  repeatedDashboardCallsWithCache: number;
  soak: { concurrency: number; seconds: number; throughput: number; p99: number; errors: number; rssMb: number[] };
}

/** Least-squares slope of RSS per minute: an upward trend is a leak. */
function slopePerMinute(samples: number[]): number {
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

const mark = (met: boolean): string => (met ? 'met' : '**missed**');

function targets(report: BenchReport): string[] {
  const dashboard = report.workloads.find((w) => w.name === 'dashboard');
  const c1 = dashboard?.cells.find((c) => c.concurrency === 1);
  const c64 = dashboard?.cells.find((c) => c.concurrency === 64);
  const rss = report.soak.rssMb;
  const maxRss = Math.max(...rss, 0);
  const slope = slopePerMinute(rss.slice(Math.floor(rss.length / 4))); // after the first quarter's warm-up
  return [
    `- dashboard c=1: gateway p50 ${c1?.gateway.p50} ms vs floor ${c1?.floor.p50} ms = **${c1?.p50Ratio}×** (target ≤ 1.10×): ${mark((c1?.p50Ratio ?? Infinity) <= 1.1)}`,
    `- dashboard c=64: throughput ${c64?.gateway.throughput}/s vs floor ${c64?.floor.throughput}/s = **${c64?.throughputRatio}×** (target ≥ 0.9×), gateway p99 ${c64?.gateway.p99} ms: ${mark((c64?.throughputRatio ?? 0) >= 0.9)}`,
    `- upstream calls per query (one query, cold): ${report.workloads.map((w) => `${w.name} ${w.gatewayCallsPerQuery} (floor ${w.floorCallsPerQuery})`).join(', ')}: ${mark(report.workloads.every((w) => w.gatewayCallsPerQuery <= w.floorCallsPerQuery))}`,
    `- repeated dashboard within the cache TTL: ${report.repeatedDashboardCallsWithCache} upstream calls (target 0): ${mark(report.repeatedDashboardCallsWithCache === 0)}`,
    `- RSS during ${report.soak.seconds} s at c=64: max ${maxRss} MB (target < 200 MB), trend ${slope} MB/min after warm-up: ${mark(maxRss < 200 && slope < 5)}`,
  ];
}

function svg(report: BenchReport): string {
  const cells = report.workloads.flatMap((w) => w.cells.map((c) => ({ label: `${w.name} c=${c.concurrency}`, gateway: c.gateway.p50, floor: c.floor.p50 })));
  const width = 760;
  const rowHeight = 46;
  const left = 150;
  const max = Math.max(...cells.flatMap((c) => [c.gateway, c.floor]), 1);
  const scale = (v: number): number => ((width - left - 90) * v) / max;
  const rows = cells
    .map((c, i) => {
      const y = 40 + i * rowHeight;
      return `<text x="${left - 8}" y="${y + 17}" text-anchor="end">${c.label}</text>
<rect x="${left}" y="${y}" width="${scale(c.floor).toFixed(1)}" height="14" fill="#9aa5b1"/><text x="${left + scale(c.floor) + 6}" y="${y + 12}">floor ${c.floor} ms</text>
<rect x="${left}" y="${y + 18}" width="${scale(c.gateway).toFixed(1)}" height="14" fill="#1f6feb"/><text x="${left + scale(c.gateway) + 6}" y="${y + 30}">gateway ${c.gateway} ms</text>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${60 + cells.length * rowHeight}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${left}" y="22" font-size="14" font-weight="bold">p50 latency per query: gateway vs the floor (${report.settings['latencyMs']} ms per upstream call)</text>
${rows}
</svg>
`;
}

function markdown(report: BenchReport): string {
  const lines = [
    `# Benchmark: ${report.date}`,
    '',
    `Machine: ${report.machine.cpu}, ${report.machine.cores} cores, ${report.machine.memoryGb} GiB, Node ${report.machine.node}. ` +
      `Simulator: ${report.settings['sessions']} sessions, ${report.settings['latencyMs']} ms per upstream call; ` +
      `${report.settings['durationS']} s per cell after a ${report.settings['warmupS']} s warm-up; ${report.settings['connections']} upstream connections on both sides.`,
    '',
    '## Targets',
    ...targets(report),
    '',
    '## All cells',
    '| workload | c | gateway p50 / p90 / p99 (ms) | gateway q/s | floor p50 / p99 (ms) | floor q/s | p50 ratio | throughput ratio | gateway CPU ms/query | upstream calls/query | RSS MB |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...report.workloads.flatMap((w) =>
      w.cells.map(
        (c) =>
          `| ${w.name} | ${c.concurrency} | ${c.gateway.p50} / ${c.gateway.p90} / ${c.gateway.p99} | ${c.gateway.throughput} | ${c.floor.p50} / ${c.floor.p99} | ${c.floor.throughput} | ${c.p50Ratio} | ${c.throughputRatio} | ${c.cpuMsPerQuery} | ${c.upstreamCallsPerQuery} | ${c.rssMb} |`,
      ),
    ),
    '',
    ...report.workloads.map((w) => `- **${w.name}**: ${w.description}.`),
    '',
    `Soak: dashboard at c=64 for ${report.soak.seconds} s: ${report.soak.throughput} q/s, p99 ${report.soak.p99} ms, ${report.soak.errors} errors; RSS samples (MB): ${report.soak.rssMb.join(' ')}`,
    '',
    '![p50 latency, gateway vs floor](latest.svg)',
    '',
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

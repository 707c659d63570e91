/**
 * A closed-loop load driver: N workers, each starting its next request when the previous one ends,
 * for a fixed time (warm up with a first, discarded call). The same driver runs the gateway and the floor, so their
 * figures compare like with like.
 */

export interface CellResult {
  concurrency: number;
  requests: number;
  errors: number;
  durationS: number;
  throughput: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const round = (n: number): number => Math.round(n * 100) / 100;

/** What one stretch of driving gave: every successful request's latency (ms), the failures, and how long it took. */
export interface Samples {
  latencies: number[];
  errors: number;
  /** From the start until the last worker's last request ended (past `durationS` by that request's tail). */
  elapsedS: number;
}

/**
 * `run` is told which worker calls it (0 … concurrency-1): a worker can stand for one client.
 * `paceMs` makes a worker start at most one request per interval (a dashboard refreshing, not a
 * flood); the wait is not part of the measured latency.
 */
export async function sample(run: (worker: number) => Promise<void>, concurrency: number, durationS: number, paceMs = 0): Promise<Samples> {
  const begun = performance.now();
  const end = begun + durationS * 1000;
  const latencies: number[] = [];
  let errors = 0;
  const worker = async (_: unknown, index: number): Promise<void> => {
    for (;;) {
      const started = performance.now();
      if (started >= end) return;
      let failed = false;
      try {
        await run(index);
      } catch {
        failed = true;
      }
      if (failed) errors += 1;
      else latencies.push(performance.now() - started);
      const wait = started + paceMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, errors, elapsedS: (performance.now() - begun) / 1000 };
}

/**
 * One cell's figures from its stretches (rounds). Throughput is over the time they really took: each
 * stretch's last requests end after its nominal time, and counting them over `durationS` alone would
 * overstate it by a tail per stretch.
 */
export function summarise(stretches: readonly Samples[], concurrency: number, durationS: number): CellResult {
  const sorted = Float64Array.from(stretches.flatMap((stretch) => stretch.latencies)).sort();
  const elapsedS = stretches.reduce((sum, stretch) => sum + stretch.elapsedS, 0);
  return {
    concurrency,
    requests: sorted.length,
    errors: stretches.reduce((sum, stretch) => sum + stretch.errors, 0),
    durationS,
    throughput: round(sorted.length / (elapsedS > 0 ? elapsedS : durationS)),
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

export async function drive(
  run: (worker: number) => Promise<void>,
  concurrency: number,
  durationS: number,
  paceMs = 0,
): Promise<CellResult> {
  return summarise([await sample(run, concurrency, durationS, paceMs)], concurrency, durationS);
}

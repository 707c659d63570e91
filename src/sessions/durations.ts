/**
 * Duration figures folded one session at a time in constant memory: min, max, count and mean
 * exactly; percentiles from a histogram of logarithmic buckets 1% wide, so p50/p95 are within 1%
 * whatever the number of sessions.
 */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);

export interface DurationSummary {
  count: number;
  minMs: number | null;
  meanMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
  upstreamCalls: number;
}

export class DurationFolder {
  private count = 0;
  private sum = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  /** bucket index → sessions; index 0 holds durations under 1 ms. */
  private readonly buckets = new Map<number, number>();

  add(durationMs: number): void {
    if (!Number.isFinite(durationMs) || durationMs < 0) return;
    this.count += 1;
    this.sum += durationMs;
    this.min = Math.min(this.min, durationMs);
    this.max = Math.max(this.max, durationMs);
    const bucket = durationMs < 1 ? 0 : 1 + Math.floor(Math.log(durationMs) / LOG_GROWTH);
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + 1);
  }

  /** The value below which `q` of the durations fall: the bucket's midpoint, clamped to [min, max]. */
  private quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (const bucket of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(bucket) ?? 0;
      if (seen >= rank) {
        const estimate = bucket === 0 ? 0 : Math.sqrt(GROWTH ** (bucket - 1) * GROWTH ** bucket);
        return Math.round(Math.min(this.max, Math.max(this.min, estimate)));
      }
    }
    return this.max;
  }

  summary(upstreamCalls: number): DurationSummary {
    const empty = this.count === 0;
    return {
      count: this.count,
      minMs: empty ? null : this.min,
      meanMs: empty ? null : this.sum / this.count,
      p50Ms: this.quantile(0.5),
      p95Ms: this.quantile(0.95),
      maxMs: empty ? null : this.max,
      upstreamCalls,
    };
  }
}

/**
 * Time buckets for report charts ("failed per day"): a range cut into UTC-aligned hours, days or
 * ISO weeks, each bucket counted with the appliance's totalCount (one-row probes), so a 30-day
 * daily series costs 30 probes per figure, not a download of every session.
 */
import { InvalidInputError } from './errors';
import { SESSION_STATUS } from './enums';
import type { SessionFilterParams } from './normalise';

export type BucketSize = 'HOUR' | 'DAY' | 'WEEK';

/** A year of daily buckets: enough for any chart a person reads, small enough to cost up front. */
export const MAX_BUCKETS = 366;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;
/** 1970-01-01 was a Thursday: days since the epoch + 3, modulo 7, is 0 on Mondays. */
const EPOCH_WEEKDAY_OFFSET = 3;

export interface Bucket {
  /** Aligned start (inclusive), UTC ISO-8601. */
  start: string;
  /** Aligned end (exclusive): the next bucket's start. */
  end: string;
  /** What is counted: the bucket clipped to the range, as the appliance's inclusive FromUtc/ToUtc. */
  fromUtc: string;
  toUtc: string;
}

function alignedStart(size: BucketSize, ms: number): number {
  if (size === 'HOUR') return Math.floor(ms / HOUR_MS) * HOUR_MS;
  const day = Math.floor(ms / DAY_MS);
  if (size === 'DAY') return day * DAY_MS;
  return (day - ((day + EPOCH_WEEKDAY_OFFSET) % 7)) * DAY_MS;
}

const widthOf = (size: BucketSize): number => (size === 'HOUR' ? HOUR_MS : size === 'DAY' ? DAY_MS : WEEK_MS);

/** How many buckets cover [fromMs, toMs] (both inclusive). */
export function bucketCount(size: BucketSize, fromMs: number, toMs: number): number {
  if (toMs < fromMs) return 0;
  return Math.floor((alignedStart(size, toMs) - alignedStart(size, fromMs)) / widthOf(size)) + 1;
}

/** The range a `buckets` field counts: its own from/to, narrowed by the filter's. */
export function bucketRange(
  filter: SessionFilterParams,
  from: string | null | undefined,
  to: string | null | undefined,
): { fromMs: number; toMs: number } {
  const bounds = (a: string | Date | null | undefined, b: string | Date | null | undefined, pick: (x: number, y: number) => number) => {
    const values = [a, b].filter((v): v is string | Date => v != null).map((v) => new Date(v).getTime());
    return values.length === 0 ? undefined : values.reduce(pick);
  };
  const fromMs = bounds(from, filter.fromUtc, Math.max);
  const toMs = bounds(to, filter.toUtc, Math.min);
  if (fromMs === undefined || toMs === undefined) {
    throw new InvalidInputError('buckets needs a bounded range: give from and to, on the field or in the filter', 'from');
  }
  if (fromMs > toMs) throw new InvalidInputError('buckets: from is after to (after narrowing by the filter)', 'from');
  return { fromMs, toMs };
}

/** The buckets of a range, or an InvalidInputError past MAX_BUCKETS (before any upstream call). */
export function bucketsOf(size: BucketSize, fromMs: number, toMs: number): Bucket[] {
  const count = bucketCount(size, fromMs, toMs);
  if (count > MAX_BUCKETS) {
    throw new InvalidInputError(
      `buckets: this range has ${count} ${size} buckets; at most ${MAX_BUCKETS}. Use a wider bucket or a shorter range.`,
      'bucket',
    );
  }
  const width = widthOf(size);
  const first = alignedStart(size, fromMs);
  return Array.from({ length: count }, (_, i) => {
    const start = first + i * width;
    const end = start + width;
    return {
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      fromUtc: new Date(Math.max(start, fromMs)).toISOString(),
      // ToUtc is inclusive upstream: the last millisecond before the next bucket.
      toUtc: new Date(Math.min(end - 1, toMs)).toISOString(),
    };
  });
}

/** What a bucket's selection asks for. */
export interface BucketSelection {
  total: boolean;
  byStatus: boolean;
}

/** Upstream probes per bucket: 1 for `total`, one per status the filter allows for `byStatus`. */
export function probesPerBucket(selection: BucketSelection, filter: Pick<SessionFilterParams, 'status'>): number {
  const statuses = filter.status?.length ?? Object.keys(SESSION_STATUS).length;
  return (selection.total ? 1 : 0) + (selection.byStatus ? statuses : 0);
}

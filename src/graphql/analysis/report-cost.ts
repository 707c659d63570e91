/**
 * Upstream calls of the report fields (`sessionStats`, `topFailingItems`), known before execution:
 * counts cost one call per status or type the filter allows; `buckets` a few probes per bucket;
 * `durations` and `topFailingItems` depend on how many sessions match, which a one-row count probe
 * tells (the same DataLoader key the resolvers use, so the probe is not made twice).
 */
import { InvalidInputError } from '../../sessions/errors';
import { SESSION_STATUS, SESSION_TYPE } from '../../sessions/enums';
import { sessionFilter, type SessionFilterParams } from '../../sessions/normalise';
import { BACKUP_TYPES, NOT_SUCCEEDED } from '../../sessions/rules';
import { bucketRange, bucketsOf, probesPerBucket, type BucketSize } from '../../sessions/stats-buckets';
import type { SessionFilter } from '../generated/resolvers-types';
import type { MergedField } from './operation-walk';

/** Calls that depend on a session count, settled by one count probe before execution. */
export interface CountProbe {
  /** The report field (response name) that needs it. */
  field: string;
  params: SessionFilterParams;
  /** Upstream calls the field makes when `count` sessions match (the probe itself excluded). */
  callsFor(count: number): number;
}

export interface ReportCost {
  /** Calls known from the document alone (count probes included). */
  calls: number;
  probes: CountProbe[];
}

const pagesFor = (count: number, pageSize: number): number => Math.ceil(Math.max(count, 1) / pageSize);

/** Values of an enum table a filter allows (all when it names none). */
const allowed = (table: Record<string, string>, given: readonly string[] | undefined): number =>
  Object.values(table).filter((upstream) => !given || given.includes(upstream)).length;

const intersect = (given: readonly string[] | undefined, wanted: readonly string[]): string[] =>
  given ? wanted.filter((value) => given.includes(value)) : [...wanted];

/** The sessions topFailingItems reads: backup sessions that did not succeed, within the filter. */
export function failingItemsParams(base: SessionFilterParams): SessionFilterParams | undefined {
  const params = { ...base, types: intersect(base.types, BACKUP_TYPES), status: intersect(base.status, NOT_SUCCEEDED) };
  return params.types.length === 0 || params.status.length === 0 ? undefined : params;
}

function filterOf(field: MergedField): SessionFilterParams | undefined {
  try {
    return sessionFilter(field.args?.['filter'] as SessionFilter | null | undefined);
  } catch (error) {
    if (error instanceof InvalidInputError) return undefined; // the preflight refuses it
    throw error;
  }
}

function bucketCalls(field: MergedField, params: SessionFilterParams): number {
  const names = new Set(field.children.map((child) => child.name));
  try {
    const { fromMs, toMs } = bucketRange(params, field.args?.['from'] as string | undefined, field.args?.['to'] as string | undefined);
    const buckets = bucketsOf(field.args?.['bucket'] as BucketSize, fromMs, toMs).length;
    return buckets * probesPerBucket({ total: names.has('total'), byStatus: names.has('byStatus') }, params);
  } catch (error) {
    if (error instanceof InvalidInputError) return 0; // refused by the resolver before any call
    throw error;
  }
}

/** `sessionStats(filter) { … }`: the calls of its selected figures. */
export function sessionStatsCost(field: MergedField, pageSize: number): ReportCost {
  const params = filterOf(field);
  if (!params) return { calls: 0, probes: [] };
  const names = new Set(field.children.map((child) => child.name));
  let calls = names.has('total') ? 1 : 0;
  // byResult and successRate are derived from the same per-status counts (shared DataLoader keys).
  if (names.has('byStatus') || names.has('byResult') || names.has('successRate')) calls += allowed(SESSION_STATUS, params.status);
  if (names.has('byType')) calls += allowed(SESSION_TYPE, params.types);
  for (const child of field.children) if (child.name === 'buckets') calls += bucketCalls(child, params);
  const probes: CountProbe[] = [];
  if (names.has('durations')) {
    if (!names.has('total')) calls += 1; // the probe is `total`'s call when both are asked
    probes.push({ field: field.responseName, params, callsFor: (count) => pagesFor(count, pageSize) });
  }
  return { calls, probes };
}

/** `topFailingItems(filter)`: one count probe, then every matching session's page and items. */
export function topFailingItemsCost(field: MergedField, pageSize: number): ReportCost {
  const base = filterOf(field);
  const params = base && failingItemsParams(base);
  if (!params) return { calls: 0, probes: [] };
  return { calls: 1, probes: [{ field: field.responseName, params, callsFor: (count) => pagesFor(count, pageSize) + count }] };
}

/**
 * Query parameters of the list endpoints, parsed as an ASP.NET appliance would (names are
 * case-insensitive, arrays are repeated keys), validated, and applied: filter, sort, page.
 * Sorted orders are computed once per distinct Sort and reused: the data never changes.
 */
import {
  PROTECTED_ITEM_SORT_COLUMNS,
  SESSION_SORT_COLUMNS,
  SESSION_STATUSES,
  SESSION_TYPES,
  type ProtectedItemDto,
} from '../upstream/dto';
import type { Dataset, SessionRecord } from './data';

export class ValidationError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Query parameters by lower-case name, every value kept (repeated keys). */
export type Params = Map<string, string[]>;

export function parseParams(query: string): Params {
  const params: Params = new Map();
  for (const [name, value] of new URLSearchParams(query)) {
    const key = name.toLowerCase();
    params.set(key, [...(params.get(key) ?? []), value]);
  }
  return params;
}

function single(params: Params, name: string): string | undefined {
  const values = params.get(name.toLowerCase());
  if (!values) return undefined;
  if (values.length > 1) throw new ValidationError(`${name} may be given once`);
  return values[0];
}

function integer(params: Params, name: string, min: number): number | undefined {
  const text = single(params, name);
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text)) throw new ValidationError(`${name} must be an integer`);
  const value = Number(text);
  if (value < min) throw new ValidationError(`${name} must be at least ${min}`);
  return value;
}

function enumList<T extends string>(params: Params, name: string, allowed: readonly T[]): T[] | undefined {
  const values = params.get(name.toLowerCase());
  if (!values) return undefined;
  for (const value of values) {
    if (!(allowed as readonly string[]).includes(value)) throw new ValidationError(`${name} has an unknown value: ${value}`);
  }
  return values as T[];
}

function uuid(params: Params, name: string): string | undefined {
  const value = single(params, name);
  if (value !== undefined && !UUID.test(value)) throw new ValidationError(`${name} must be a UUID`);
  return value?.toLowerCase();
}

/** Date-times with or without a zone (none = UTC), or a date alone, as real scripts send. */
function dateTime(params: Params, name: string): number | undefined {
  const value = single(params, name);
  if (value === undefined) return undefined;
  const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(value) && value.length > 10;
  const ms = DATE.test(value) ? Date.parse(hasZone || value.length === 10 ? value : `${value}Z`) : Number.NaN;
  if (Number.isNaN(ms)) throw new ValidationError(`${name} must be a date-time`);
  return ms;
}

export interface PageRequest {
  offset: number;
  /** undefined = all (Limit absent or -1). */
  limit: number | undefined;
}

export function pageOf(params: Params): PageRequest {
  const offset = integer(params, 'Offset', 0) ?? 0;
  const limit = integer(params, 'Limit', -1);
  return { offset, limit: limit === undefined || limit === -1 ? undefined : limit };
}

export function slice<T>(items: readonly T[], page: PageRequest): T[] {
  return items.slice(page.offset, page.limit === undefined ? undefined : page.offset + page.limit);
}

type Compare<T> = (a: T, b: T) => number;

/** Missing values sort first ascending, last descending, as SQL Server orders NULLs. */
function byNumber<T>(key: (item: T) => number | undefined): Compare<T> {
  return (a, b) => (key(a) ?? -Infinity) - (key(b) ?? -Infinity);
}

function byText<T>(key: (item: T) => string | undefined): Compare<T> {
  return (a, b) => (key(a) ?? '').localeCompare(key(b) ?? '', 'en');
}

const SESSION_KEYS: Record<string, Compare<SessionRecord>> = {
  startTime: byNumber((r) => r.startMs),
  stopTime: byNumber((r) => r.stopMs),
  duration: byNumber((r) => r.dto.executionDuration),
  type: byText((r) => r.dto.type),
  reason: byText((r) => r.dto.reason),
  usn: byNumber((r) => r.dto.usn),
};

const ITEM_KEYS: Record<string, Compare<ProtectedItemDto>> = {
  virtualMachineName: byText((i) => i.name),
  region: byText((i) => i.region),
  succeeded: byNumber((i) => (i.status === 'Succeeded' ? 1 : 0)),
  failed: byNumber((i) => (i.status === 'Failed' ? 1 : 0)),
};

function comparator<T>(sort: readonly string[], keys: Record<string, Compare<T>>, tieBreak: Compare<T>): Compare<T> {
  const parts = sort.map((column) => {
    const descending = column.endsWith('Desc');
    const compare = keys[column.slice(0, descending ? -4 : -3)];
    if (!compare) throw new ValidationError(`Sort has an unknown value: ${column}`);
    return descending ? (a: T, b: T) => compare(b, a) : compare;
  });
  return (a, b) => {
    for (const part of parts) {
      const order = part(a, b);
      if (order !== 0) return order;
    }
    return tieBreak(a, b);
  };
}

export interface SessionQuery {
  filter: (record: SessionRecord) => boolean;
  sort: string[];
  page: PageRequest;
}

export function parseSessionQuery(params: Params, data: Dataset): SessionQuery {
  const page = pageOf(params);
  const sort = enumList(params, 'Sort', SESSION_SORT_COLUMNS) ?? [];
  const status = enumList(params, 'Status', SESSION_STATUSES);
  const types = enumList(params, 'Types', SESSION_TYPES);
  const usnText = single(params, 'Usn');
  if (usnText !== undefined && !/^-?\d{1,19}$/.test(usnText)) throw new ValidationError('Usn must be an integer');
  const usn = usnText === undefined ? undefined : Number(usnText);
  const policyId = uuid(params, 'PolicyId');
  const parentSessionId = uuid(params, 'ParentSessionId');
  const vmId = single(params, 'VmId')?.toLowerCase();
  // Whether FromUtc/ToUtc compare the start or the stop time is undocumented; start time here.
  const from = dateTime(params, 'FromUtc');
  const to = dateTime(params, 'ToUtc');
  const statusSet = status && new Set<string>(status);
  const typeSet = types && new Set<string>(types);
  const filter = (r: SessionRecord): boolean =>
    (!statusSet || statusSet.has(r.dto.status)) &&
    (!typeSet || typeSet.has(r.dto.type)) &&
    (usn === undefined || r.dto.usn === usn) &&
    (policyId === undefined || r.policy?.id === policyId) &&
    (parentSessionId === undefined || r.parentSessionId === parentSessionId) &&
    (from === undefined || (r.startMs !== undefined && r.startMs >= from)) &&
    (to === undefined || (r.startMs !== undefined && r.startMs <= to)) &&
    (vmId === undefined || data.processed(r, vmId));
  return { filter, sort, page };
}

/** Sorted views of the sessions, one per distinct Sort, computed on first use. */
export class SessionOrders {
  private readonly orders = new Map<string, readonly SessionRecord[]>();

  constructor(private readonly sessions: readonly SessionRecord[]) {}

  get(sort: readonly string[]): readonly SessionRecord[] {
    const key = sort.join(',');
    let order = this.orders.get(key);
    if (!order) {
      // Without Sort the order is "the API's own semantics": here, creation (usn) order.
      order = sort.length === 0 ? this.sessions : [...this.sessions].sort(comparator(sort, SESSION_KEYS, (a, b) => a.dto.id.localeCompare(b.dto.id)));
      this.orders.set(key, order);
    }
    return order;
  }
}

export function queryItems(items: readonly ProtectedItemDto[], params: Params): { total: number; results: ProtectedItemDto[] } {
  const page = pageOf(params);
  const sort = enumList(params, 'Sort', PROTECTED_ITEM_SORT_COLUMNS) ?? [];
  const search = single(params, 'SearchPattern')?.toLowerCase();
  let matching = search ? items.filter((item) => item.name.toLowerCase().includes(search)) : [...items];
  if (sort.length > 0) {
    matching = matching.sort(
      comparator(sort, ITEM_KEYS, (a, b) => a.name.localeCompare(b.name, 'en') || a.id.localeCompare(b.id)),
    );
  }
  return { total: matching.length, results: slice(matching, page) };
}

/**
 * Query parameters of the list endpoints, parsed as an ASP.NET appliance would (names are
 * case-insensitive, arrays are repeated keys), validated, and applied: filter, sort, page.
 * Sorted orders are computed once per distinct Sort and reused until the data changes (activity.ts).
 */
import { PROTECTED_ITEM_SORT_COLUMNS, SESSION_SORT_COLUMNS, SESSION_STATUSES, type ProtectedItemDto } from '../upstream/dto';
import type { Dataset, SessionRecord } from './data';
import type { Revision } from './revisions';

export class ValidationError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Query parameters by lower-case name, every value kept (repeated keys). */
export type Params = Map<string, string[]>;

/** A query string whose percent-encoding is broken: the URI itself is bad (errorCode InvalidURI). */
export class InvalidUriError extends Error {}

const INT32_MAX = 2_147_483_647;
/** Sorted views kept per distinct Sort; bounded because Sort keys may repeat in endless combinations. */
const MAX_CACHED_ORDERS = 64;

export function parseParams(query: string): Params {
  // URLSearchParams silently keeps a malformed escape as text; ASP.NET's URI parsing would not serve it.
  for (const part of query.split(/[&=]/)) {
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      throw new InvalidUriError('The query string is not validly percent-encoded.');
    }
  }
  const params: Params = new Map();
  for (const [name, value] of new URLSearchParams(query)) {
    const key = name.toLowerCase();
    const values = params.get(key);
    if (values) values.push(value);
    else params.set(key, [value]);
  }
  return params;
}

/** Only the parameters a revision knows: ASP.NET binds those and silently ignores any other. */
function onlyKnown(params: Params, names: ReadonlySet<string>): Params {
  return new Map([...params].filter(([name]) => names.has(name)));
}

/** A scalar parameter: ASP.NET model binding takes the first of repeated values. */
function single(params: Params, name: string): string | undefined {
  return params.get(name.toLowerCase())?.[0];
}

function integer(params: Params, name: string, min: number): number | undefined {
  const text = single(params, name);
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text)) throw new ValidationError(`${name} must be an integer`);
  const value = Number(text);
  if (value > INT32_MAX) throw new ValidationError(`${name} must be a 32-bit integer`);
  if (value < min) throw new ValidationError(`${name} must be at least ${min}`);
  return value;
}

/** Enum values bind case-insensitively in ASP.NET; they are returned in their canonical spelling. */
function enumList<T extends string>(params: Params, name: string, allowed: readonly T[]): T[] | undefined {
  const values = params.get(name.toLowerCase());
  if (!values) return undefined;
  return values.map((value) => {
    const known = allowed.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
    if (known === undefined) throw new ValidationError(`${name} has an unknown value: ${value}`);
    return known;
  });
}

function uuid(params: Params, name: string): string | undefined {
  const value = single(params, name);
  if (value !== undefined && !UUID.test(value)) throw new ValidationError(`${name} must be a UUID`);
  return value?.toLowerCase();
}

/**
 * Date-times with or without a zone (none = UTC, as the appliance writes its own times), or a date
 * alone, as real scripts send. Calendar-checked: .NET refuses 2026-02-30 where V8 would roll over.
 */
function dateTime(params: Params, name: string): number | undefined {
  const value = single(params, name);
  if (value === undefined) return undefined;
  const match = DATE.exec(value);
  if (!match) throw new ValidationError(`${name} must be a date-time`);
  const [, y, mo, d, h = '0', mi = '0', sec = '0', fraction = '', zone] = match;
  // setUTCFullYear, not Date.UTC: the latter reads years 0–99 as 1900–1999.
  const check = new Date(0);
  check.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  check.setUTCHours(Number(h), Number(mi), Number(sec), 0);
  const wall = check.getTime();
  if (
    Number(y) < 1 ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(sec) > 59
  ) {
    throw new ValidationError(`${name} must be a date-time`);
  }
  const ms = wall + Math.floor(Number(`0.${fraction || '0'}`) * 1000);
  if (zone === undefined || zone.toUpperCase() === 'Z') return ms;
  const offset = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!offset) throw new ValidationError(`${name} must be a date-time`);
  const minutes = Number(offset[2]) * 60 + Number(offset[3]);
  return ms - (offset[1] === '-' ? -minutes : minutes) * 60_000;
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
  return (a, b) => {
    const [x, y] = [key(a), key(b)];
    // Not a subtraction of -Infinity fallbacks: -Infinity - -Infinity is NaN, which breaks the sort.
    if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? -1 : 1;
    return x - y;
  };
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

/** The query as the client's revision binds it: unknown parameters ignored, Types limited to its own. */
export function parseSessionQuery(all: Params, data: Dataset, revision: Revision): SessionQuery {
  const params = onlyKnown(all, revision.sessionParameters);
  const page = pageOf(params);
  const sort = enumList(params, 'Sort', SESSION_SORT_COLUMNS) ?? [];
  const status = enumList(params, 'Status', SESSION_STATUSES);
  const types = enumList(params, 'Types', [...revision.sessionTypes]);
  const usnText = single(params, 'Usn');
  const int64 = (text: string): boolean =>
    /^-?\d{1,19}$/.test(text) && BigInt(text) <= 9_223_372_036_854_775_807n && BigInt(text) >= -9_223_372_036_854_775_808n;
  if (usnText !== undefined && !int64(usnText)) throw new ValidationError('Usn must be a 64-bit integer');
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
  /** Insertion-ordered, so the oldest entry is evicted first. */
  private readonly orders = new Map<string, readonly SessionRecord[]>();

  constructor(private readonly sessions: readonly SessionRecord[]) {}

  /** The sessions changed (a session started, progressed or finished): every sorted view is stale. */
  invalidate(): void {
    this.orders.clear();
  }

  get(sort: readonly string[]): readonly SessionRecord[] {
    const key = sort.join(',');
    let order = this.orders.get(key);
    if (!order) {
      // Without Sort the order is "the API's own semantics": here, creation (usn) order.
      order =
        sort.length === 0
          ? this.sessions
          : [...this.sessions].sort(comparator(sort, SESSION_KEYS, (a, b) => a.dto.id.localeCompare(b.dto.id)));
      if (this.orders.size >= MAX_CACHED_ORDERS) {
        const oldest = this.orders.keys().next().value;
        if (oldest !== undefined) this.orders.delete(oldest);
      }
      this.orders.set(key, order);
    }
    return order;
  }
}

export function queryItems(
  items: readonly ProtectedItemDto[],
  params: Params,
): { total: number; results: ProtectedItemDto[]; page: PageRequest } {
  const page = pageOf(params);
  const sort = enumList(params, 'Sort', PROTECTED_ITEM_SORT_COLUMNS) ?? [];
  const search = single(params, 'SearchPattern')?.toLowerCase();
  let matching = search ? items.filter((item) => item.name.toLowerCase().includes(search)) : [...items];
  if (sort.length > 0) {
    matching = matching.sort(comparator(sort, ITEM_KEYS, (a, b) => a.name.localeCompare(b.name, 'en') || a.id.localeCompare(b.id)));
  }
  return { total: matching.length, results: slice(matching, page), page };
}

/**
 * Typed query parameters of the Veeam list endpoints and their exact wire form: the spec's
 * PascalCase names, arrays as repeated keys (`Types=Policy&Types=Job`, never comma-joined: the
 * appliance's support for that is unknown), date-times in ISO-8601 UTC with `Z`, in one fixed order
 * so the same request always produces the same URL (which also makes it a stable cache key).
 */
import type { ProtectedItemSortColumn, SessionSortColumn, SessionStatus, SessionType } from './dto';
import { toUtcIso } from './time';

export interface ListSessionsParams {
  offset?: number;
  /** -1 = no limit. */
  limit?: number;
  sort?: readonly SessionSortColumn[];
  status?: readonly SessionStatus[];
  types?: readonly SessionType[];
  /** int64: a decimal string keeps values past 2^53 exact. */
  usn?: string | number;
  policyId?: string;
  parentSessionId?: string;
  vmId?: string;
  /** Any ISO-8601 date-time (or Date); sent as UTC with `Z`. */
  fromUtc?: string | Date;
  toUtc?: string | Date;
}

export interface ListProtectedItemsParams {
  offset?: number;
  limit?: number;
  searchPattern?: string;
  sort?: readonly ProtectedItemSortColumn[];
}

type Pair = readonly [name: string, value: string];

function scalar(name: string, value: string | number | undefined): Pair[] {
  return value === undefined ? [] : [[name, String(value)]];
}

function repeated(name: string, values: readonly string[] | undefined): Pair[] {
  return (values ?? []).map((value) => [name, value] as const);
}

function dateTime(name: string, value: string | Date | undefined): Pair[] {
  return value === undefined ? [] : [[name, toUtcIso(value)]];
}

function encode(pairs: readonly Pair[]): string {
  return pairs.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
}

export function sessionsQuery(params: ListSessionsParams): string {
  return encode([
    ...scalar('Offset', params.offset),
    ...scalar('Limit', params.limit),
    ...repeated('Sort', params.sort),
    ...repeated('Status', params.status),
    ...repeated('Types', params.types),
    ...scalar('Usn', params.usn),
    ...scalar('PolicyId', params.policyId),
    ...scalar('ParentSessionId', params.parentSessionId),
    ...scalar('VmId', params.vmId),
    ...dateTime('FromUtc', params.fromUtc),
    ...dateTime('ToUtc', params.toUtc),
  ]);
}

export function protectedItemsQuery(params: ListProtectedItemsParams): string {
  return encode([
    ...scalar('Offset', params.offset),
    ...scalar('Limit', params.limit),
    ...scalar('SearchPattern', params.searchPattern),
    ...repeated('Sort', params.sort),
  ]);
}

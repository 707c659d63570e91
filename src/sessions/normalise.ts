/**
 * Client arguments → upstream parameters, for every public surface (GraphQL and the exports).
 * Everything invalid is refused here, before any upstream call, with an InvalidInputError naming the
 * argument. Normalised results double as DataLoader keys.
 */
import type { ProtectedItemSortColumn, SessionSortColumn } from '../upstream/dto';
import type { ListSessionsParams } from '../upstream/query';
import { toUtcIso, InvalidDateTimeError } from '../upstream/time';
import {
  protectedItemSortColumn,
  SESSION_STATUS,
  SESSION_TYPE,
  sessionSortColumn,
  type ProtectedItemSortField,
  type SessionSortField,
  type SessionStatusName,
  type SessionTypeName,
  type SortDirection,
} from './enums';
import { InvalidInputError } from './errors';
import { DEFAULT_PAGE_LIMIT, type GatewayLimits } from './limits';

type Maybe<T> = T | null | undefined;

/** The arguments as a client gives them (GraphQL's generated input types are structurally these). */
export interface PageArgs {
  offset?: Maybe<number>;
  limit?: Maybe<number>;
}
export interface SessionSortArgs {
  field: SessionSortField;
  direction?: Maybe<SortDirection>;
}
export interface ProtectedItemSortArgs {
  field: ProtectedItemSortField;
  direction?: Maybe<SortDirection>;
}
export interface SessionFilterArgs {
  status?: Maybe<readonly SessionStatusName[]>;
  types?: Maybe<readonly SessionTypeName[]>;
  usn?: Maybe<string>;
  policyId?: Maybe<string>;
  parentSessionId?: Maybe<string>;
  vmId?: Maybe<string>;
  from?: Maybe<string>;
  to?: Maybe<string>;
}

/** The upstream filter of a session list: everything but paging and order. */
export type SessionFilterParams = Omit<ListSessionsParams, 'offset' | 'limit' | 'sort'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Instance ids are documented as UUIDs but typed as strings: accept any short printable token. */
const OPAQUE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Long enough for any instance name, short enough not to be abuse. */
const MAX_SEARCH_LENGTH = 256;

export function requireUuid(value: string, argument: string): string {
  if (!UUID.test(value)) throw new InvalidInputError(`${argument} must be a UUID, got ${JSON.stringify(value.slice(0, 64))}`, argument);
  return value.toLowerCase();
}

export interface Page {
  offset: number;
  limit: number;
}

export function normalisePage(page: Maybe<PageArgs>, limits: GatewayLimits, argument: string): Page {
  const offset = page?.offset ?? 0;
  const limit = page?.limit ?? DEFAULT_PAGE_LIMIT;
  if (offset < 0) throw new InvalidInputError(`${argument}.offset must be 0 or more, got ${offset}`, `${argument}.offset`);
  if (limit < 0) throw new InvalidInputError(`${argument}.limit must be 0 or more, got ${limit}`, `${argument}.limit`);
  if (limit > limits.maxPageLimit) {
    throw new InvalidInputError(
      `${argument}.limit must be at most ${limits.maxPageLimit} (the gateway's MAX_PAGE_LIMIT), got ${limit}; page with offset instead`,
      `${argument}.limit`,
    );
  }
  return { offset, limit };
}

function withoutUnknown<Table extends Record<string, string>>(
  values: Maybe<readonly (keyof Table | 'UNKNOWN')[]>,
  table: Table,
  argument: string,
): string[] | undefined {
  if (!values || values.length === 0) return undefined;
  return [...new Set(values)].map((value) => {
    if (value === 'UNKNOWN') throw new InvalidInputError(`${argument} cannot filter on UNKNOWN`, argument);
    return table[value as keyof Table] as string;
  });
}

/** Sort keys with a final USN key so that pages never overlap or skip when other keys tie. */
export function sessionSort(sort: Maybe<readonly SessionSortArgs[]>): SessionSortColumn[] {
  const keys: readonly SessionSortArgs[] = sort && sort.length > 0 ? sort : [{ field: 'START_TIME', direction: 'DESC' }];
  const fields = new Set(keys.map((key) => key.field));
  if (fields.size !== keys.length) throw new InvalidInputError('sort names a field more than once', 'sort');
  const columns = keys.map((key) => sessionSortColumn(key.field, key.direction));
  if (!fields.has('USN')) columns.push(sessionSortColumn('USN', keys[0]?.direction === 'ASC' ? 'ASC' : 'DESC'));
  return columns;
}

export function sessionFilter(filter: Maybe<SessionFilterArgs>): SessionFilterParams {
  if (!filter) return {};
  const params: SessionFilterParams = {};
  const status = withoutUnknown(filter.status, SESSION_STATUS, 'filter.status');
  if (status) params.status = status;
  const types = withoutUnknown(filter.types, SESSION_TYPE, 'filter.types');
  if (types) params.types = types;
  if (filter.usn != null) params.usn = filter.usn;
  if (filter.policyId != null) params.policyId = requireUuid(filter.policyId, 'filter.policyId');
  if (filter.parentSessionId != null) params.parentSessionId = requireUuid(filter.parentSessionId, 'filter.parentSessionId');
  if (filter.vmId != null) {
    if (!OPAQUE_ID.test(filter.vmId)) {
      throw new InvalidInputError('filter.vmId must be an instance id (letters, digits, - . _ :)', 'filter.vmId');
    }
    params.vmId = filter.vmId;
  }
  if (filter.from != null) params.fromUtc = filter.from;
  if (filter.to != null) params.toUtc = filter.to;
  if (filter.from != null && filter.to != null && Date.parse(filter.from) > Date.parse(filter.to)) {
    throw new InvalidInputError(`filter.from (${filter.from}) is after filter.to (${filter.to})`, 'filter.from');
  }
  return params;
}

/** A date-time argument given as text (the exports' query string): UTC ISO-8601, or refused. */
export function dateTimeArgument(value: string, argument: string): string {
  try {
    return toUtcIso(value);
  } catch (error) {
    if (error instanceof InvalidDateTimeError) throw new InvalidInputError(`${argument}: ${error.message}`, argument);
    throw error;
  }
}

export interface ProtectedItemsArgs {
  search: string | undefined;
  sort: ProtectedItemSortColumn[];
  page: Page;
}

export function protectedItemsArgs(
  args: { search?: Maybe<string>; sort?: Maybe<readonly ProtectedItemSortArgs[]>; page?: Maybe<PageArgs> },
  limits: GatewayLimits,
): ProtectedItemsArgs {
  const search = args.search ?? undefined;
  if (search !== undefined && search.length > MAX_SEARCH_LENGTH) {
    throw new InvalidInputError(`search must be at most ${MAX_SEARCH_LENGTH} characters`, 'search');
  }
  const sortArgs = args.sort ?? [];
  if (new Set(sortArgs.map((key) => key.field)).size !== sortArgs.length) {
    throw new InvalidInputError('sort names a field more than once', 'sort');
  }
  const sort = sortArgs.map((key) => protectedItemSortColumn(key.field, key.direction));
  // An empty search matches everything: drop it so it shares the loader key with no search at all.
  return { search: search === '' ? undefined : search, sort, page: normalisePage(args.page, limits, 'page') };
}

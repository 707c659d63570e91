/**
 * GraphQL arguments → upstream parameters. Everything invalid is rejected here, before any upstream
 * call, with BAD_USER_INPUT and the argument's path. Normalised results double as DataLoader keys.
 */
import type { ProtectedItemSortColumn, SessionSortColumn } from '../upstream/dto';
import type { ListSessionsParams } from '../upstream/query';
import { protectedItemSortColumn, SESSION_STATUS, SESSION_TYPE, sessionSortColumn } from './enums';
import { badUserInput } from '../graphql/errors';
import type {
  InputMaybe,
  PageInput,
  ProtectedItemSort,
  SessionFilter,
  SessionSort,
} from '../graphql/generated/resolvers-types';
import type { GatewayLimits } from '../graphql/context';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Instance ids are documented as UUIDs but typed as strings: accept any short printable token. */
const OPAQUE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Long enough for any instance name, short enough not to be abuse. */
const MAX_SEARCH_LENGTH = 256;

export function requireUuid(value: string, argument: string): string {
  if (!UUID.test(value)) throw badUserInput(`${argument} must be a UUID, got ${JSON.stringify(value.slice(0, 64))}`, argument);
  return value.toLowerCase();
}

export interface Page {
  offset: number;
  limit: number;
}

export function normalisePage(page: InputMaybe<PageInput> | undefined, limits: GatewayLimits, argument: string): Page {
  const offset = page?.offset ?? 0;
  const limit = page?.limit ?? 50;
  if (offset < 0) throw badUserInput(`${argument}.offset must be 0 or more, got ${offset}`, `${argument}.offset`);
  if (limit < 0) throw badUserInput(`${argument}.limit must be 0 or more, got ${limit}`, `${argument}.limit`);
  if (limit > limits.maxPageLimit) {
    throw badUserInput(
      `${argument}.limit must be at most ${limits.maxPageLimit} (the gateway's MAX_PAGE_LIMIT), got ${limit}; page with offset instead`,
      `${argument}.limit`,
    );
  }
  return { offset, limit };
}

function withoutUnknown<E extends string>(values: readonly E[] | null | undefined, table: Record<Exclude<E, 'UNKNOWN'>, string>, argument: string): string[] | undefined {
  if (!values || values.length === 0) return undefined;
  return [...new Set(values)].map((value) => {
    if (value === 'UNKNOWN') throw badUserInput(`${argument} cannot filter on UNKNOWN`, argument);
    return table[value as Exclude<E, 'UNKNOWN'>];
  });
}

/** Sort keys with a final USN key so that pages never overlap or skip when other keys tie. */
export function sessionSort(sort: readonly SessionSort[] | null | undefined): SessionSortColumn[] {
  const keys = sort && sort.length > 0 ? sort : [{ field: 'START_TIME' as const, direction: 'DESC' as const }];
  const fields = new Set(keys.map((key) => key.field));
  if (fields.size !== keys.length) throw badUserInput('sort names a field more than once', 'sort');
  const columns = keys.map((key) => sessionSortColumn(key.field, key.direction));
  if (!fields.has('USN')) {
    columns.push(keys[0]?.direction === 'ASC' ? 'usnAsc' : 'usnDesc');
  }
  return columns;
}

export function sessionFilter(filter: InputMaybe<SessionFilter> | undefined): Omit<ListSessionsParams, 'offset' | 'limit' | 'sort'> {
  if (!filter) return {};
  const params: Omit<ListSessionsParams, 'offset' | 'limit' | 'sort'> = {};
  const status = withoutUnknown(filter.status, SESSION_STATUS, 'filter.status');
  if (status) params.status = status;
  const types = withoutUnknown(filter.types, SESSION_TYPE, 'filter.types');
  if (types) params.types = types;
  if (filter.usn != null) params.usn = filter.usn;
  if (filter.policyId != null) params.policyId = requireUuid(filter.policyId, 'filter.policyId');
  if (filter.parentSessionId != null) params.parentSessionId = requireUuid(filter.parentSessionId, 'filter.parentSessionId');
  if (filter.vmId != null) {
    if (!OPAQUE_ID.test(filter.vmId)) throw badUserInput('filter.vmId must be an instance id (letters, digits, - . _ :)', 'filter.vmId');
    params.vmId = filter.vmId;
  }
  if (filter.from != null) params.fromUtc = filter.from;
  if (filter.to != null) params.toUtc = filter.to;
  if (filter.from != null && filter.to != null && Date.parse(filter.from) > Date.parse(filter.to)) {
    throw badUserInput(`filter.from (${filter.from}) is after filter.to (${filter.to})`, 'filter.from');
  }
  return params;
}

export interface ProtectedItemsArgs {
  search: string | undefined;
  sort: ProtectedItemSortColumn[];
  page: Page;
}

export function protectedItemsArgs(
  args: { search?: InputMaybe<string>; sort?: InputMaybe<ProtectedItemSort[]>; page?: InputMaybe<PageInput> },
  limits: GatewayLimits,
): ProtectedItemsArgs {
  const search = args.search ?? undefined;
  if (search !== undefined && search.length > MAX_SEARCH_LENGTH) {
    throw badUserInput(`search must be at most ${MAX_SEARCH_LENGTH} characters`, 'search');
  }
  const sort = (args.sort ?? []).map((key) => protectedItemSortColumn(key.field, key.direction));
  if (new Set(sort.map((column) => column.replace(/(Asc|Desc)$/, ''))).size !== sort.length) {
    throw badUserInput('sort names a field more than once', 'sort');
  }
  // An empty search matches everything: drop it so it shares the loader key with no search at all.
  return { search: search === '' ? undefined : search, sort, page: normalisePage(args.page, limits, 'page') };
}

/**
 * Query parameters of the export endpoints: the same filters and sort as the GraphQL `sessions`
 * field, validated by the same code (graphql/inputs.ts), so both doors accept exactly the same input.
 *   status=FAILED,WARNING  types=POLICY  usn=  policyId=  parentSessionId=  vmId=  from=  to=
 *   sort=START_TIME:DESC (repeatable; default USN:ASC, stable while new sessions arrive)
 */
import { GraphQLError } from 'graphql';
import { SESSION_STATUS, SESSION_TYPE } from '../sessions/enums';
import type { SessionFilter, SessionSort, SessionSortField, SortDirection } from '../graphql/generated/resolvers-types';
import { sessionFilter, sessionSort } from '../sessions/normalise';
import type { ListSessionsParams } from '../upstream/query';
import { InvalidDateTimeError, toUtcIso } from '../upstream/time';

export class ExportParamError extends Error {}

const SORT_FIELDS: readonly SessionSortField[] = ['START_TIME', 'STOP_TIME', 'DURATION', 'TYPE', 'REASON', 'USN'];

function list(params: URLSearchParams, name: string): string[] {
  return params.getAll(name).flatMap((value) => value.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

function enumList<E extends string>(params: URLSearchParams, name: string, known: readonly string[]): E[] | undefined {
  const values = list(params, name).map((v) => v.toUpperCase());
  for (const value of values) {
    if (!known.includes(value)) throw new ExportParamError(`${name} has an unknown value ${JSON.stringify(value)}; expected one of ${known.join(', ')}`);
  }
  return values.length > 0 ? (values as E[]) : undefined;
}

function dateTime(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name);
  if (value === null || value === '') return undefined;
  try {
    return toUtcIso(value);
  } catch (error) {
    if (error instanceof InvalidDateTimeError) throw new ExportParamError(`${name}: ${error.message}`);
    throw error;
  }
}

function sorts(params: URLSearchParams): SessionSort[] {
  const given = list(params, 'sort');
  if (given.length === 0) return [{ field: 'USN', direction: 'ASC' }];
  return given.map((entry) => {
    const [field = '', direction = 'ASC'] = entry.toUpperCase().split(':');
    if (!SORT_FIELDS.includes(field as SessionSortField)) throw new ExportParamError(`sort field ${JSON.stringify(field)} is unknown; expected one of ${SORT_FIELDS.join(', ')}`);
    if (direction !== 'ASC' && direction !== 'DESC') throw new ExportParamError(`sort direction ${JSON.stringify(direction)} must be ASC or DESC`);
    return { field: field as SessionSortField, direction: direction as SortDirection };
  });
}

/** The upstream list parameters for an export request, or an ExportParamError (a 400). */
export function exportParams(search: URLSearchParams): Omit<ListSessionsParams, 'offset' | 'limit'> {
  const known = new Set(['status', 'types', 'usn', 'policyId', 'parentSessionId', 'vmId', 'from', 'to', 'sort']);
  for (const name of search.keys()) {
    if (!known.has(name)) throw new ExportParamError(`unknown parameter ${JSON.stringify(name)}; known: ${[...known].join(', ')}`);
  }
  const usn = search.get('usn');
  const filter: SessionFilter = {
    status: enumList(search, 'status', Object.keys(SESSION_STATUS)),
    types: enumList(search, 'types', Object.keys(SESSION_TYPE)),
    usn: usn !== null && usn !== '' ? usn : undefined,
    policyId: search.get('policyId') ?? undefined,
    parentSessionId: search.get('parentSessionId') ?? undefined,
    vmId: search.get('vmId') ?? undefined,
    from: dateTime(search, 'from'),
    to: dateTime(search, 'to'),
  };
  if (usn !== null && usn !== '' && !/^-?\d{1,19}$/.test(usn)) throw new ExportParamError('usn must be an integer');
  try {
    return { ...sessionFilter(filter), sort: sessionSort(sorts(search)) };
  } catch (error) {
    if (error instanceof GraphQLError) throw new ExportParamError(error.message);
    throw error;
  }
}

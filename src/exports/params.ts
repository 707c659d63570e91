/**
 * Query parameters of the export endpoints: the same filters and sort as the GraphQL `sessions`
 * field, validated by the same code (sessions/normalise.ts), so both doors accept exactly the same input.
 *   status=FAILED,WARNING  types=POLICY  usn=  policyId=  parentSessionId=  vmId=  from=  to=
 *   sort=START_TIME:DESC (repeatable; default USN:ASC, stable while new sessions arrive)
 *   limit=N (at most N data rows: a preview)
 */
import { namesOf, SESSION_SORT_FIELD, SESSION_STATUS, SESSION_TYPE, type SessionSortField, type SortDirection } from '../sessions/enums';
import { InvalidInputError } from '../sessions/errors';
import { dateTimeArgument, sessionFilter, sessionSort, type SessionFilterArgs, type SessionSortArgs } from '../sessions/normalise';
import type { ListSessionsParams } from '../upstream/query';

const SORT_FIELDS = namesOf(SESSION_SORT_FIELD);

function list(params: URLSearchParams, name: string): string[] {
  return params
    .getAll(name)
    .flatMap((value) => value.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function enumList<E extends string>(params: URLSearchParams, name: string, known: readonly E[]): E[] | undefined {
  const values = list(params, name).map((v) => v.toUpperCase());
  for (const value of values) {
    if (!(known as readonly string[]).includes(value))
      throw new InvalidInputError(`${name} has an unknown value ${JSON.stringify(value)}; expected one of ${known.join(', ')}`);
  }
  return values.length > 0 ? (values as E[]) : undefined;
}

function dateTime(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name);
  return value === null || value === '' ? undefined : dateTimeArgument(value, name);
}

function sorts(params: URLSearchParams): SessionSortArgs[] {
  const given = list(params, 'sort');
  if (given.length === 0) return [{ field: 'USN', direction: 'ASC' }];
  return given.map((entry) => {
    const parts = entry.toUpperCase().split(':');
    if (parts.length > 2) throw new InvalidInputError(`sort ${JSON.stringify(entry)} must be FIELD or FIELD:DIRECTION`);
    const [field = '', direction = 'ASC'] = parts;
    if (!SORT_FIELDS.includes(field as SessionSortField))
      throw new InvalidInputError(`sort field ${JSON.stringify(field)} is unknown; expected one of ${SORT_FIELDS.join(', ')}`);
    if (direction !== 'ASC' && direction !== 'DESC')
      throw new InvalidInputError(`sort direction ${JSON.stringify(direction)} must be ASC or DESC`);
    return { field: field as SessionSortField, direction: direction as SortDirection };
  });
}

/** The upstream list parameters for an export request, or an InvalidInputError (a 400). */
export function exportParams(search: URLSearchParams): Omit<ListSessionsParams, 'offset' | 'limit'> {
  const known = new Set(['status', 'types', 'usn', 'policyId', 'parentSessionId', 'vmId', 'from', 'to', 'sort', 'limit']);
  for (const name of search.keys()) {
    if (!known.has(name)) throw new InvalidInputError(`unknown parameter ${JSON.stringify(name)}; known: ${[...known].join(', ')}`);
  }
  const usn = search.get('usn');
  const filter: SessionFilterArgs = {
    status: enumList(search, 'status', namesOf(SESSION_STATUS)),
    types: enumList(search, 'types', namesOf(SESSION_TYPE)),
    usn: usn !== null && usn !== '' ? usn : undefined,
    policyId: search.get('policyId') ?? undefined,
    parentSessionId: search.get('parentSessionId') ?? undefined,
    vmId: search.get('vmId') ?? undefined,
    from: dateTime(search, 'from'),
    to: dateTime(search, 'to'),
  };
  if (usn !== null && usn !== '' && !/^-?\d{1,19}$/.test(usn)) throw new InvalidInputError('usn must be an integer', 'usn');
  return { ...sessionFilter(filter), sort: sessionSort(sorts(search)) };
}

/** Largest preview: beyond it, the client wants the whole export (and gets it without `limit`). */
export const MAX_EXPORT_LIMIT = 1_000_000;

/** The `limit` parameter: at most this many data rows (a preview), or undefined for all of them. */
export function exportRowLimit(search: URLSearchParams): number | undefined {
  const value = search.get('limit');
  if (value === null || value === '') return undefined;
  const limit = /^\d{1,7}$/.test(value) ? Number(value) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_EXPORT_LIMIT)) {
    throw new InvalidInputError(
      `limit must be a whole number from 1 to ${MAX_EXPORT_LIMIT}, got ${JSON.stringify(value.slice(0, 32))}`,
      'limit',
    );
  }
  return limit;
}

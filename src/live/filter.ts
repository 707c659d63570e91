/**
 * A subscription's filter, evaluated on the session record itself (the poller reads every change
 * once for all subscribers, so filters cannot be pushed upstream). Only the criteria the record
 * carries are accepted; the others are refused up front with BAD_USER_INPUT.
 */
import type { SessionFilterParams } from '../sessions/normalise';
import { InvalidInputError } from '../sessions/errors';
import { toUtcIso, upstreamTimeToEpochMs } from '../upstream/time';
import type { ChangeEvent } from './change';

/** Criteria a session record does not carry (policy, parent, processed instance) or that a feed cannot use. */
const NOT_ON_THE_RECORD = {
  usn: 'filter.usn cannot be used in sessionUpdates: a session changes USN with every change; use afterUsn to resume',
  policyId: 'filter.policyId cannot be used in sessionUpdates: the session record does not name its policy',
  parentSessionId: 'filter.parentSessionId cannot be used in sessionUpdates: the session record does not name its parent',
  vmId: 'filter.vmId cannot be used in sessionUpdates: the session record does not list its instances',
} as const satisfies Partial<Record<keyof SessionFilterParams, string>>;

export type LiveFilter = (event: ChangeEvent) => boolean;

const timeOf = (value: string | Date | undefined): number | undefined => (value === undefined ? undefined : Date.parse(toUtcIso(value)));

function startMs(value: string | undefined): number | undefined {
  try {
    return upstreamTimeToEpochMs(value);
  } catch {
    return undefined;
  }
}

/** A validated upstream filter (sessions/normalise.ts) → a predicate on changes. */
export function liveFilter(params: SessionFilterParams): LiveFilter {
  for (const [name, message] of Object.entries(NOT_ON_THE_RECORD)) {
    if (params[name as keyof typeof NOT_ON_THE_RECORD] !== undefined) throw new InvalidInputError(message, `filter.${name}`);
  }
  const statuses = params.status && new Set<string>(params.status);
  const types = params.types && new Set<string>(params.types);
  const from = timeOf(params.fromUtc);
  const to = timeOf(params.toUtc);
  return ({ session, previousStatus }) => {
    if (statuses && !statuses.has(session.status) && !(previousStatus !== undefined && statuses.has(previousStatus))) return false;
    if (types && !types.has(session.type)) return false;
    if (from === undefined && to === undefined) return true;
    // As the appliance's FromUtc/ToUtc (and the simulator): on the start time; never-run sessions match neither.
    // Read with the one upstream time parser: DateTime.MinValue or an unreadable time is no start time.
    const start = startMs(session.executionStartTime);
    if (start === undefined) return false;
    return (from === undefined || start >= from) && (to === undefined || start <= to);
  };
}

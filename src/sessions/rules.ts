/**
 * What the gateway decides from a session record alone, each rule once: whether it has finished
 * (its items are final), whether it protects nothing (no items call is needed), in which order a
 * page of items spanning several upstream slices is read, and which sessions and statuses the
 * reports read.
 */
import type { ProtectedItemSortColumn, SessionDto } from '../upstream/dto';
import { isNoTime } from '../upstream/time';
import {
  PROTECTED_ITEM_SORT_FIELD,
  protectedItemSortColumn,
  SESSION_RESULT,
  SESSION_STATUS,
  SESSION_TYPE,
  sessionSortColumn,
  type ProtectedItemSortField,
  type SessionResultName,
  type SessionStatusName,
} from './enums';

/** A stopped, non-running session: its protected items are final and may be cached long. */
export function isFinished(session: SessionDto): boolean {
  const stop = session.executionStopTime;
  // .NET's DateTime.MinValue as a stop time means "not stopped" (time.ts).
  return session.status !== SESSION_STATUS.RUNNING && stop != null && !isNoTime(stop);
}

/**
 * Session types known never to protect an instance, so that their items are known to be none
 * without asking. Only activities whose nature rules instances out are here:
 * - retention (`RetentionActivity`, `TombstoneRetention`): deletes restore points; its record links
 *   `retentionJobDeletedRestorePoints`, never items;
 * - the appliance's own configuration backup (`SelfBackupActivity`, `ConfigurationBackupActivity`):
 *   backs up the appliance, not workloads;
 * - restores (`RestoreTask`, `FLRTask`, `FlrEfsTask`): write data back from restore points and protect
 *   nothing; their record links `restoreJobInfo`.
 * Everything else is asked, including the types whose work is not documented well enough to rule
 * instances out (`Job`, `Task`, `ManualTask`, `ImportPolicy`, `ArchiveRetrieval…`) and any type a later
 * revision adds: an appliance that has no items for a session answers 404, which is an empty page
 * (graphql/loaders.ts, items.ts), so asking costs one call where guessing could hide items.
 */
const NEVER_PROTECTS: ReadonlySet<string> = new Set([
  SESSION_TYPE.RETENTION_ACTIVITY,
  SESSION_TYPE.TOMBSTONE_RETENTION,
  SESSION_TYPE.SELF_BACKUP_ACTIVITY,
  SESSION_TYPE.CONFIGURATION_BACKUP_ACTIVITY,
  SESSION_TYPE.RESTORE_TASK,
  SESSION_TYPE.FLR_TASK,
  SESSION_TYPE.FLR_EFS_TASK,
]);

/**
 * Whether the session is known for sure to protect nothing (no items call is needed): decided by its
 * type. Not from `_embedded`: its job-info links differ by revision and workload (later
 * revisions name RDS, EFS, … job infos besides `backupJobInfo`), so a missing `backupJobInfo`
 * proves nothing, and a session whose record names only a link this gateway does not know still
 * gets its items.
 */
export function protectsNothing(session: SessionDto): boolean {
  // A record that links its items is asked, whatever its type says.
  if (session._embedded?.backupJobInfo != null) return false;
  return NEVER_PROTECTS.has(session.type);
}

/**
 * Tie-breakers after the client's own sort keys when a page of items spans several upstream slices.
 * Every slice must be read in one deterministic order, or rows move between slices (overlap, or miss).
 * The API has no unique item sort column (only name, region, succeeded, failed), so name then region
 * is the closest to unique there is. Residual risk: two instances with the same name in the same
 * region (names are tags, not unique) may come in either order on two calls; a row repeated at a
 * slice boundary is dropped by id (pages.ts), a row skipped there is not recovered. Single-slice
 * pages are unaffected (they keep the client's request exactly).
 */
const ITEM_TIE_BREAKERS: readonly ProtectedItemSortField[] = ['NAME', 'REGION'];

const fieldOfItemColumn = (column: ProtectedItemSortColumn): string => column.replace(/(Asc|Desc)$/, '');

/** The order every slice of a multi-slice items page is read in: the client's keys, then the tie-breakers it lacks. */
export function itemSliceOrder(sort: readonly ProtectedItemSortColumn[]): ProtectedItemSortColumn[] {
  const named = new Set(sort.map(fieldOfItemColumn));
  const extra = ITEM_TIE_BREAKERS.filter((field) => !named.has(PROTECTED_ITEM_SORT_FIELD[field])).map((field) =>
    protectedItemSortColumn(field, 'ASC'),
  );
  return [...sort, ...extra];
}

/** Session types whose sessions protect EC2 instances (topFailingItems reads only these). */
export const BACKUP_TYPES: readonly string[] = [SESSION_TYPE.POLICY, SESSION_TYPE.USER_POLICY];

/** A session that succeeded has no failing instance: only these statuses are read for topFailingItems. */
export const NOT_SUCCEEDED: readonly string[] = [SESSION_STATUS.FAILED, SESSION_STATUS.WARNING, SESSION_STATUS.CANCELED];

/** Statuses of sessions that ran to an end (the success rate's denominator). */
export const FINISHED_STATUSES: readonly SessionStatusName[] = ['SUCCEEDED', 'WARNING', 'FAILED', 'CANCELED'];

/** The result a status implies (result and status spell `Canceled` differently upstream). */
export const RESULT_OF_STATUS: Partial<Record<SessionStatusName, SessionResultName>> = {
  SUCCEEDED: 'SUCCESS',
  WARNING: 'WARNING',
  FAILED: 'FAILED',
  CANCELED: 'CANCELLED',
  RUNNING: 'RUNNING',
};

export const RESULT_NAMES = Object.keys(SESSION_RESULT) as Array<Exclude<SessionResultName, 'UNKNOWN'>>;

/** The order of streamed reads: by update sequence, oldest first, stable while new sessions arrive. */
export const STREAM_ORDER = [sessionSortColumn('USN', 'ASC')];

/** The order of one-row probes (counts, readiness): any total order will do; USN is unique. */
export const PROBE_ORDER = [sessionSortColumn('USN', 'DESC')];

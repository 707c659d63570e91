/**
 * The one place where GraphQL enum names meet the appliance's spellings. Output maps unknown
 * upstream values to `UNKNOWN` (appliances add values between revisions and a query must not fail
 * on one); input maps back and never sends `UNKNOWN` upstream.
 */
import type {
  ProtectedItemSortField,
  ProtectedItemStatus,
  SessionLogStatus,
  SessionResult,
  SessionSortField,
  SessionStatus,
  SessionType,
  SortDirection,
} from '../graphql/generated/resolvers-types';
import type { ProtectedItemSortColumn, SessionSortColumn } from '../upstream/dto';

type Known<E extends string> = Exclude<E, 'UNKNOWN'>;

export const SESSION_TYPE: Record<Known<SessionType>, string> = {
  POLICY: 'Policy',
  JOB: 'Job',
  TASK: 'Task',
  USER_POLICY: 'UserPolicy',
  RETENTION_ACTIVITY: 'RetentionActivity',
  RESTORE_TASK: 'RestoreTask',
  FLR_TASK: 'FLRTask',
  SELF_BACKUP_ACTIVITY: 'SelfBackupActivity',
  IMPORT_POLICY: 'ImportPolicy',
  TOMBSTONE_RETENTION: 'TombstoneRetention',
  CONFIGURATION_BACKUP_ACTIVITY: 'ConfigurationBackupActivity',
  ARCHIVE_RETRIEVAL: 'ArchiveRetrieval',
  ARCHIVE_RETRIEVAL_PROLONGATION: 'ArchiveRetrievalProlongation',
  MANUAL_TASK: 'ManualTask',
  FLR_EFS_TASK: 'FlrEfsTask',
};

export const SESSION_STATUS: Record<Known<SessionStatus>, string> = {
  RUNNING: 'Running',
  NEVER_EXECUTED: 'NeverExecuted',
  SUCCEEDED: 'Succeeded',
  WARNING: 'Warning',
  FAILED: 'Failed',
  CANCELED: 'Canceled',
};

/** Note the appliance's spellings: `Success` and `Cancelled` here, unlike the status. */
export const SESSION_RESULT: Record<Known<SessionResult>, string> = {
  RUNNING: 'Running',
  SUCCESS: 'Success',
  WARNING: 'Warning',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
};

export const PROTECTED_ITEM_STATUS: Record<Known<ProtectedItemStatus>, string> = {
  SUCCEEDED: 'Succeeded',
  WARNING: 'Warning',
  FAILED: 'Failed',
};

export const LOG_STATUS: Record<Known<SessionLogStatus>, string> = {
  NEVER_EXECUTED: 'NeverExecuted',
  SUCCESS: 'Success',
  WARNING: 'Warning',
  ERROR: 'Error',
  PENDING: 'Pending',
  CANCELING: 'Canceling',
  CANCELED: 'Canceled',
  RUNNING: 'Running',
  RUNNING_WITH_WARNING: 'RunningWithWarning',
  RUNNING_WITH_ERROR: 'RunningWithError',
};

const SESSION_SORT_PREFIX: Record<SessionSortField, string> = {
  START_TIME: 'startTime',
  STOP_TIME: 'stopTime',
  DURATION: 'duration',
  TYPE: 'type',
  REASON: 'reason',
  USN: 'usn',
};

const PROTECTED_ITEM_SORT_PREFIX: Record<ProtectedItemSortField, string> = {
  NAME: 'virtualMachineName',
  REGION: 'region',
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
};

const suffix = (direction: SortDirection | null | undefined): string => (direction === 'DESC' ? 'Desc' : 'Asc');

export function sessionSortColumn(field: SessionSortField, direction?: SortDirection | null): SessionSortColumn {
  return `${SESSION_SORT_PREFIX[field]}${suffix(direction)}` as SessionSortColumn;
}

export function protectedItemSortColumn(
  field: ProtectedItemSortField,
  direction?: SortDirection | null,
): ProtectedItemSortColumn {
  return `${PROTECTED_ITEM_SORT_PREFIX[field]}${suffix(direction)}` as ProtectedItemSortColumn;
}

/** upstream spelling → GraphQL name, built once. */
function invert<E extends string>(table: Record<E, string>): ReadonlyMap<string, E> {
  return new Map(Object.entries(table).map(([name, upstream]) => [upstream as string, name as E]));
}

const SESSION_TYPE_BY_UPSTREAM = invert(SESSION_TYPE);
const SESSION_STATUS_BY_UPSTREAM = invert(SESSION_STATUS);
const SESSION_RESULT_BY_UPSTREAM = invert(SESSION_RESULT);
const PROTECTED_ITEM_STATUS_BY_UPSTREAM = invert(PROTECTED_ITEM_STATUS);
const LOG_STATUS_BY_UPSTREAM = invert(LOG_STATUS);

export const toSessionType = (value: string): SessionType => SESSION_TYPE_BY_UPSTREAM.get(value) ?? 'UNKNOWN';
export const toSessionStatus = (value: string): SessionStatus => SESSION_STATUS_BY_UPSTREAM.get(value) ?? 'UNKNOWN';
export const toSessionResult = (value: string): SessionResult => SESSION_RESULT_BY_UPSTREAM.get(value) ?? 'UNKNOWN';
export const toProtectedItemStatus = (value: string): ProtectedItemStatus =>
  PROTECTED_ITEM_STATUS_BY_UPSTREAM.get(value) ?? 'UNKNOWN';
export const toLogStatus = (value: string): SessionLogStatus => LOG_STATUS_BY_UPSTREAM.get(value) ?? 'UNKNOWN';

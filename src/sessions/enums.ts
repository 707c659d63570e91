/**
 * The one table per enum: public name (GraphQL enum value, export query value) → the appliance's
 * spelling. Output maps unknown upstream values to `UNKNOWN` (appliances add values between
 * revisions and a query must not fail on one); input maps back and never sends `UNKNOWN` upstream.
 *
 * Each table is typed against the wire lists of upstream/dto.ts, and `Complete` makes a table that
 * misses a wire value a compile error, so the two cannot drift. The GraphQL layer checks its
 * generated enums against the names here (graphql/enum-bindings.ts).
 */
import type {
  LOG_ITEM_STATUSES,
  PROTECTED_ITEM_STATUSES,
  ProtectedItemSortColumn,
  SESSION_RESULTS,
  SESSION_STATUSES,
  SESSION_TYPES,
  SessionSortColumn,
} from '../upstream/dto';

type Spelling<List extends readonly string[]> = List[number];
/** `true` only when every wire value of `List` has a public name in `Table`. */
type Complete<Table extends Record<string, string>, List extends readonly string[]> = [
  Exclude<Spelling<List>, Table[keyof Table]>,
] extends [never]
  ? true
  : ['missing wire values', Exclude<Spelling<List>, Table[keyof Table]>];

export const SESSION_TYPE = {
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
} as const satisfies Record<string, Spelling<typeof SESSION_TYPES>>;

export const SESSION_STATUS = {
  RUNNING: 'Running',
  NEVER_EXECUTED: 'NeverExecuted',
  SUCCEEDED: 'Succeeded',
  WARNING: 'Warning',
  FAILED: 'Failed',
  CANCELED: 'Canceled',
} as const satisfies Record<string, Spelling<typeof SESSION_STATUSES>>;

/** Note the appliance's spellings: `Success` and `Cancelled` here, unlike the status. */
export const SESSION_RESULT = {
  RUNNING: 'Running',
  SUCCESS: 'Success',
  WARNING: 'Warning',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
} as const satisfies Record<string, Spelling<typeof SESSION_RESULTS>>;

export const PROTECTED_ITEM_STATUS = {
  SUCCEEDED: 'Succeeded',
  WARNING: 'Warning',
  FAILED: 'Failed',
} as const satisfies Record<string, Spelling<typeof PROTECTED_ITEM_STATUSES>>;

export const LOG_STATUS = {
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
} as const satisfies Record<string, Spelling<typeof LOG_ITEM_STATUSES>>;

/** Sort fields → the column prefix; the direction adds `Asc` or `Desc`. */
export const SESSION_SORT_FIELD = {
  START_TIME: 'startTime',
  STOP_TIME: 'stopTime',
  DURATION: 'duration',
  TYPE: 'type',
  REASON: 'reason',
  USN: 'usn',
} as const;

export const PROTECTED_ITEM_SORT_FIELD = {
  NAME: 'virtualMachineName',
  REGION: 'region',
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
} as const;

// Compile-time completeness: a wire value without a public name fails the build here.
export const TABLES_ARE_COMPLETE: [
  Complete<typeof SESSION_TYPE, typeof SESSION_TYPES>,
  Complete<typeof SESSION_STATUS, typeof SESSION_STATUSES>,
  Complete<typeof SESSION_RESULT, typeof SESSION_RESULTS>,
  Complete<typeof PROTECTED_ITEM_STATUS, typeof PROTECTED_ITEM_STATUSES>,
  Complete<typeof LOG_STATUS, typeof LOG_ITEM_STATUSES>,
] = [true, true, true, true, true];

/** A public enum name; `UNKNOWN` stands for a value this gateway does not know yet. */
type Name<Table> = keyof Table | 'UNKNOWN';
export type SessionTypeName = Name<typeof SESSION_TYPE>;
export type SessionStatusName = Name<typeof SESSION_STATUS>;
export type SessionResultName = Name<typeof SESSION_RESULT>;
export type ProtectedItemStatusName = Name<typeof PROTECTED_ITEM_STATUS>;
export type LogStatusName = Name<typeof LOG_STATUS>;
export type SessionSortField = keyof typeof SESSION_SORT_FIELD;
export type ProtectedItemSortField = keyof typeof PROTECTED_ITEM_SORT_FIELD;
export type SortDirection = 'ASC' | 'DESC';

const suffix = (direction: SortDirection | null | undefined): 'Asc' | 'Desc' => (direction === 'DESC' ? 'Desc' : 'Asc');

export function sessionSortColumn(field: SessionSortField, direction?: SortDirection | null): SessionSortColumn {
  return `${SESSION_SORT_FIELD[field]}${suffix(direction)}`;
}

export function protectedItemSortColumn(field: ProtectedItemSortField, direction?: SortDirection | null): ProtectedItemSortColumn {
  return `${PROTECTED_ITEM_SORT_FIELD[field]}${suffix(direction)}`;
}

/** upstream spelling → public name, built once. */
function reader<Table extends Record<string, string>>(table: Table): (value: string) => Name<Table> {
  const byUpstream = new Map<string, keyof Table>(Object.entries(table).map(([name, upstream]) => [upstream, name]));
  return (value) => byUpstream.get(value) ?? 'UNKNOWN';
}

export const toSessionType = reader(SESSION_TYPE);
export const toSessionStatus = reader(SESSION_STATUS);
export const toSessionResult = reader(SESSION_RESULT);
export const toProtectedItemStatus = reader(PROTECTED_ITEM_STATUS);
export const toLogStatus = reader(LOG_STATUS);

/** The public names of a table, e.g. for an export's `status=` values. */
export const namesOf = <Table extends Record<string, string>>(table: Table): Array<keyof Table & string> =>
  Object.keys(table) as Array<keyof Table & string>;

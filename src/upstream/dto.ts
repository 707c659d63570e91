/**
 * Upstream DTOs: the Veeam Backup for AWS REST API (v1) wire shapes.
 *
 * Generated from the 1.0-rev0 spec excerpt (`npm run codegen:openapi` → generated/openapi.ts) and
 * widened here with what later revisions add (name, extendedSessionType, 1.7-rev0 session types,
 * offset/limit on list pages). Enums are "known values | any string" because appliances add values
 * between revisions and an unknown one must never break a query.
 */
import type { components } from './generated/openapi';

type Schemas = components['schemas'];

/** A string enum that may grow: the known members keep autocompletion, anything else still type-checks. */
export type Open<Known extends string> = Known | (string & { readonly __open?: never });

/** Every session type of 1.0-rev0 plus those 1.7-rev0 adds. */
export const SESSION_TYPES = [
  'Policy',
  'Job',
  'Task',
  'UserPolicy',
  'RetentionActivity',
  'RestoreTask',
  'FLRTask',
  'SelfBackupActivity',
  'ImportPolicy',
  'TombstoneRetention',
  'ConfigurationBackupActivity',
  'ArchiveRetrieval',
  'ArchiveRetrievalProlongation',
  'ManualTask',
  'FlrEfsTask',
] as const;
export type KnownSessionType = (typeof SESSION_TYPES)[number] | Schemas['SessionTypes'];
export type SessionType = Open<KnownSessionType>;

export const SESSION_STATUSES = ['Running', 'NeverExecuted', 'Succeeded', 'Warning', 'Failed', 'Canceled'] as const;
export type SessionStatus = Open<Schemas['SessionStatuses']>;

export const SESSION_RESULTS = ['Running', 'Success', 'Warning', 'Failed', 'Cancelled'] as const;
export type SessionResult = Open<Schemas['SessionResults']>;

export const SESSION_SORT_COLUMNS = [
  'startTimeAsc',
  'startTimeDesc',
  'stopTimeAsc',
  'stopTimeDesc',
  'durationAsc',
  'durationDesc',
  'typeAsc',
  'typeDesc',
  'reasonAsc',
  'reasonDesc',
  'usnAsc',
  'usnDesc',
] as const;
export type SessionSortColumn = (typeof SESSION_SORT_COLUMNS)[number];

/** The path's parameter list is wider than the schema enum (the succeeded and failed columns exist only on the path). */
export const PROTECTED_ITEM_SORT_COLUMNS = [
  'virtualMachineNameAsc',
  'virtualMachineNameDesc',
  'regionAsc',
  'regionDesc',
  'succeededAsc',
  'succeededDesc',
  'failedAsc',
  'failedDesc',
] as const;
export type ProtectedItemSortColumn = (typeof PROTECTED_ITEM_SORT_COLUMNS)[number];

export const PROTECTED_ITEM_STATUSES = ['Succeeded', 'Warning', 'Failed'] as const;
export type ProtectedItemStatus = Open<Schemas['SessionItemsStatuses']>;

export const LOG_ITEM_STATUSES = [
  'NeverExecuted',
  'Success',
  'Warning',
  'Error',
  'Pending',
  'Canceling',
  'Canceled',
  'Running',
  'RunningWithWarning',
  'RunningWithError',
] as const;
export type LogItemStatus = Open<Schemas['LogItem']['status']>;

export type LinkDto = Schemas['Link'];

export interface SessionEmbeddedDto {
  backupJobInfo?: LinkDto;
  restoreJobInfo?: LinkDto;
  retentionJobDeletedRestorePoints?: LinkDto;
}

export interface SessionDto {
  id: string;
  type: SessionType;
  status: SessionStatus;
  usn: number;
  result?: SessionResult;
  reason?: string;
  /** Seen without a time zone (`2020-06-19T04:00:05.901095`): UTC. Absent on never-run sessions. */
  executionStartTime?: string;
  /** Absent while the session is running. */
  executionStopTime?: string;
  /** Milliseconds. Absent while the session is running. */
  executionDuration?: number;
  /** Later revisions: the policy/session display name. */
  name?: string;
  /** Later revisions: PolicyBackup, PolicySnapshot, VpcBackup, … */
  extendedSessionType?: string;
  _links?: LinkDto[];
  _embedded?: SessionEmbeddedDto;
}

export interface SessionsPageDto {
  totalCount: number;
  results: SessionDto[];
  /** 1.8-rev0 samples carry these; older appliances do not. */
  offset?: number;
  limit?: number;
  _links?: LinkDto[];
}

export interface ProtectedItemDto {
  id: string;
  name: string;
  status?: ProtectedItemStatus;
  region?: string;
  _embedded?: Schemas['ProtectedItemEmbedded'];
}

export interface ProtectedItemsPageDto {
  totalCount: number;
  results: ProtectedItemDto[];
  offset?: number;
  limit?: number;
  _links?: LinkDto[];
}

export interface LogItemDto {
  logTime: string;
  status: LogItemStatus;
  message?: string;
  executionStartTime?: string;
  executionDuration?: number;
}

export interface SessionLogDto {
  sessionId: string;
  log?: LogItemDto[];
}

/** RESTLogin. Note the leading dots of `.issued` / `.expires`. */
export type TokenResponseDto = Schemas['RESTLogin'];

export const PROBLEM_ERROR_CODES = [
  'AccessDenied',
  'ExpiredToken',
  'InvalidToken',
  'InvalidURI',
  'MethodNotAllowed',
  'NotFound',
  'NotImplemented',
  'ServiceUnavailable',
  'UnexpectedContent',
  'UnknownError',
] as const;

/** RFC 7807-style problem body. The human text is in `details` (there is no `message`). */
export interface ProblemDto {
  type: string;
  title: string;
  status: number;
  errorCode: Open<Schemas['Error']['errorCode']>;
  details?: string;
  instance?: string;
  data?: Record<string, unknown>;
}

export interface ProductVersionDto {
  about: string;
  version: string;
}

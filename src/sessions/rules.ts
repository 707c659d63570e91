/**
 * What the gateway decides from a session record alone, each rule once: whether it has finished
 * (its items are final), whether it protects nothing (no items call is needed), and which sessions
 * and statuses the reports read.
 */
import type { SessionDto } from '../upstream/dto';
import { SESSION_RESULT, SESSION_STATUS, SESSION_TYPE, sessionSortColumn, type SessionResultName, type SessionStatusName } from './enums';

/** A stopped, non-running session: its protected items are final and may be cached long. */
export function isFinished(session: SessionDto): boolean {
  return session.status !== SESSION_STATUS.RUNNING && session.executionStopTime != null;
}

/** The record says there is nothing to protect: `_embedded` is present and names no backup job. */
export function protectsNothing(session: SessionDto): boolean {
  return session._embedded != null && session._embedded.backupJobInfo == null;
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

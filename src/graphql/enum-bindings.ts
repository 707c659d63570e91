/**
 * The schema's enums are the core's public names (sessions/enums.ts): checked here at compile time,
 * so a value added to one and not the other fails the build instead of a query.
 */
import type {
  LogStatusName,
  ProtectedItemSortField as CoreProtectedItemSortField,
  ProtectedItemStatusName,
  SessionResultName,
  SessionSortField as CoreSessionSortField,
  SessionStatusName,
  SessionTypeName,
  SortDirection as CoreSortDirection,
} from '../sessions/enums';
import type {
  ProtectedItemSortField,
  ProtectedItemStatus,
  SessionLogStatus,
  SessionResult,
  SessionSortField,
  SessionStatus,
  SessionType,
  SortDirection,
} from './generated/resolvers-types';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

export const ENUMS_MATCH_THE_CORE: [
  Same<SessionType, SessionTypeName>,
  Same<SessionStatus, SessionStatusName>,
  Same<SessionResult, SessionResultName>,
  Same<ProtectedItemStatus, ProtectedItemStatusName>,
  Same<SessionLogStatus, LogStatusName>,
  Same<SessionSortField, CoreSessionSortField>,
  Same<ProtectedItemSortField, CoreProtectedItemSortField>,
  Same<SortDirection, CoreSortDirection>,
] = [true, true, true, true, true, true, true, true];

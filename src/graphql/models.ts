/**
 * Shapes the resolvers pass between parent and child fields (codegen mappers). Upstream DTOs are
 * passed as they are where their identity is the API's; pages are assembled here because they span
 * several upstream calls.
 */
import type { ProtectedItemDto, SessionDto } from '../upstream/dto';
import type { ProtectedItemStatusName, SessionResultName, SessionStatusName, SessionTypeName } from '../sessions/enums';

import type { PageModel } from '../sessions/pages';
import type { SessionFilterParams } from '../sessions/normalise';

/**
 * A session as GraphQL serves it: every leaf field a plain property, made once per session (the
 * ProtectedItemModel reason: a report reads ~10 fields of 500 sessions, each a resolver call if not).
 * `dto` is the appliance's record, for the fields still computed (protectedItems, log).
 */
export interface SessionModel {
  dto: SessionDto;
  id: string;
  name: string | null;
  type: SessionTypeName;
  rawType: string;
  extendedType: string | null;
  status: SessionStatusName;
  rawStatus: string;
  result: SessionResultName | null;
  rawResult: string | null;
  reason: string | null;
  /** The appliance's number as it is: the Long scalar makes it a decimal string. */
  usn: number;
  /** Upstream times as they are (the DateTime scalar normalises them); null for none. */
  startTime: string | null;
  stopTime: string | null;
  durationMs: number | null;
}
export type SessionPageModel = PageModel<SessionModel>;
/** A session's items as the appliance lists them (what the loader caches). */
export type UpstreamItemsPage = PageModel<ProtectedItemDto>;

/**
 * An instance as processed in one session: its status belongs to the pair, so the pair is the
 * object (and its GraphQL id), never the instance alone. Its leaf values are plain properties, made
 * once per item: a field without a resolver is a property read in the compiled query, where a
 * resolver call costs an info object, a path and three closures (a dashboard has 3,000 of them).
 */
export interface ProtectedItemModel {
  sessionId: string;
  item: ProtectedItemDto;
  instanceId: string;
  name: string;
  status: ProtectedItemStatusName | null;
  rawStatus: string | null;
  region: string | null;
}
export type ProtectedItemPageModel = PageModel<ProtectedItemModel>;

/** What the SessionStats fields compute from: the validated filter, the figures made on demand. */
export interface SessionStatsModel {
  params: SessionFilterParams;
}

/** One time bucket: its aligned bounds and the filter that counts it. */
export interface StatsBucketModel {
  start: string;
  end: string;
  params: SessionFilterParams;
}

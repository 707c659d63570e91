/**
 * Shapes the resolvers pass between parent and child fields (codegen mappers). Upstream DTOs are
 * passed as they are where their identity is the API's; pages are assembled here because they span
 * several upstream calls.
 */
import type { ProtectedItemDto, SessionDto } from '../upstream/dto';
import type { ProtectedItemStatusName } from '../sessions/enums';

import type { PageModel } from '../sessions/pages';
import type { SessionFilterParams } from '../sessions/normalise';

export type SessionPageModel = PageModel<SessionDto>;
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

/**
 * Shapes the resolvers pass between parent and child fields (codegen mappers). Upstream DTOs are
 * passed as they are; pages are assembled here because they span several upstream calls.
 */
import type { ProtectedItemDto, SessionDto } from '../upstream/dto';

import type { PageModel } from '../sessions/pages';
import type { SessionFilterParams } from '../sessions/normalise';

export type SessionPageModel = PageModel<SessionDto>;
export type ProtectedItemPageModel = PageModel<ProtectedItemDto>;

/** What the SessionStats fields compute from: the validated filter, the figures made on demand. */
export interface SessionStatsModel {
  params: SessionFilterParams;
}

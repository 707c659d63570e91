import type { SessionDto } from '../../upstream/dto';
import { upstreamCall, validated } from '../errors';
import type { QueryResolvers } from '../generated/resolvers-types';
import { normalisePage, requireUuid, sessionFilter, sessionSort } from '../../sessions/normalise';
import { assemblePage } from '../../sessions/pages';
import { prefetchSessionChildren } from '../prefetch';
import { sessionModel } from '../session-model';

export const Query: QueryResolvers = {
  async sessions(_parent, args, context) {
    context.cachePolicy.restrict(context.cacheHints.liveSeconds);
    // Validate everything before the first upstream call.
    const { page, filter, sort } = validated(() => ({
      page: normalisePage(args.page, context.limits, 'page'),
      filter: sessionFilter(args.filter),
      sort: sessionSort(args.sort),
    }));
    const result = await upstreamCall(
      assemblePage<SessionDto>(page, context.limits.upstreamPageSize, (offset, limit) =>
        context.client.listSessions({ ...filter, sort, offset, limit }, context.call),
      ),
    );
    // One model per session; a later session(id) in the same request gets the same one, with no extra call.
    const items = result.items.map(sessionModel);
    for (const session of items) context.loaders.sessionById.prime(session.id.toLowerCase(), session);
    return { ...result, items };
  },

  session(_parent, args, context, info) {
    context.cachePolicy.restrict(context.cacheHints.liveSeconds);
    const id = validated(() => requireUuid(args.id, 'id'));
    prefetchSessionChildren(id, info, context); // its log and items start with it: one round trip
    return context.loaders.sessionById.load(id);
  },
};

import type { SessionDto } from '../../upstream/dto';
import { upstreamCall, validated } from '../errors';
import type { QueryResolvers } from '../generated/resolvers-types';
import { normalisePage, requireUuid, sessionFilter, sessionSort } from '../../sessions/normalise';
import { assemblePage } from '../../sessions/pages';
import { prefetchSessionChildren } from '../prefetch';

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
    // A later session(id) or nested field in the same request needs no extra call.
    for (const session of result.items) context.loaders.sessionById.prime(session.id.toLowerCase(), session);
    return result;
  },

  session(_parent, args, context, info) {
    context.cachePolicy.restrict(context.cacheHints.liveSeconds);
    const id = validated(() => requireUuid(args.id, 'id'));
    prefetchSessionChildren(id, info, context); // its log and items start with it: one round trip
    return context.loaders.sessionById.load(id);
  },
};

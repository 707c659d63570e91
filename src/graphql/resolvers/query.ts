import type { SessionDto } from '../../upstream/dto';
import { upstreamCall, validated } from '../errors';
import type { QueryResolvers } from '../generated/resolvers-types';
import { normalisePage, requireUuid, sessionFilter, sessionSort } from '../../sessions/normalise';
import { assemblePage } from '../../sessions/pages';
import { prefetchListedItems, prefetchRunningItems, prefetchSessionChildren, untilCallsWritten } from '../prefetch';
import { listKey } from '../list-memory';
import { sessionModel } from '../session-model';

export const Query: QueryResolvers = {
  async sessions(_parent, args, context, info) {
    context.cachePolicy.restrict(context.cacheHints.liveSeconds);
    // Validate everything before the first upstream call.
    const { page, filter, sort } = validated(() => ({
      page: normalisePage(args.page, context.limits, 'page'),
      filter: sessionFilter(args.filter),
      sort: sessionSort(args.sort),
    }));
    // What this list's last answer showed starts with it (list-memory.ts): the slices that held rows,
    // then the items of the sessions that were running (after the list: the rest of the page waits
    // for the list, not for them).
    const list = listKey(filter, sort, page);
    const remembered = context.lists.recall(list);
    const listed = upstreamCall(
      assemblePage<SessionDto>(
        page,
        context.limits.upstreamPageSize,
        (offset, limit) => context.client.listSessions({ ...filter, sort, offset, limit }, context.call),
        { expected: remembered.slices },
      ),
    );
    prefetchRunningItems(remembered.running, info, context);
    const { sliceSize, ...result } = await listed;
    // One model per session; a later session(id) in the same request gets the same one, with no extra call.
    const items = result.items.map(sessionModel);
    const callsBefore = context.stats.upstreamCalls;
    prefetchListedItems(items, info, context); // before execution walks the page: the calls leave now
    for (const session of items) context.loaders.sessionById.prime(session.id.toLowerCase(), session);
    context.lists.remember(list, items, sliceSize);
    await untilCallsWritten(context.stats, callsBefore);
    return { ...result, items };
  },

  session(_parent, args, context, info) {
    context.cachePolicy.restrict(context.cacheHints.liveSeconds);
    const id = validated(() => requireUuid(args.id, 'id'));
    // The session's own call goes first: its children's fields can complete only once it has come back.
    const session = context.loaders.sessionById.load(id);
    prefetchSessionChildren(id, info, context); // its log and items start with it: one round trip
    return session;
  },
};

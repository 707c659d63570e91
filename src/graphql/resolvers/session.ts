import { toLogStatus, toProtectedItemStatus } from '../../sessions/enums';
import type { ProtectedItemResolvers, SessionLogEntryResolvers, SessionResolvers } from '../generated/resolvers-types';
import { isFinished, protectsNothing } from '../../sessions/rules';
import { validated } from '../errors';
import { protectedItemsArgs } from '../../sessions/normalise';
import { emptyPage } from '../../sessions/pages';
import { protectedItemId } from '../identity';
import type { ProtectedItemModel, ProtectedItemPageModel } from '../models';
import type { ProtectedItemDto } from '../../upstream/dto';
import { timeOrNull } from '../session-model';

/** Only the fields that call upstream are resolvers; the leaf fields are the model's properties (session-model.ts). */
export const Session: SessionResolvers = {
  async protectedItems({ id, dto }, args, context): Promise<ProtectedItemPageModel> {
    const normalised = validated(() => protectedItemsArgs(args, context.limits));
    const finished = isFinished(dto);
    context.cachePolicy.restrict(finished ? context.cacheHints.finishedItemsSeconds : context.cacheHints.liveSeconds);
    // The record already says there is nothing to protect here: no upstream call.
    if (protectsNothing(dto)) {
      return emptyPage(normalised.page);
    }
    const page = await context.loaders.protectedItems.load({ sessionId: id, sessionFinished: finished, ...normalised });
    // Each item is this (session, instance) pair: see ProtectedItem's identity rule in the schema.
    return { ...page, items: page.items.map((item) => protectedItemModel(id, item)) };
  },

  log({ id }, _args, context) {
    context.cachePolicy.restrict(context.cacheHints.liveSeconds);
    return context.loaders.sessionLog.load(id);
  },
};

function protectedItemModel(sessionId: string, item: ProtectedItemDto): ProtectedItemModel {
  return {
    sessionId,
    item,
    instanceId: item.id,
    name: item.name,
    status: item.status == null ? null : toProtectedItemStatus(item.status),
    rawStatus: item.status ?? null,
    region: item.region ?? null,
  };
}

/** Only `id` is computed on demand (an encoding); the other fields are the model's properties. */
export const ProtectedItem: ProtectedItemResolvers = {
  id: ({ sessionId, item }) => protectedItemId(sessionId, item.id),
};

export const SessionLogEntry: SessionLogEntryResolvers = {
  time: (entry) => entry.logTime,
  status: (entry) => toLogStatus(entry.status),
  rawStatus: (entry) => entry.status,
  message: (entry) => entry.message ?? null,
  startTime: (entry) => timeOrNull(entry.executionStartTime),
  durationMs: (entry) => entry.executionDuration ?? null,
};

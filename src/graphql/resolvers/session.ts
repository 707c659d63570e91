import { toLogStatus, toProtectedItemStatus, toSessionResult, toSessionStatus, toSessionType } from '../../sessions/enums';
import type { ProtectedItemResolvers, SessionLogEntryResolvers, SessionResolvers } from '../generated/resolvers-types';
import { isFinished, protectsNothing } from '../../sessions/rules';
import { validated } from '../errors';
import { protectedItemsArgs } from '../../sessions/normalise';
import { emptyPage } from '../../sessions/pages';
import { protectedItemId } from '../identity';
import type { ProtectedItemModel, ProtectedItemPageModel } from '../models';
import type { ProtectedItemDto } from '../../upstream/dto';
import { isNoTime } from '../../upstream/time';

/**
 * An upstream time for a DateTime field: null when absent or .NET's DateTime.MinValue ("no time");
 * anything else goes to the DateTime scalar, which normalises it with the same parser (time.ts).
 */
const timeOrNull = (value: string | undefined): string | null => (value == null || isNoTime(value) ? null : value);

export const Session: SessionResolvers = {
  name: (session) => session.name ?? null,
  type: (session) => toSessionType(session.type),
  rawType: (session) => session.type,
  extendedType: (session) => session.extendedSessionType ?? null,
  status: (session) => toSessionStatus(session.status),
  rawStatus: (session) => session.status,
  result: (session) => (session.result == null ? null : toSessionResult(session.result)),
  rawResult: (session) => session.result ?? null,
  reason: (session) => session.reason ?? null,
  startTime: (session) => timeOrNull(session.executionStartTime),
  stopTime: (session) => timeOrNull(session.executionStopTime),
  durationMs: (session) => session.executionDuration ?? null,

  async protectedItems(session, args, context): Promise<ProtectedItemPageModel> {
    const normalised = validated(() => protectedItemsArgs(args, context.limits));
    const finished = isFinished(session);
    context.cachePolicy.restrict(finished ? context.cacheHints.finishedItemsSeconds : context.cacheHints.liveSeconds);
    // The record already says there is nothing to protect here: no upstream call.
    if (protectsNothing(session)) {
      return emptyPage(normalised.page);
    }
    const page = await context.loaders.protectedItems.load({ sessionId: session.id, sessionFinished: finished, ...normalised });
    // Each item is this (session, instance) pair: see ProtectedItem's identity rule in the schema.
    return { ...page, items: page.items.map((item) => protectedItemModel(session.id, item)) };
  },

  log(session, _args, context) {
    context.cachePolicy.restrict(context.cacheHints.liveSeconds);
    return context.loaders.sessionLog.load(session.id);
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

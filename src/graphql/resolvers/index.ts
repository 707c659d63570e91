import type { Resolvers } from '../generated/resolvers-types';
import { DateTimeScalar, LongScalar } from '../scalars';
import { Query } from './query';
import { ProtectedItem, Session, SessionLogEntry } from './session';
import { SessionStats, StatsBucket, StatsQuery } from './stats';
import { Subscription } from './subscription';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Long: LongScalar,
  Query: { ...Query, ...StatsQuery },
  Subscription,
  Session,
  SessionStats,
  StatsBucket,
  ProtectedItem,
  SessionLogEntry,
};

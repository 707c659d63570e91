import type { Resolvers } from '../generated/resolvers-types';
import { DateTimeScalar, LongScalar } from '../scalars';
import { Query } from './query';
import { ProtectedItem, Session, SessionLogEntry } from './session';
import { SessionStats, StatsQuery } from './stats';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Long: LongScalar,
  Query: { ...Query, ...StatsQuery },
  Session,
  SessionStats,
  ProtectedItem,
  SessionLogEntry,
};

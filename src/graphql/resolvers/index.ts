import type { Resolvers } from '../generated/resolvers-types';
import { DateTimeScalar, LongScalar } from '../scalars';
import { Query } from './query';
import { ProtectedItem, Session, SessionLogEntry } from './session';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Long: LongScalar,
  Query,
  Session,
  ProtectedItem,
  SessionLogEntry,
};

/**
 * The one conversion of an appliance session record into what GraphQL serves (models.ts
 * SessionModel): every place a session enters GraphQL (the sessions page, the session loader, a
 * subscription event) builds it once, and the `Session` type's leaf fields read its properties.
 */
import type { SessionDto } from '../upstream/dto';
import { toSessionResult, toSessionStatus, toSessionType } from '../sessions/enums';
import { isNoTime } from '../upstream/time';
import type { Session } from './generated/resolvers-types';
import type { SessionModel } from './models';

/**
 * An upstream time for a DateTime field: null when absent or .NET's DateTime.MinValue ("no time");
 * anything else goes to the DateTime scalar, which normalises it with the same parser (time.ts).
 */
export const timeOrNull = (value: string | undefined): string | null => (value == null || isNoTime(value) ? null : value);

export function sessionModel(dto: SessionDto): SessionModel {
  return {
    dto,
    id: dto.id,
    name: dto.name ?? null,
    type: toSessionType(dto.type),
    rawType: dto.type,
    extendedType: dto.extendedSessionType ?? null,
    status: toSessionStatus(dto.status),
    rawStatus: dto.status,
    result: dto.result == null ? null : toSessionResult(dto.result),
    rawResult: dto.result ?? null,
    reason: dto.reason ?? null,
    usn: dto.usn,
    startTime: timeOrNull(dto.executionStartTime),
    stopTime: timeOrNull(dto.executionStopTime),
    durationMs: dto.executionDuration ?? null,
  };
}

/**
 * Every leaf field of the schema's Session is a model property of the schema's type, checked at
 * compile time (a field added to the schema and not here fails the build, not a query). `usn` is
 * left to the Long scalar, which takes the appliance's number as it is.
 */
type LeafFields = Omit<Session, '__typename' | 'protectedItems' | 'log' | 'usn'>;
export const MODEL_HAS_EVERY_LEAF: SessionModel extends LeafFields ? true : false = true;

/**
 * One observed change of one session, and what it changed: decided by comparing the record with the
 * last state the feed saw of that session (bounded memory: a forgotten session counts as NEW again).
 */
import type { SessionDto } from '../upstream/dto';
import { isFinished } from '../sessions/rules';
import type { SessionChange } from '../graphql/generated/resolvers-types';

export type { SessionChange };

export interface ChangeEvent {
  /** The session's USN after the change: the event's id. */
  usn: number;
  session: SessionDto;
  changes: SessionChange[];
  /** The status before the change (undefined for NEW): a status filter also matches the change out of it. */
  previousStatus: string | undefined;
}

/** Sessions remembered for classifying their next change: far more than run at once on any appliance. */
export const REMEMBERED_SESSIONS = 10_000;

export class SessionMemory {
  /** id → last seen status; Map order is least recently changed first. */
  private readonly statuses = new Map<string, string>();

  constructor(private readonly capacity = REMEMBERED_SESSIONS) {}

  /** The change this record is, remembered for the next one. */
  observe(session: SessionDto): ChangeEvent {
    const previousStatus = this.statuses.get(session.id);
    const changes: SessionChange[] = [];
    if (previousStatus === undefined) changes.push('NEW');
    else if (previousStatus !== session.status) changes.push('STATUS');
    else changes.push('PROGRESS');
    if (isFinished(session) && previousStatus !== session.status) changes.push('FINISHED');
    this.statuses.delete(session.id);
    this.statuses.set(session.id, session.status);
    if (this.statuses.size > this.capacity) {
      const oldest = this.statuses.keys().next().value;
      if (oldest !== undefined) this.statuses.delete(oldest);
    }
    return { usn: session.usn, session, changes, previousStatus };
  }
}

/** The changes of two events of one session, merged (coalescing), in the enum's order. */
export function mergeChanges(a: readonly SessionChange[], b: readonly SessionChange[]): SessionChange[] {
  const all = new Set([...a, ...b]);
  // PROGRESS says "no status change": not true of a merge that contains one.
  if (all.has('STATUS') || all.has('NEW')) all.delete('PROGRESS');
  return (['NEW', 'STATUS', 'PROGRESS', 'FINISHED'] as const).filter((kind) => all.has(kind));
}

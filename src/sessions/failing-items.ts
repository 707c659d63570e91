/**
 * The instances that failed most over a set of sessions: a tally folded one session at a time,
 * keyed by instance id, so memory grows with the distinct instances, not the sessions.
 */
import type { ProtectedItemDto, SessionDto } from '../upstream/dto';
import { readUpstreamTime } from '../upstream/time';
import { PROTECTED_ITEM_STATUS } from './enums';

export interface FailingItemFigures {
  id: string;
  name: string;
  region: string | null;
  failures: number;
  warnings: number;
  /** Start time (UTC ISO-8601) of the newest session in which the instance failed; null when none had one. */
  lastFailureTime: string | null;
}

/** A session's start time, read once (the sentinel and an unreadable value are no time). */
function startOf(session: SessionDto): { iso: string; ms: number } | undefined {
  try {
    const iso = readUpstreamTime(session.executionStartTime);
    return iso === undefined ? undefined : { iso, ms: Date.parse(iso) };
  } catch {
    return undefined; // an unreadable time must not sink a report; the failure still counts
  }
}

export class FailureTally {
  private readonly byItem = new Map<string, FailingItemFigures & { lastFailureMs: number }>();

  add(session: SessionDto, items: readonly ProtectedItemDto[]): void {
    const start = startOf(session);
    for (const item of items) {
      const failed = item.status === PROTECTED_ITEM_STATUS.FAILED;
      if (!failed && item.status !== PROTECTED_ITEM_STATUS.WARNING) continue;
      let entry = this.byItem.get(item.id);
      if (!entry) {
        entry = {
          id: item.id,
          name: item.name,
          region: item.region ?? null,
          failures: 0,
          warnings: 0,
          lastFailureTime: null,
          lastFailureMs: -1,
        };
        this.byItem.set(item.id, entry);
      }
      if (!failed) {
        entry.warnings += 1;
        continue;
      }
      entry.failures += 1;
      if (start && start.ms > entry.lastFailureMs) {
        entry.lastFailureMs = start.ms;
        entry.lastFailureTime = start.iso;
      }
    }
  }

  /** The `first` instances with the most failures, then warnings, then by name. */
  top(first: number): FailingItemFigures[] {
    return [...this.byItem.values()]
      .sort((a, b) => b.failures - a.failures || b.warnings - a.warnings || a.name.localeCompare(b.name))
      .slice(0, first)
      .map(({ lastFailureMs: _ms, ...item }) => item);
  }
}

/**
 * Which sessions a sessions list showed running, remembered per list between requests.
 *
 * A dashboard polls the same list. The items of its finished sessions are kept (the finished-item
 * cache), but the items of its running sessions never are, because they change; so each poll needed a
 * second round trip for them once the list had named them. With this memory, the next request for the
 * same list starts those items with the list (prefetch.ts `prefetchRunningItems`): one round trip.
 *
 * What it may cost the appliance: a session that has dropped off the list since the last answer gets
 * one items call nobody reads; at most MAX_RUNNING_PER_LIST per list and request.
 */
import { LRUCache } from 'lru-cache';
import type { SessionSortColumn } from '../upstream/dto';
import { isFinished, protectsNothing } from '../sessions/rules';
import type { Page, SessionFilterParams } from '../sessions/normalise';
import type { SessionModel } from './models';

/** Lists remembered: every dashboard and saved filter a team polls, with room to spare. */
const MAX_LISTS = 500;
/** Running sessions remembered per list: a page rarely shows more; a bound on the calls it can start. */
export const MAX_RUNNING_PER_LIST = 64;
/**
 * A list not asked for in this long is forgotten: its sessions have likely finished, and their items
 * are then asked after the list, as without the memory.
 */
const FORGET_AFTER_MS = 10 * 60_000;

export class RunningSessionsMemory {
  private readonly lists = new LRUCache<string, readonly string[]>({ max: MAX_LISTS, ttl: FORGET_AFTER_MS });

  /** The ids of the sessions the last answer for this list showed running, whose items are asked. */
  recall(listKey: string): readonly string[] {
    return this.lists.get(listKey) ?? [];
  }

  /** Takes the running sessions of a list's new answer (replacing what it said before). */
  remember(listKey: string, sessions: readonly SessionModel[]): void {
    const running: string[] = [];
    for (const session of sessions) {
      // Only sessions whose items are asked upstream (see Session.protectedItems).
      if (isFinished(session.dto) || protectsNothing(session.dto)) continue;
      running.push(session.id);
      if (running.length === MAX_RUNNING_PER_LIST) break;
    }
    if (running.length > 0) this.lists.set(listKey, running);
    else this.lists.delete(listKey);
  }
}

/** One list: the normalised filter, sort and page the upstream calls are made with. */
export function listKey(filter: SessionFilterParams, sort: readonly SessionSortColumn[], page: Page): string {
  return JSON.stringify([filter, sort, page.offset, page.limit]);
}

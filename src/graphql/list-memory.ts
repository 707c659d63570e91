/**
 * What a sessions list's last answer showed, remembered per list between requests, so that the next
 * request for the same list starts more with the list itself.
 *
 * - **Its running sessions.** A dashboard polls the same list. The items of its finished sessions are
 *   kept (the finished-item cache), but the items of its running sessions never are, because they
 *   change; so each poll needed a second round trip for them once the list had named them. With this
 *   memory, the next request starts those items with the list (prefetch.ts `prefetchRunningItems`).
 * - **How many rows it held.** A page larger than the appliance's page size is read in slices, and how
 *   many slices hold rows is only known from the first one's totalCount: a 500-row report took two
 *   round trips. With this memory, the slices that held rows last time start with the first
 *   (pages.ts `assemblePage`, `expected`).
 *
 * What it may cost the appliance: a session that has dropped off the list since the last answer gets
 * one items call nobody reads (at most MAX_RUNNING_PER_LIST per list and request); a list that has
 * shrunk since gets slice calls nobody reads (at most the page the client asked for, which its cost
 * was checked for).
 */
import { LRUCache } from 'lru-cache';
import type { SessionSortColumn } from '../upstream/dto';
import { isFinished, protectsNothing } from '../sessions/rules';
import type { Page, SessionFilterParams } from '../sessions/normalise';
import type { ExpectedSlices } from '../sessions/pages';
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

export interface RememberedList {
  /** The sessions the last answer showed running, whose items are asked upstream. */
  running: readonly string[];
  /** How many rows the last answer held, and how many each upstream call returned (pages.ts). */
  slices: ExpectedSlices;
}

const NOTHING_REMEMBERED: RememberedList = { running: [], slices: { rows: 0, sliceSize: 0 } };

export class ListMemory {
  private readonly lists = new LRUCache<string, RememberedList>({ max: MAX_LISTS, ttl: FORGET_AFTER_MS });

  recall(listKey: string): RememberedList {
    return this.lists.get(listKey) ?? NOTHING_REMEMBERED;
  }

  /** Takes a list's new answer (replacing what it said before): its sessions, read in slices of `sliceSize`. */
  remember(listKey: string, sessions: readonly SessionModel[], sliceSize: number): void {
    const running: string[] = [];
    for (const session of sessions) {
      // Only sessions whose items are asked upstream (see Session.protectedItems).
      if (isFinished(session.dto) || protectsNothing(session.dto)) continue;
      running.push(session.id);
      if (running.length === MAX_RUNNING_PER_LIST) break;
    }
    const rows = sessions.length;
    // A list read in one call has no slices to start early.
    if (running.length > 0 || rows > sliceSize) this.lists.set(listKey, { running, slices: { rows, sliceSize } });
    else this.lists.delete(listKey);
  }
}

/** One list: the normalised filter, sort and page the upstream calls are made with. */
export function listKey(filter: SessionFilterParams, sort: readonly SessionSortColumn[], page: Page): string {
  return JSON.stringify([filter, sort, page.offset, page.limit]);
}

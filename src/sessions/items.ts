/**
 * Protected items for reports and exports: every item of a session whatever their number, and the
 * fan-out over a page of sessions. A finished session's items are final, so the call says so and the
 * upstream cache may keep them long (reports re-read the same sessions).
 */
import type { ProtectedItemDto, SessionDto } from '../upstream/dto';
import type { ProtectedItemSortColumn } from '../upstream/dto';
import { UpstreamHttpError } from '../upstream/errors';
import type { CallOptions, VeeamClient } from '../upstream/veeam-client';
import { withFields } from '../upstream/with-fields';
import { dedupeById } from './pages';
import { isFinished, itemSliceOrder, protectsNothing } from './rules';

/**
 * Every protected item of a session; a session that protects nothing (404) has none. One call when
 * they fit a page (in the appliance's own order, as before). More than that, and the pages are read
 * again from the start in one total order (itemSliceOrder: an explicit Sort with tie-breakers), so
 * rows cannot move between pages: one more call, only for sessions with more items than a page.
 */
export async function allItems(client: VeeamClient, session: SessionDto, pageSize: number, call: CallOptions): Promise<ProtectedItemDto[]> {
  if (protectsNothing(session)) return [];
  const sessionFinished = isFinished(session);
  const read = (offset: number, sort?: readonly ProtectedItemSortColumn[]) =>
    client.listProtectedItems(session.id, { offset, limit: pageSize, ...(sort ? { sort } : {}) }, withFields(call, { sessionFinished }));
  try {
    const first = await read(0);
    if (first.results.length === 0 || first.results.length >= first.totalCount) return first.results;
    const order = itemSliceOrder([]);
    const items: ProtectedItemDto[] = [];
    // Advance by what came back: an appliance that caps Limit below pageSize loses no rows.
    for (let offset = 0, total = first.totalCount; offset < total;) {
      const page = await read(offset, order);
      items.push(...page.results);
      if (page.results.length === 0) break;
      offset += page.results.length;
      total = page.totalCount;
    }
    return dedupeById(items);
  } catch (error) {
    if (error instanceof UpstreamHttpError && error.status === 404) return [];
    throw error;
  }
}

export interface FanOutOptions {
  client: VeeamClient;
  pageSize: number;
  /** Sessions whose items are read at once: bounds the load one report puts on the appliance. */
  concurrency: number;
  call: CallOptions;
}

/**
 * Hands every session of `sessions` with its items to `visit`, in the sessions' order, reading
 * `concurrency` sessions' items at a time.
 */
export async function forEachSessionItems(
  sessions: readonly SessionDto[],
  options: FanOutOptions,
  visit: (session: SessionDto, items: ProtectedItemDto[]) => void,
  /** Asked before each batch: false stops the fan-out (a preview has its rows), no further call. */
  wanted: () => boolean = () => true,
): Promise<void> {
  for (let i = 0; i < sessions.length && wanted(); i += options.concurrency) {
    const batch = sessions.slice(i, i + options.concurrency);
    const items = await Promise.all(batch.map((session) => allItems(options.client, session, options.pageSize, options.call)));
    batch.forEach((session, j) => visit(session, items[j] ?? []));
  }
}

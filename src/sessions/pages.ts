/**
 * Assembles one GraphQL page from upstream pages. A page up to the upstream page size is one call;
 * a larger one is the first call (which tells totalCount, so no call is made past the end) and then
 * the remaining slices in parallel. If the appliance returns fewer rows than asked while more exist
 * (its Limit maximum is undocumented), the slices shrink to what it returns: nothing is truncated.
 *
 * Slices of one page must all be read in one total order, or rows shift between them (overlap or
 * miss). The first call is made as the client asked (`total: false`), since a page that fits one slice
 * keeps the client's request exactly. When the page turns out to span several slices and the client's
 * order is not total (see AssembleOptions), every slice, the first again, is read with `total: true`
 * (the caller adds its tie-breakers): one more call, only for pages that really span several slices.
 */
import type { Page } from './normalise';

/** One page of a list as both public surfaces return it. */
export interface PageModel<T> {
  totalCount: number;
  offset: number;
  limit: number;
  hasNextPage: boolean;
  items: T[];
}

export interface UpstreamSlice<T> {
  totalCount: number;
  results: T[];
}

/** `total`: the slice is one of several, to be read in the caller's total order (client's keys plus tie-breakers). */
export type FetchSlice<T> = (offset: number, limit: number, total: boolean) => Promise<UpstreamSlice<T>>;

export interface AssembleOptions {
  /**
   * The client's order may leave ties (protected items: no unique sort column, or no sort at all), so
   * a page spanning several slices is read again, all of it, with `total: true`. Without it the
   * client's order is taken to be total already (sessions: USN is always the last key) and the first
   * slice is kept.
   */
  clientOrderNotTotal?: boolean;
}

export async function assemblePage<T extends { id: string }>(
  page: Page,
  upstreamPageSize: number,
  fetchSlice: FetchSlice<T>,
  options: AssembleOptions = {},
): Promise<PageModel<T>> {
  // limit 0 asks only for totalCount; Limit=0's meaning upstream is undocumented, so ask for one row.
  const firstLimit = Math.max(1, Math.min(page.limit, upstreamPageSize));
  const first = await fetchSlice(page.offset, firstLimit, false);
  const totalCount = first.totalCount;
  const end = Math.min(page.offset + page.limit, totalCount);
  let items = first.results.slice(0, page.limit);
  const sliceSize = first.results.length < firstLimit ? first.results.length : firstLimit;
  const next = page.offset + first.results.length;
  if (sliceSize > 0 && next < end) {
    // Several slices: in the client's order when it is total, else all of them again in a total order.
    const reread = options.clientOrderNotTotal === true;
    const slices: Promise<UpstreamSlice<T>>[] = [];
    for (let offset = reread ? page.offset : next; offset < end; offset += sliceSize) {
      slices.push(fetchSlice(offset, Math.min(sliceSize, end - offset), true));
    }
    const rest = await Promise.all(slices);
    items = dedupeById((reread ? [] : items).concat(...rest.map((slice) => slice.results))).slice(0, page.limit);
  }
  return {
    totalCount,
    offset: page.offset,
    limit: page.limit,
    hasNextPage: page.offset + page.limit < totalCount,
    items,
  };
}

/** Rows inserted upstream between two slice calls shift the later slices: drop the repeats. */
export function dedupeById<T extends { id: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => (seen.has(item.id) ? false : (seen.add(item.id), true)));
}

export function emptyPage<T>(page: Page): PageModel<T> {
  return { totalCount: 0, offset: page.offset, limit: page.limit, hasNextPage: false, items: [] };
}

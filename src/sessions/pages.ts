/**
 * Assembles one GraphQL page from upstream pages. A page up to the upstream page size is one call;
 * a larger one is the first call (which tells totalCount, so no call is made past the end) and then
 * the remaining slices in parallel. If the appliance returns fewer rows than asked while more exist
 * (its Limit maximum is undocumented), the slices shrink to what it returns: nothing is truncated.
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

export type FetchSlice<T> = (offset: number, limit: number) => Promise<UpstreamSlice<T>>;

export async function assemblePage<T extends { id: string }>(
  page: Page,
  upstreamPageSize: number,
  fetchSlice: FetchSlice<T>,
): Promise<PageModel<T>> {
  // limit 0 asks only for totalCount; Limit=0's meaning upstream is undocumented, so ask for one row.
  const firstLimit = Math.max(1, Math.min(page.limit, upstreamPageSize));
  const first = await fetchSlice(page.offset, firstLimit);
  const totalCount = first.totalCount;
  const end = Math.min(page.offset + page.limit, totalCount);
  let items = first.results.slice(0, page.limit);
  const sliceSize = first.results.length < firstLimit ? first.results.length : firstLimit;
  const next = page.offset + first.results.length;
  if (sliceSize > 0 && next < end) {
    const slices: Promise<UpstreamSlice<T>>[] = [];
    for (let offset = next; offset < end; offset += sliceSize) {
      slices.push(fetchSlice(offset, Math.min(sliceSize, end - offset)));
    }
    const rest = await Promise.all(slices);
    items = dedupe(items.concat(...rest.map((slice) => slice.results))).slice(0, page.limit);
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
function dedupe<T extends { id: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => (seen.has(item.id) ? false : (seen.add(item.id), true)));
}

export function emptyPage<T>(page: Page): PageModel<T> {
  return { totalCount: 0, offset: page.offset, limit: page.limit, hasNextPage: false, items: [] };
}

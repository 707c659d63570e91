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
  /**
   * What this page's last answer showed (graphql/list-memory.ts): the slices that held rows then
   * start with the first call instead of after it, in one round trip. The first call still decides:
   * an early slice it shows is not needed is dropped, one it shows is missing is asked. Not with
   * `clientOrderNotTotal`, whose slices are only known once the first has answered.
   */
  expected?: ExpectedSlices;
}

export interface ExpectedSlices {
  /** Rows the page held. */
  rows: number;
  /** Rows each upstream call returned (less than asked when the appliance caps Limit). */
  sliceSize: number;
}

/** A page, with the rows each upstream call returned for it (AssembleOptions.expected, next time). */
export interface AssembledPage<T> extends PageModel<T> {
  sliceSize: number;
}

/** A slice started with the first call, before totalCount was known. */
interface EarlySlice<T> {
  offset: number;
  limit: number;
  answer: Promise<UpstreamSlice<T>>;
}

/**
 * The slices after the first that held rows last time, at the offsets the first call's answer will
 * call for (the slice size seen then), each asked as large as the page allows.
 */
function startEarlySlices<T>(page: Page, firstLimit: number, expected: ExpectedSlices, fetchSlice: FetchSlice<T>): EarlySlice<T>[] {
  const sliceSize = Math.min(firstLimit, expected.sliceSize);
  const pageEnd = page.offset + page.limit;
  const expectedEnd = page.offset + Math.min(page.limit, expected.rows);
  const early: EarlySlice<T>[] = [];
  if (sliceSize <= 0) return early;
  for (let offset = page.offset + sliceSize; offset < expectedEnd; offset += sliceSize) {
    const limit = Math.min(sliceSize, pageEnd - offset);
    const answer = fetchSlice(offset, limit, true);
    answer.catch(() => undefined); // one the first call shows is not needed is dropped, failure included
    early.push({ offset, limit, answer });
  }
  return early;
}

/** The early slice at `offset`, when it asked at least `limit` rows: its first `limit` rows. */
function earlySlice<T>(early: readonly EarlySlice<T>[], offset: number, limit: number): Promise<UpstreamSlice<T>> | undefined {
  const found = early.find((slice) => slice.offset === offset && slice.limit >= limit);
  if (!found) return undefined;
  if (found.limit === limit) return found.answer;
  return found.answer.then((slice) => ({ ...slice, results: slice.results.slice(0, limit) }));
}

export async function assemblePage<T extends { id: string }>(
  page: Page,
  upstreamPageSize: number,
  fetchSlice: FetchSlice<T>,
  options: AssembleOptions = {},
): Promise<AssembledPage<T>> {
  // limit 0 asks only for totalCount; Limit=0's meaning upstream is undocumented, so ask for one row.
  const firstLimit = Math.max(1, Math.min(page.limit, upstreamPageSize));
  const firstAnswer = fetchSlice(page.offset, firstLimit, false);
  const early = options.clientOrderNotTotal || !options.expected ? [] : startEarlySlices(page, firstLimit, options.expected, fetchSlice);
  const first = await firstAnswer;
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
      const limit = Math.min(sliceSize, end - offset);
      slices.push(earlySlice(early, offset, limit) ?? fetchSlice(offset, limit, true));
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
    sliceSize,
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

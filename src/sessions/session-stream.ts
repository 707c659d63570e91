/**
 * Every session matching a filter, as a stream of upstream pages: the first page tells how many
 * there are, the rest are fetched ahead in order with bounded concurrency, so memory holds at most
 * `concurrency + 1` pages whatever the range. Stopping the iteration (or aborting the signal) stops
 * the paging: no further page is requested.
 */
import type { SessionDto, SessionsPageDto } from '../upstream/dto';
import type { ListSessionsParams } from '../upstream/query';
import type { CallOptions, VeeamClient } from '../upstream/veeam-client';

export interface PagingOptions {
  pageSize: number;
  /** Pages in flight ahead of the consumer. */
  concurrency: number;
  call: CallOptions;
}

export async function* sessionPages(
  client: VeeamClient,
  params: Omit<ListSessionsParams, 'offset' | 'limit'>,
  options: PagingOptions,
): AsyncGenerator<SessionDto[], void, undefined> {
  const first = await client.listSessions({ ...params, offset: 0, limit: options.pageSize }, options.call);
  yield first.results;
  const offsets: number[] = [];
  for (let offset = options.pageSize; offset < first.totalCount; offset += options.pageSize) offsets.push(offset);
  const ahead: Array<Promise<SessionsPageDto>> = [];
  let next = 0;
  const fetchNext = (): void => {
    const offset = offsets[next++];
    if (offset === undefined) return;
    const page = client.listSessions({ ...params, offset, limit: options.pageSize }, options.call);
    page.catch(() => undefined); // awaited below in order; this only keeps an abandoned page from going unhandled
    ahead.push(page);
  };
  while (ahead.length < options.concurrency && next < offsets.length) fetchNext();
  while (ahead.length > 0) {
    const page = await (ahead.shift() as Promise<SessionsPageDto>);
    fetchNext();
    yield page.results;
  }
}

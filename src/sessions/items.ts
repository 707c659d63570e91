/**
 * Protected items for reports and exports: every item of a session whatever their number, and the
 * fan-out over a page of sessions. A finished session's items are final, so the call says so and the
 * upstream cache may keep them long (reports re-read the same sessions).
 */
import type { ProtectedItemDto, SessionDto } from '../upstream/dto';
import { UpstreamHttpError } from '../upstream/errors';
import type { CallOptions, VeeamClient } from '../upstream/veeam-client';
import { isFinished, protectsNothing } from './rules';

/** Every protected item of a session, page by page; a session that protects nothing (404) has none. */
export async function allItems(client: VeeamClient, session: SessionDto, pageSize: number, call: CallOptions): Promise<ProtectedItemDto[]> {
  if (protectsNothing(session)) return [];
  const sessionFinished = isFinished(session);
  const items: ProtectedItemDto[] = [];
  try {
    for (let offset = 0; ; offset += pageSize) {
      const page = await client.listProtectedItems(session.id, { offset, limit: pageSize }, { ...call, sessionFinished });
      items.push(...page.results);
      if (page.results.length === 0 || offset + page.results.length >= page.totalCount) return items;
    }
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
): Promise<void> {
  for (let i = 0; i < sessions.length; i += options.concurrency) {
    const batch = sessions.slice(i, i + options.concurrency);
    const items = await Promise.all(batch.map((session) => allItems(options.client, session, options.pageSize, options.call)));
    batch.forEach((session, j) => visit(session, items[j] ?? []));
  }
}

/**
 * All protected items of one session, whatever their number. A finished session's items are final,
 * so the call says so and the upstream cache may keep them long (reports re-read the same sessions).
 */
import type { ProtectedItemDto, SessionDto } from '../upstream/dto';
import { UpstreamHttpError } from '../upstream/errors';
import type { CallOptions, VeeamClient } from '../upstream/veeam-client';

/** Every protected item of a session, page by page; a non-backup session (404) has none. */
export async function allItems(client: VeeamClient, session: SessionDto, pageSize: number, call: CallOptions): Promise<ProtectedItemDto[]> {
  if (session._embedded != null && session._embedded.backupJobInfo == null) return [];
  const finished = session.status !== 'Running' && session.executionStopTime != null;
  const items: ProtectedItemDto[] = [];
  try {
    for (let offset = 0; ; offset += pageSize) {
      const page = await client.listProtectedItems(session.id, { offset, limit: pageSize }, { ...call, sessionFinished: finished });
      items.push(...page.results);
      if (page.results.length === 0 || offset + page.results.length >= page.totalCount) return items;
    }
  } catch (error) {
    if (error instanceof UpstreamHttpError && error.status === 404) return [];
    throw error;
  }
}


/**
 * Per-request DataLoaders. The appliance has no batch endpoint, so a "batch" is a fan-out: one
 * upstream call per distinct key, de-duplicated across aliases and fragments, sent in parallel over
 * the keep-alive pool (whose connection count bounds the concurrency toward the appliance).
 */
import DataLoader from 'dataloader';
import type { LogItemDto, ProtectedItemDto, SessionDto } from '../upstream/dto';
import { UpstreamHttpError } from '../upstream/errors';
import type { VeeamClient } from '../upstream/veeam-client';
import type { GatewayLimits } from './context';
import { toGraphQLError } from './errors';
import type { ProtectedItemsArgs } from './inputs';
import type { ProtectedItemPageModel } from './models';
import { assemblePage, emptyPage } from './paging';

export interface ProtectedItemsKey extends ProtectedItemsArgs {
  sessionId: string;
}

export interface Loaders {
  /** null when the appliance has no such session. */
  sessionById: DataLoader<string, SessionDto | null>;
  protectedItems: DataLoader<ProtectedItemsKey, ProtectedItemPageModel, string>;
  sessionLog: DataLoader<string, LogItemDto[]>;
}

const isNotFound = (error: unknown): boolean => error instanceof UpstreamHttpError && error.status === 404;

/** Runs `load` for every key in parallel; a failure stays with its key (partial results survive). */
function fanOut<K, V>(load: (key: K) => Promise<V>): DataLoader.BatchLoadFn<K, V> {
  return (keys) =>
    Promise.all(keys.map((key) => load(key).catch((error: unknown) => toGraphQLError(error))));
}

export function protectedItemsCacheKey(key: ProtectedItemsKey): string {
  return JSON.stringify([key.sessionId, key.search ?? null, key.sort, key.page.offset, key.page.limit]);
}

export function createLoaders(client: VeeamClient, limits: GatewayLimits, signal: AbortSignal): Loaders {
  return {
    sessionById: new DataLoader<string, SessionDto | null>(
      fanOut((id) => client.getSession(id, { signal }).catch((error: unknown) => {
        if (isNotFound(error)) return null;
        throw error;
      })),
    ),
    protectedItems: new DataLoader<ProtectedItemsKey, ProtectedItemPageModel, string>(
      fanOut((key) =>
        assemblePage<ProtectedItemDto>(key.page, limits.upstreamPageSize, (offset, limit) =>
          client.listProtectedItems(key.sessionId, { offset, limit, searchPattern: key.search, sort: key.sort }, { signal }),
        ).catch((error: unknown) => {
          // The appliance answers 404 for sessions that protect nothing (non-backup sessions).
          if (isNotFound(error)) return emptyPage<ProtectedItemDto>(key.page);
          throw error;
        }),
      ),
      { cacheKeyFn: protectedItemsCacheKey },
    ),
    sessionLog: new DataLoader<string, LogItemDto[]>(
      fanOut(async (id) => (await client.getSessionLog(id, { signal })).log ?? []),
    ),
  };
}

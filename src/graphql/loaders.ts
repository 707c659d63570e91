/**
 * Per-request DataLoaders. The appliance has no batch endpoint, so a "batch" is a fan-out: one
 * upstream call per distinct key, de-duplicated across aliases and fragments, sent in parallel over
 * the keep-alive pool (whose connection count bounds the concurrency toward the appliance).
 */
import DataLoader from 'dataloader';
import type { LogItemDto, ProtectedItemDto } from '../upstream/dto';
import { UpstreamHttpError } from '../upstream/errors';
import type { ListSessionsParams } from '../upstream/query';
import type { CallOptions, VeeamClient } from '../upstream/veeam-client';
import { withFields } from '../upstream/with-fields';
import type { GatewayLimits } from '../sessions/limits';
import { toGraphQLError } from './errors';
import type { ProtectedItemsArgs } from '../sessions/normalise';
import type { SessionModel, UpstreamItemsPage } from './models';
import { sessionModel } from './session-model';
import { assemblePage, emptyPage } from '../sessions/pages';
import { itemSliceOrder, PROBE_ORDER } from '../sessions/rules';

export interface ProtectedItemsKey extends ProtectedItemsArgs {
  sessionId: string;
  /**
   * Decides how long the answer may be kept. Part of the key only when finished and running
   * sessions' items are kept differently: then an answer asked while a session ran (started with its
   * list, list-memory.ts) never serves a read of it finished, which must be asked again to be
   * kept. When both are kept alike, `session(id:)`'s look-ahead (which cannot know yet) shares it.
   */
  sessionFinished: boolean;
}

export interface Loaders {
  /** null when the appliance has no such session. Models, so that `sessions` primes it with the ones it built. */
  sessionById: DataLoader<string, SessionModel | null>;
  protectedItems: DataLoader<ProtectedItemsKey, UpstreamItemsPage, string>;
  sessionLog: DataLoader<string, LogItemDto[]>;
  /** How many sessions match a filter: the appliance's totalCount for a one-row page. */
  sessionCount: DataLoader<CountKey, number, string>;
}

export type CountKey = Omit<ListSessionsParams, 'offset' | 'limit' | 'sort'>;

/** Told of every batch a loader dispatches (metrics). */
export interface LoaderTelemetry {
  observeBatch(loader: keyof Loaders, size: number): void;
  /** Runs one batch (in a span of its own when tracing is on). */
  runBatch?<T>(loader: keyof Loaders, size: number, batch: () => Promise<T>): Promise<T>;
}

const isNotFound = (error: unknown): boolean => error instanceof UpstreamHttpError && error.status === 404;

/** Runs `load` for every key in parallel; a failure stays with its key (partial results survive). */
function fanOut<K, V>(
  name: keyof Loaders,
  telemetry: LoaderTelemetry | undefined,
  load: (key: K) => Promise<V>,
): DataLoader.BatchLoadFn<K, V> {
  return (keys) => {
    telemetry?.observeBatch(name, keys.length);
    const batch = () => Promise.all(keys.map((key) => load(key).catch((error: unknown) => toGraphQLError(error))));
    return telemetry?.runBatch ? telemetry.runBatch(name, keys.length, batch) : batch();
  };
}

export function protectedItemsCacheKey(key: ProtectedItemsKey, keptApart: boolean): string {
  const keeping = keptApart ? key.sessionFinished : null;
  return JSON.stringify([key.sessionId, key.search ?? null, key.sort, key.page.offset, key.page.limit, keeping]);
}

/**
 * Batches go out at the next microtask rather than DataLoader's next tick: every key is a call of its
 * own anyway, so waiting gathers nothing, and the keys a sessions list starts (prefetch.ts) then
 * leave before execution walks the page, not after it. Same schedule for every loader, so that calls
 * leave in the order they were asked for (a session before its log and items).
 */
const DISPATCH_AT_NEXT_MICROTASK = { batchScheduleFn: queueMicrotask } as const;

export interface LoaderOptions {
  telemetry?: LoaderTelemetry | undefined;
  /** Finished and running sessions' items are kept for different times (see ProtectedItemsKey). */
  itemsKeptApart: boolean;
}

export function createLoaders(client: VeeamClient, limits: GatewayLimits, call: CallOptions, options: LoaderOptions): Loaders {
  const { telemetry, itemsKeptApart } = options;
  return {
    sessionById: new DataLoader<string, SessionModel | null>(
      fanOut('sessionById', telemetry, (id) =>
        client.getSession(id, call).then(sessionModel, (error: unknown) => {
          if (isNotFound(error)) return null;
          throw error;
        }),
      ),
      DISPATCH_AT_NEXT_MICROTASK,
    ),
    protectedItems: new DataLoader<ProtectedItemsKey, UpstreamItemsPage, string>(
      fanOut('protectedItems', telemetry, (key) => {
        // A page spanning several slices reads them all in one total order (rules.ts itemSliceOrder);
        // one that fits a slice is asked exactly as the client asked.
        const totalOrder = itemSliceOrder(key.sort);
        return assemblePage<ProtectedItemDto>(
          key.page,
          limits.upstreamPageSize,
          (offset, limit, total) =>
            client.listProtectedItems(
              key.sessionId,
              { offset, limit, searchPattern: key.search, sort: total ? totalOrder : key.sort },
              withFields(call, { sessionFinished: key.sessionFinished }),
            ),
          { clientOrderNotTotal: totalOrder.length !== key.sort.length },
        ).catch((error: unknown) => {
          // The appliance answers 404 for sessions that protect nothing (non-backup sessions).
          if (isNotFound(error)) return emptyPage<ProtectedItemDto>(key.page);
          throw error;
        });
      }),
      { cacheKeyFn: (key) => protectedItemsCacheKey(key, itemsKeptApart), ...DISPATCH_AT_NEXT_MICROTASK },
    ),
    sessionCount: new DataLoader<CountKey, number, string>(
      fanOut(
        'sessionCount',
        telemetry,
        async (params) => (await client.listSessions({ ...params, offset: 0, limit: 1, sort: PROBE_ORDER }, call)).totalCount,
      ),
      { cacheKeyFn: (params) => JSON.stringify(params), ...DISPATCH_AT_NEXT_MICROTASK },
    ),
    sessionLog: new DataLoader<string, LogItemDto[]>(
      fanOut('sessionLog', telemetry, async (id) => (await client.getSessionLog(id, call)).log ?? []),
      DISPATCH_AT_NEXT_MICROTASK,
    ),
  };
}

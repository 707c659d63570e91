/**
 * Upstream GET sharing and caching. The gateway has one upstream identity and clients are
 * authorised before any resolver runs, so sharing answers between GraphQL requests is safe.
 *
 * - In flight: identical GETs running at the same time are one upstream call (ten dashboards polling
 *   the same page cost one call; apollographql/datasource-rest#74). The shared call is aborted only
 *   when every caller waiting on it has gone.
 * - Stored: answers whose policy has a TTL are kept in an LRU bounded by entries and bytes.
 */
import { LRUCache } from 'lru-cache';
import { UpstreamAbortedError } from './errors';

export interface ResponseCacheOptions {
  /** Most entries kept. */
  maxEntries: number;
  /** Most bytes kept (JSON size of the answers). */
  maxBytes: number;
  /** Prefix of every key: the appliance and API revision, so answers never cross them. */
  namespace: string;
}

export type CacheResult = 'hit' | 'miss' | 'shared';

export interface CacheObserver {
  (cache: string, result: CacheResult): void;
}

interface Stored {
  value: unknown;
}

interface InFlight {
  promise: Promise<unknown>;
  controller: AbortController;
  waiting: number;
}

export class ResponseCache {
  private readonly lru: LRUCache<string, Stored>;
  private readonly inflight = new Map<string, InFlight>();
  private readonly namespace: string;
  private readonly observers: CacheObserver[] = [];

  constructor(options: ResponseCacheOptions) {
    this.namespace = options.namespace;
    this.lru = new LRUCache<string, Stored>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
    });
  }

  observe(observer: CacheObserver): void {
    this.observers.push(observer);
  }

  /**
   * The answer for `key`: from the store when fresh, else by joining an identical call in flight,
   * else by `fetch`. `ttlMs` > 0 stores the answer for that long; 0 only shares it while in flight.
   * `fetch` receives a signal that aborts when every caller has gone.
   */
  async get<T>(
    cacheName: string,
    key: string,
    ttlMs: number,
    fetch: (signal: AbortSignal) => Promise<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    const fullKey = `${this.namespace}|${key}`;
    if (ttlMs > 0) {
      const stored = this.lru.get(fullKey);
      if (stored) {
        this.notify(cacheName, 'hit');
        return stored.value as T;
      }
    }
    let entry = this.inflight.get(fullKey);
    this.notify(cacheName, entry ? 'shared' : 'miss');
    if (!entry) {
      const controller = new AbortController();
      const created: InFlight = { controller, waiting: 0, promise: Promise.resolve() };
      created.promise = fetch(controller.signal)
        .then((value) => {
          if (ttlMs > 0) this.store(fullKey, value, ttlMs);
          return value;
        })
        .finally(() => {
          if (this.inflight.get(fullKey) === created) this.inflight.delete(fullKey);
        });
      // Joiners attach their own handlers; this one only keeps a lone failure from going unhandled.
      created.promise.catch(() => undefined);
      this.inflight.set(fullKey, created);
      entry = created;
    }
    return this.wait(entry, signal, cacheName) as Promise<T>;
  }

  /** Drops every stored answer (tests, operators). */
  clear(): void {
    this.lru.clear();
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.lru.size, bytes: this.lru.calculatedSize };
  }

  private store(key: string, value: unknown, ttlMs: number): void {
    // JSON length approximates the heap the answer holds; computed once, when stored.
    this.lru.set(key, { value }, { ttl: ttlMs, size: key.length + JSON.stringify(value).length });
  }

  /**
   * Awaits the shared call, leaving early if this caller's signal aborts. The shared call itself is
   * aborted only when no caller is left waiting on it (a caller without a signal never leaves).
   */
  private wait(entry: InFlight, signal: AbortSignal | undefined, cacheName: string): Promise<unknown> {
    if (signal?.aborted) return Promise.reject(new UpstreamAbortedError(cacheName, signal.reason));
    entry.waiting += 1;
    return new Promise((resolve, reject) => {
      let settled = false;
      const leave = (): boolean => {
        if (settled) return false;
        settled = true;
        entry.waiting -= 1;
        signal?.removeEventListener('abort', onAbort);
        return true;
      };
      const onAbort = (): void => {
        if (!leave()) return;
        if (entry.waiting === 0) entry.controller.abort(signal?.reason);
        reject(new UpstreamAbortedError(cacheName, signal?.reason));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      entry.promise.then(
        (value) => leave() && resolve(value),
        (error: unknown) => leave() && reject(error),
      );
    });
  }

  private notify(cache: string, result: CacheResult): void {
    for (const observer of this.observers) observer(cache, result);
  }
}

/**
 * Sharing and keeping of upstream reads. The gateway has one upstream identity and clients are
 * authorised before any resolver runs, so sharing answers between GraphQL requests is safe.
 *
 * - In flight: identical GETs running at the same time are one upstream call (ten dashboards polling
 *   the same page cost one call; apollographql/datasource-rest#74). The shared call is aborted only
 *   when every caller waiting on it has gone. A caller joins only a call that keeps its answer at
 *   least as long as it would keep it; otherwise it makes its own (which later callers then join).
 * - Stored: 2xx answers whose call names a TTL are kept in an LRU bounded by entries and bytes, and
 *   404s of calls that say a 404 lasts (`cacheNotFound`: a session's items when it has none). A kept
 *   answer serves only calls that would keep it no longer than it was kept for, and is never replaced
 *   by one kept for less.
 *
 * Not undici's `interceptors.cache` + `interceptors.dedupe`: the appliance sends no Cache-Control,
 * the TTL is the gateway's per-call policy (a finished session's items live long), and a shared
 * call must outlive any one caller's abort, which dedupe does not do.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { LRUCache } from 'lru-cache';
import type { Dispatcher } from 'undici';
import { onAbort } from '../abort-listeners';
import { UpstreamAbortedError } from '../errors';
import { contextOf, type Interceptor, type UpstreamCallContext, type UpstreamDispatchOptions } from '../transport';
import { detachedController, replay, type HeldResponse } from './handler';

export interface ResponseCacheOptions {
  /** Most answers kept. @default 5000 (CACHE_MAX_ENTRIES) */
  maxEntries: number;
  /** Most bytes kept (body sizes). @default 64 MiB (CACHE_MAX_BYTES): a small share of the heap. */
  maxBytes: number;
  /** Prefix of every key, read per call: the appliance and API revision in use, so answers never cross them. */
  namespace: () => string;
}

export type CacheResult = 'hit' | 'miss' | 'shared';
export type CacheObserver = (cache: string, result: CacheResult) => void;

interface InFlight {
  /** How long its answer will be kept (0: not kept). */
  ttlMs: number;
  waiting: Set<Dispatcher.DispatchHandler>;
  controller: Dispatcher.DispatchController | undefined;
  abort: SharedAbort;
}

/**
 * The shared call's own abort, its AbortController made only when something asks for its signal or
 * aborts it: the interceptors below read the signal only on a failure, a queue wait or a retry, so
 * most calls end without one (an AbortController and its signal cost ~4 µs each, 43 per dashboard).
 */
class SharedAbort {
  private controller: AbortController | undefined;

  get signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal;
  }

  get aborted(): boolean {
    return this.controller?.signal.aborted ?? false;
  }

  abort(reason: unknown): void {
    (this.controller ??= new AbortController()).abort(reason);
  }
}

/**
 * The shared call's context: the first caller's, with the shared abort's signal in its place. The
 * getter lives on a class, not on an object literal (`{ ...caller, get signal() {...} }`): a
 * literal's getter is a new closure per call, held by an accessor pair that V8 makes in the old
 * generation, and that dead pair kept the closure's scope (the call's handlers, its body, the
 * caller's request) alive through every scavenge until the next full collection. Measured with the
 * upstream calls of a cold dashboard alone: ~0.65 MB of such survivors each time, copied twice and
 * then mark-compacted (test/e2e/retention.test.ts).
 */
class SharedCallSignal {
  constructor(private readonly sharedAbort: SharedAbort) {}

  get signal(): AbortSignal {
    return this.sharedAbort.signal;
  }
}

function sharedCallContext(caller: UpstreamCallContext, abort: SharedAbort): UpstreamCallContext {
  const { signal: _callerSignal, ...fields } = caller;
  return Object.assign(new SharedCallSignal(abort), fields);
}

/**
 * The calls in flight, by key: a null-prototype object, not a Map. Every call adds and removes an
 * entry, and a Map's backing table is reallocated as it grows and shrinks; the tables it leaves in
 * the old generation still point at the entries, whose whole handler chain (and the caller's
 * request) then survives every scavenge until the next full collection. Measured on a dashboard's 46
 * item calls: with a Map, 3x the full collections and ~2.5 ms more CPU per dashboard.
 */
class InFlightCalls {
  private readonly byKey: Record<string, InFlight | undefined> = Object.create(null) as Record<string, InFlight | undefined>;

  get(key: string): InFlight | undefined {
    return this.byKey[key];
  }

  set(key: string, entry: InFlight): void {
    this.byKey[key] = entry;
  }

  delete(key: string): void {
    delete this.byKey[key];
  }
}

/** A kept answer, with how long its call said it may be kept. */
interface KeptResponse extends HeldResponse {
  ttlMs: number;
}

/** The store behind the interceptor: what the gateway and tests may clear and measure. */
export class ResponseCache {
  readonly lru: LRUCache<string, KeptResponse>;
  readonly inflight = new InFlightCalls();
  private readonly observers: CacheObserver[] = [];

  constructor(readonly options: ResponseCacheOptions) {
    this.lru = new LRUCache<string, KeptResponse>({ max: options.maxEntries, maxSize: options.maxBytes });
  }

  observe(observer: CacheObserver): void {
    this.observers.push(observer);
  }

  notify(cache: string, result: CacheResult): void {
    for (const observer of this.observers) observer(cache, result);
  }

  /** The key of `path`: the appliance and API revision in use now, then the path and query. */
  keyOf(path: string): string {
    return `${this.options.namespace()}|${path}`;
  }

  /**
   * The answer kept for `path`, when the call may be served one: its TTL is above 0, and the answer
   * was kept by a call with a TTL at least as long (a session's items kept while it ran never serve a
   * read of it finished, which is asked again and kept). A hit is told to the observers. Read before
   * the call is dispatched at all (chain.ts), and by the interceptor.
   */
  lookup(path: string, ttlMs: number | undefined, endpoint: string): HeldResponse | undefined {
    if (ttlMs === undefined || ttlMs <= 0) return undefined;
    const stored = this.lru.get(this.keyOf(path));
    if (stored === undefined || stored.ttlMs < ttlMs) return undefined;
    this.notify(endpoint, 'hit');
    return stored;
  }

  /** Keeps an answer, unless one kept for longer is still there (a call that started earlier ends later). */
  keep(key: string, response: HeldResponse, ttlMs: number): void {
    const current = this.lru.peek(key);
    if (current !== undefined && current.ttlMs > ttlMs) return;
    this.lru.set(key, { ...response, ttlMs }, { ttl: ttlMs, size: key.length + response.body.length + 1 });
  }

  /** Drops every stored answer (tests, operators). */
  clear(): void {
    this.lru.clear();
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.lru.size, bytes: this.lru.calculatedSize };
  }
}

export function shareAndCache(cache: ResponseCache): Interceptor {
  return (dispatch) => (options, handler) => {
    const context = contextOf(options);
    if (options.method !== 'GET' || context.cacheTtlMs === undefined) return dispatch(options, handler);
    const ttlMs = context.cacheTtlMs;
    const key = cache.keyOf(options.path);
    const stored = cache.lookup(options.path, ttlMs, context.endpoint);
    if (stored) {
      replay(handler, stored);
      return true;
    }
    if (context.signal?.aborted) {
      handler.onResponseError?.(detachedController(), new UpstreamAbortedError(context.endpoint, context.signal.reason));
      return true;
    }
    // Joins only a call that keeps its answer at least as long: a shorter-lived one may have been asked
    // before the caller knew the answer could be kept (a session's items while it was still running).
    const running = cache.inflight.get(key);
    const joined = running && running.ttlMs >= ttlMs ? running : undefined;
    cache.notify(context.endpoint, joined ? 'shared' : 'miss');
    if (joined) {
      wait(joined, handler, context.signal, context.endpoint);
      return true;
    }
    const { entry, send } = start(dispatch, options as UpstreamDispatchOptions, cache, key, ttlMs);
    wait(entry, handler, context.signal, context.endpoint);
    send();
    return true;
  };
}

/** One upstream call for every caller of `key`; its outcome is played to each. */
function start(
  dispatch: Dispatcher['dispatch'],
  options: UpstreamDispatchOptions,
  cache: ResponseCache,
  key: string,
  ttlMs: number,
): { entry: InFlight; send: () => void } {
  const abort = new SharedAbort();
  const entry: InFlight = { ttlMs, waiting: new Set(), controller: undefined, abort };
  cache.inflight.set(key, entry);
  let status = 0;
  let headers: IncomingHttpHeaders = {};
  let chunks: Buffer[] = [];
  const finish = (): Set<Dispatcher.DispatchHandler> => {
    if (cache.inflight.get(key) === entry) cache.inflight.delete(key);
    const waiting = new Set(entry.waiting);
    entry.waiting.clear();
    return waiting;
  };
  const shared: Dispatcher.DispatchHandler = {
    onRequestStart(controller) {
      entry.controller = controller;
      if (abort.aborted) controller.abort(new UpstreamAbortedError(options.upstream.endpoint, abort.signal.reason));
    },
    onResponseStart(_controller, statusCode, responseHeaders) {
      status = statusCode;
      headers = responseHeaders;
      chunks = [];
    },
    onResponseData(_controller, chunk) {
      chunks.push(chunk);
    },
    onResponseEnd() {
      const kept = ttlMs > 0 && ((status >= 200 && status < 300) || (status === 404 && options.upstream.cacheNotFound === true));
      // A body that came in one chunk is handed on as it is unless it is kept: a kept one is copied
      // to a buffer of its own size rather than hold on to the socket read it is a view of.
      const body = !kept && chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks);
      const response: HeldResponse = { status, headers, body };
      if (kept) {
        // Kept under the namespace the answer was fetched in: the first call after start-up learns
        // the API revision on its way (its key said 'auto'), and later calls look it up by revision.
        cache.keep(cache.keyOf(options.path), response, ttlMs);
      }
      for (const waiter of finish()) replay(waiter, response);
    },
    onResponseError(_controller, error) {
      for (const waiter of finish()) waiter.onResponseError?.(detachedController(), error);
    },
  };
  // The shared call answers to its own signal: aborted only when every caller has left.
  const send = (): void => {
    try {
      const upstream = sharedCallContext(options.upstream, abort);
      const sharedOptions: UpstreamDispatchOptions = { ...options, upstream };
      dispatch(sharedOptions, shared);
    } catch (error) {
      shared.onResponseError?.(detachedController(), error instanceof Error ? error : new Error(String(error)));
    }
  };
  return { entry, send };
}

/** Waits for the shared call; a caller whose signal fires leaves alone unless it was the last. */
function wait(entry: InFlight, handler: Dispatcher.DispatchHandler, signal: AbortSignal | undefined, endpoint: string): void {
  const leave = (): void => {
    if (!entry.waiting.delete(waiter)) return;
    handler.onResponseError?.(detachedController(), new UpstreamAbortedError(endpoint, signal?.reason));
    if (entry.waiting.size === 0) {
      entry.abort.abort(signal?.reason);
      entry.controller?.abort(new UpstreamAbortedError(endpoint, signal?.reason));
    }
  };
  // Detaches the caller's abort listener once the shared outcome reaches it.
  const settle =
    <A extends unknown[]>(forward: ((...args: A) => void) | undefined) =>
    (...args: A): void => {
      stopListening?.();
      forward?.(...args);
    };
  const waiter: Dispatcher.DispatchHandler = {
    onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
    onResponseStart: (controller, statusCode, headers, message) => handler.onResponseStart?.(controller, statusCode, headers, message),
    onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
    onResponseEnd: settle((controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders) =>
      handler.onResponseEnd?.(controller, trailers),
    ),
    onResponseError: settle((controller: Dispatcher.DispatchController, error: Error) => handler.onResponseError?.(controller, error)),
  };
  const stopListening = signal ? onAbort(signal, leave) : undefined;
  entry.waiting.add(waiter);
}

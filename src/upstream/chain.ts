/**
 * The upstream call, composed once. A call travels this list top to bottom; undici's `compose`
 * takes interceptors innermost first, hence the reverse() below.
 *
 *   shareAndCache     identical GETs in flight are one call; answers kept per the call's TTL
 *   retryReads        undici's interceptors.retry with the gateway's decision (GETs, jitter, deadline)
 *   tokenSession      bearer token + API revision; one retry on 401 or on a refused revision
 *   circuitBreaker    fail fast while the appliance is failing
 *   fairConcurrency   bounded calls in flight, bounded queue served round robin per client
 *   observeCalls      logs and metrics of every call on the wire
 *   Pool              keep-alive sockets to the appliance (undici)
 */
import { Pool, type Dispatcher } from 'undici';
import { UpstreamAbortedError } from './errors';
import { ResponseCache, shareAndCache, type ResponseCacheOptions } from './interceptors/cache';
import { CircuitBreaker, circuitBreaker, type BreakerOptions } from './interceptors/circuit-breaker';
import { FairQueue, fairConcurrency } from './interceptors/concurrency';
import { observeCalls, type UpstreamCallObserver } from './interceptors/observe';
import { retryReads, type RetryOptions } from './interceptors/retry';
import { tokenSession } from './interceptors/token';
import type { TokenManager } from './token-manager';
import { readJson, requestJson, type Dispatch, type Interceptor, type UpstreamCallContext } from './transport';
import { withFields } from './with-fields';

export interface TransportOptions {
  /** e.g. `https://backup.example.com:11005/api/v1`; the path part prefixes every call. */
  baseUrl: string;
  /** Upper bound on sockets to the appliance, and so on calls in flight. */
  connections: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** PEM bundle to trust (appliances ship self-signed certificates). */
  ca?: string | undefined;
  /** Skip certificate verification: only when the operator says so explicitly. */
  tlsInsecure?: boolean;
  /** Calls waiting for a connection beyond which new ones are refused. */
  maxQueue: number;
  breaker: BreakerOptions;
  retry: RetryOptions;
  cache: Omit<ResponseCacheOptions, 'namespace'>;
  onRetry?: (endpoint: string) => void;
}

export interface UpstreamRequest {
  /** Path below the base URL's path, e.g. `/sessions/abc/log`. */
  path: string;
  /** Already-encoded query string, without `?`. */
  query?: string | undefined;
  context: UpstreamCallContext;
}

export class UpstreamTransport {
  readonly origin: string;
  readonly basePath: string;
  readonly breaker: CircuitBreaker;
  readonly queue: FairQueue;
  readonly cache: ResponseCache;
  private readonly pool: Pool;
  private readonly observers: UpstreamCallObserver[] = [];
  private readonly dispatch: Dispatch;

  constructor(options: TransportOptions, tokens: TokenManager) {
    const url = new URL(options.baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.breaker = new CircuitBreaker(options.breaker);
    this.queue = new FairQueue({ maxConcurrent: options.connections, maxQueue: options.maxQueue });
    this.cache = new ResponseCache({ ...options.cache, namespace: () => `${this.origin}|${tokens.revision ?? 'auto'}` });
    this.pool = new Pool(this.origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: options.keepAliveTimeoutMs,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs,
      connect: {
        timeout: options.connectTimeoutMs,
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
        ...(options.tlsInsecure ? { rejectUnauthorized: false } : {}),
      },
    });
    const travelOrder: Interceptor[] = [
      shareAndCache(this.cache),
      retryReads(options.retry, options.onRetry),
      tokenSession(tokens),
      circuitBreaker(this.breaker),
      fairConcurrency(this.queue),
      observeCalls(this.observers),
    ];
    const composed: Dispatcher = this.pool.compose(travelOrder.reverse());
    this.dispatch = composed.dispatch.bind(composed);
  }

  observe(observer: UpstreamCallObserver): void {
    this.observers.push(observer);
  }

  /** A GET through the whole chain: 2xx resolves with the JSON body, anything else rejects typed. */
  async get<T>(request: UpstreamRequest): Promise<T | undefined> {
    const path = `${this.basePath}${request.path}${request.query ? `?${request.query}` : ''}`;
    // A kept answer is read here, not dispatched: the chain would only replay it (cache.ts is its
    // outermost interceptor), at the cost of a handler per interceptor; a warm dashboard has 45.
    const { signal, endpoint } = request.context;
    if (signal?.aborted) throw new UpstreamAbortedError(endpoint, signal.reason); // as requestJson would
    const kept = this.cache.lookup(path, request.context.cacheTtlMs, endpoint);
    if (kept) return readJson<T>(kept, request.context).body;
    const { body } = await requestJson<T>(this.dispatch, {
      method: 'GET',
      path,
      headers: { accept: 'application/json' },
      upstream: withFields(request.context, { authorised: true }),
    });
    return body;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

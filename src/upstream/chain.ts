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
import { TLSSocket } from 'node:tls';
import { buildConnector, Client, Pool, type Dispatcher } from 'undici';
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
  /** Upper bound on calls in flight, and on sockets to the appliance. */
  connections: number;
  /** Offer HTTP/2 by ALPN; an appliance that picks it gets the calls as streams of one connection. */
  http2: boolean;
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
    this.pool = appliancePool(this.origin, options);
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

/** What the pool needs of the transport's options. */
export type PoolOptions = Pick<
  TransportOptions,
  'connections' | 'http2' | 'connectTimeoutMs' | 'headersTimeoutMs' | 'bodyTimeoutMs' | 'keepAliveTimeoutMs' | 'ca' | 'tlsInsecure'
>;

/**
 * Streams per HTTP/2 connection: the lowest common front-end default (Kestrel and IIS 100, nginx 128).
 * undici does not wait for the limit an appliance advertises: a call past it would queue inside the
 * connection with its headers timeout running. Past this many, the pool opens another connection.
 */
export const H2_STREAMS_PER_CONNECTION = 100;

/**
 * Keep-alive connections to the appliance. HTTP/1.1 carries one call per socket at a time, never
 * pipelined (undici holds a GET's successor only until the GET's headers arrive; after that it would
 * queue behind a body still arriving). HTTP/2 is offered by ALPN when `http2` is set; undici
 * multiplexes an h2 connection only as far as `pipelining` allows, one setting per client for both
 * protocols, so it is set from each new socket's protocol before the client sees it: h2 takes up to
 * H2_STREAMS_PER_CONNECTION calls as streams of one connection (the fair queue still bounds calls in
 * flight), an HTTP/1.1 fallback one call at a time. undici counts a connection still being opened
 * as busy, so calls made before one is up each open their own: the login's call opens the first, and
 * after an appliance's GOAWAY the calls waiting then may open several (README, VEEAM_HTTP2).
 */
export function appliancePool(origin: string, options: PoolOptions): Pool {
  const connect = buildConnector({
    timeout: options.connectTimeoutMs,
    allowH2: options.http2,
    ...(options.ca !== undefined ? { ca: options.ca } : {}),
    ...(options.tlsInsecure ? { rejectUnauthorized: false } : {}),
  });
  const h2Streams = Math.min(options.connections, H2_STREAMS_PER_CONNECTION);
  return new Pool(origin, {
    connections: options.connections,
    factory: (url, clientOptions) => {
      const client: Client = new Client(url, {
        ...clientOptions,
        pipelining: 1,
        keepAliveTimeout: options.keepAliveTimeoutMs,
        headersTimeout: options.headersTimeoutMs,
        bodyTimeout: options.bodyTimeoutMs,
        connect: (connectOptions, callback) =>
          connect(connectOptions, (...result) => {
            const [, socket] = result;
            if (socket) client.pipelining = socket instanceof TLSSocket && socket.alpnProtocol === 'h2' ? h2Streams : 1;
            callback(...result);
          }),
      });
      return client;
    },
  });
}

/**
 * The upstream layer's front door: builds the token lifecycle, the composed upstream call
 * (chain.ts) and the typed client for one appliance from its options.
 */
import type { Logger } from 'pino';
import { UpstreamTransport } from './chain';
import type { CacheObserver, ResponseCache } from './interceptors/cache';
import type { CircuitBreaker } from './interceptors/circuit-breaker';
import type { FairQueue } from './interceptors/concurrency';
import type { UpstreamCallObserver } from './interceptors/observe';
import type { UpstreamConfig } from './options';
import { TokenManager, type TokenManagerOptions } from './token-manager';
import { VeeamClient } from './veeam-client';

export interface Upstream {
  /** The composed call: its breaker, fair queue and cache are readable for health and metrics. */
  http: UpstreamTransport;
  tokens: TokenManager;
  client: VeeamClient;
  cache: ResponseCache;
  breaker: CircuitBreaker;
  queue: FairQueue;
  /** The API revision in use: pinned, or negotiated at the first login (undefined until then). */
  readonly revision: string | undefined;
  /** Logs out upstream, then closes the connection pool. */
  close(): Promise<void>;
}

/** Observers for telemetry; the upstream layer does not know who listens. */
export interface UpstreamHooks {
  calls?: UpstreamCallObserver;
  onGrant?: TokenManagerOptions['onGrant'];
  cache?: CacheObserver;
  onRetry?: (endpoint: string) => void;
  /** The revision a login settled on (pinned or negotiated). */
  onRevision?: (revision: string) => void;
}

/** What the upstream layer takes from its host besides config and observers. */
export interface UpstreamEnvironment {
  /**
   * The clock token expiry and the circuit breaker's open period are judged by. Tests move it
   * instead of sleeping. @default Date.now
   */
  now?: () => number;
}

export function createUpstream(
  config: UpstreamConfig,
  logger: Logger,
  hooks: UpstreamHooks = {},
  environment: UpstreamEnvironment = {},
): Upstream {
  const now = environment.now ?? Date.now;
  if (config.tlsInsecure) {
    logger.warn('VEEAM_TLS_INSECURE=true: the appliance certificate is NOT verified; prefer VEEAM_CA_FILE with its certificate');
  }
  const tokens = new TokenManager({ username: config.username, password: config.password }, logger, {
    apiVersion: config.apiVersion,
    basePath: new URL(config.baseUrl).pathname.replace(/\/+$/, ''),
    onGrant: hooks.onGrant,
    onRevision: hooks.onRevision,
    now,
  });
  const http = new UpstreamTransport(
    {
      baseUrl: config.baseUrl,
      connections: config.maxConnections,
      http2: config.http2 === 'auto',
      connectTimeoutMs: config.connectTimeoutMs,
      headersTimeoutMs: config.headersTimeoutMs,
      bodyTimeoutMs: config.bodyTimeoutMs,
      keepAliveTimeoutMs: config.keepAliveTimeoutMs,
      ca: config.ca,
      tlsInsecure: config.tlsInsecure,
      maxQueue: config.maxQueue,
      breaker: { ...config.breaker, now },
      retry: config.retry,
      cache: { maxEntries: config.cache.maxEntries, maxBytes: config.cache.maxBytes },
      onRetry: hooks.onRetry,
    },
    tokens,
  );
  http.observe({
    end(call) {
      // One line per upstream failure; an abort is the client's doing, not the appliance's.
      if (call.error && call.error.code !== 'VEEAM_ERR_ABORTED') {
        logger.warn(
          { endpoint: call.endpoint, status: call.status, durationMs: Math.round(call.durationMs), code: call.error.code },
          call.error.message,
        );
      }
    },
  });
  if (hooks.calls) http.observe(hooks.calls);
  if (hooks.cache) http.cache.observe(hooks.cache);
  const client = new VeeamClient(http, tokens, config.cache);
  return {
    http,
    tokens,
    client,
    cache: http.cache,
    breaker: http.breaker,
    queue: http.queue,
    // eslint-disable-next-line no-restricted-syntax -- made once per start, not per call
    get revision() {
      return tokens.revision;
    },
    async close() {
      await tokens.logout();
      await http.close();
    },
  };
}

export * from './errors';
export type { ListSessionsParams, ListProtectedItemsParams } from './query';
export { VeeamClient, type CallOptions, type CallStats } from './veeam-client';
export { TokenManager, describe } from './token-manager';
export { UpstreamTransport } from './chain';
export type { UpstreamCallObserver, UpstreamCallInfo } from './interceptors/observe';
export type { BreakerState } from './interceptors/circuit-breaker';
export { KNOWN_REVISIONS, NEGOTIATE } from './revisions';
export type { UpstreamConfig, UpstreamTuning } from './options';

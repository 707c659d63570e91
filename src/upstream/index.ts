/**
 * The upstream layer's front door: builds the transport, token lifecycle and typed client for one
 * appliance from the validated configuration.
 */
import type { Logger } from 'pino';
import type { UpstreamConfig } from './options';
import { UpstreamHttp, type UpstreamCallObserver } from './http-client';
import { ResponseCache, type CacheObserver } from './response-cache';
import { TokenManager, type TokenManagerOptions } from './token-manager';
import { VeeamClient } from './veeam-client';

export interface Upstream {
  http: UpstreamHttp;
  tokens: TokenManager;
  client: VeeamClient;
  cache: ResponseCache;
  /** Logs out upstream, then closes the connection pool. */
  close(): Promise<void>;
}

/** Observers for telemetry; the upstream layer does not know who listens. */
export interface UpstreamHooks {
  calls?: UpstreamCallObserver;
  onGrant?: TokenManagerOptions['onGrant'];
  cache?: CacheObserver;
  onRetry?: (endpoint: string) => void;
}

export function createUpstream(config: UpstreamConfig, logger: Logger, hooks: UpstreamHooks = {}): Upstream {
  if (config.tlsInsecure) {
    logger.warn(
      'VEEAM_TLS_INSECURE=true: the appliance certificate is NOT verified; prefer VEEAM_CA_FILE with its certificate',
    );
  }
  const http = new UpstreamHttp({
    baseUrl: config.baseUrl,
    apiVersion: config.apiVersion,
    connections: config.maxConnections,
    connectTimeoutMs: config.connectTimeoutMs,
    headersTimeoutMs: config.headersTimeoutMs,
    bodyTimeoutMs: config.bodyTimeoutMs,
    keepAliveTimeoutMs: config.keepAliveTimeoutMs,
    ca: config.ca,
    tlsInsecure: config.tlsInsecure,
    maxQueue: config.maxQueue,
    breaker: config.breaker,
  });
  http.observe({
    end(call) {
      // One line per upstream failure; an abort is the client's doing, not the appliance's.
      if (call.error && call.error.code !== 'UPSTREAM_ABORTED') {
        logger.warn(
          { endpoint: call.endpoint, status: call.status, durationMs: Math.round(call.durationMs), code: call.error.code },
          call.error.message,
        );
      }
    },
  });
  if (hooks.calls) http.observe(hooks.calls);
  const tokens = new TokenManager(http, { username: config.username, password: config.password }, logger, {
    onGrant: hooks.onGrant,
  });
  const cache = new ResponseCache({
    maxEntries: config.cache.maxEntries,
    maxBytes: config.cache.maxBytes,
    namespace: `${config.baseUrl}|${config.apiVersion}`,
  });
  if (hooks.cache) cache.observe(hooks.cache);
  const client = new VeeamClient(http, tokens, cache, config.cache, config.retry, hooks.onRetry);
  return {
    http,
    tokens,
    client,
    cache,
    async close() {
      await tokens.logout();
      await http.close();
    },
  };
}

export * from './errors';
export type { ListSessionsParams, ListProtectedItemsParams } from './query';
export { VeeamClient } from './veeam-client';
export { TokenManager } from './token-manager';
export { UpstreamHttp, type UpstreamCallObserver, type UpstreamCallInfo } from './http-client';
export type { UpstreamConfig, UpstreamTuning } from './options';

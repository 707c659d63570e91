/**
 * The upstream layer's front door: builds the transport, token lifecycle and typed client for one
 * appliance from the validated configuration.
 */
import type { Logger } from 'pino';
import type { UpstreamConfig } from '../server/config';
import { UpstreamHttp } from './http-client';
import { TokenManager } from './token-manager';
import { VeeamClient } from './veeam-client';

export interface Upstream {
  http: UpstreamHttp;
  tokens: TokenManager;
  client: VeeamClient;
  /** Logs out upstream, then closes the connection pool. */
  close(): Promise<void>;
}

export function createUpstream(config: UpstreamConfig, logger: Logger): Upstream {
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
  });
  http.onCall((call) => {
    if (call.error && call.error.code !== 'UPSTREAM_ABORTED') {
      logger.warn(
        { endpoint: call.endpoint, status: call.status, durationMs: Math.round(call.durationMs), code: call.error.code },
        call.error.message,
      );
    }
  });
  const tokens = new TokenManager(http, { username: config.username, password: config.password }, logger);
  const client = new VeeamClient(http, tokens);
  return {
    http,
    tokens,
    client,
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
export { UpstreamHttp } from './http-client';

/**
 * The gateway: a short composition of its features (upstream, telemetry, GraphQL, exports, health,
 * playground) behind one HTTP server, with an explicit lifecycle (lifecycle.ts). Each feature is
 * built in its own module; this file only decides what is on and in which order routes are tried.
 */
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { GatewayServices } from '../graphql/context';
import { useQueryLimits } from '../graphql/plugins/query-limits';
import type { GatewayLimits } from '../sessions/limits';
import { GatewayMetrics } from '../telemetry/metrics';
import { createUpstream, type Upstream } from '../upstream/index';
import type { UpstreamConfig } from '../upstream/options';
import { createApolloServer } from './apollo';
import { AUTH_NONE_WARNING, createAuthenticator } from './auth/index';
import { createClientGate } from './client-gate';
import { createReadinessCheck } from './health';
import { Lifecycle } from './lifecycle';
import { useRequestLog } from './plugins/request-log';
import { RateLimiter } from './rate-limit';
import type { Route } from './route';
import { exportRoute } from './routes/exports';
import { GRAPHQL_PATH, graphqlRoute } from './routes/graphql';
import { healthRoute } from './routes/health';
import { metricsRoute } from './routes/metrics';
import { PLAYGROUND_ASSETS_PATH, playgroundRoute } from './routes/playground';
import { createHttpServer, listen } from './server';
import type { HttpSettings } from './settings';

export { GRAPHQL_PATH, PLAYGROUND_ASSETS_PATH };

export interface GatewayOptions {
  config: HttpSettings;
  upstream: UpstreamConfig;
  logger: Logger;
}

export interface Gateway {
  /** e.g. http://127.0.0.1:4000 */
  readonly url: string;
  readonly server: Server;
  readonly upstream: Upstream;
  readonly metrics: GatewayMetrics;
  readonly lifecycle: Lifecycle;
  /** Stops accepting, drains in-flight requests, logs out upstream, closes the pool. */
  close(): Promise<void>;
}

function servicesFor(options: GatewayOptions, upstream: Upstream, metrics: GatewayMetrics): GatewayServices {
  const { config, upstream: appliance } = options;
  const limits: GatewayLimits = {
    maxPageLimit: config.maxPageLimit,
    upstreamPageSize: appliance.pageSize,
    maxQueryCost: config.queryLimits.maxCost,
  };
  return {
    client: upstream.client,
    limits,
    cacheHints: { finishedItemsSeconds: appliance.cache.finishedItemsTtlMs / 1000, liveSeconds: appliance.cache.liveTtlMs / 1000 },
    telemetry: { observeBatch: (loader, size) => metrics.loaderBatchSize.observe({ loader }, size) },
  };
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, logger } = options;
  const lifecycle = new Lifecycle();
  const metrics = new GatewayMetrics();
  const upstream = createUpstream(options.upstream, logger.child({ component: 'upstream' }), metrics.upstreamHooks());
  metrics.watchBreaker(upstream.http.breaker);
  const services = servicesFor(options, upstream, metrics);

  if (config.auth.mode === 'none') logger.warn(AUTH_NONE_WARNING);
  const gate = createClientGate({
    authenticator: createAuthenticator(config.auth),
    limiter: new RateLimiter(config.rateLimit),
    corsOrigins: config.corsOrigins,
    logger: logger.child({ component: 'auth' }),
  });

  // The server exists before Apollo so that Apollo's drain plugin can close it on stop.
  const routes: Route[] = [];
  const server = createHttpServer(routes, logger);
  const apollo = createApolloServer({
    httpServer: server,
    logger,
    production: config.production,
    introspection: config.introspection,
    maxTokens: config.queryLimits.maxTokens,
    plugins: [
      useQueryLimits({ ...config.queryLimits, upstreamPageSize: options.upstream.pageSize, gatewayLimits: services.limits }),
      useRequestLog(logger.child({ component: 'graphql' }), metrics),
    ],
  });
  try {
    await apollo.start();
    routes.push(
      ...(config.playground ? [playgroundRoute()] : []),
      healthRoute(createReadinessCheck(upstream.client, upstream.http.breaker, logger)),
      metricsRoute(metrics),
      graphqlRoute({ apollo, services, gate, maxBodyBytes: config.maxBodyBytes, requestTimeoutMs: config.requestTimeoutMs }),
      exportRoute({ gate, client: upstream.client, pageSize: options.upstream.pageSize, concurrency: config.exportConcurrency, logger }),
    );
    const url = await listen(server, config.port, config.host);
    lifecycle.ready();
    let closing: Promise<void> | undefined;
    return {
      url,
      server,
      upstream,
      metrics,
      lifecycle,
      close() {
        closing ??= (async () => {
          lifecycle.drain();
          await apollo.stop(); // drains in-flight requests and closes the HTTP server
          await upstream.close();
          lifecycle.stopped();
        })();
        return closing;
      },
    };
  } catch (error) {
    lifecycle.failed(error);
    await apollo.stop().catch(() => undefined);
    await upstream.close().catch(() => undefined);
    throw error;
  }
}

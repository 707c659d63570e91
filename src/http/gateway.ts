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
import { GatewayMetrics, type MetricsOptions } from '../telemetry/metrics';
import { traceBatch, useGraphQLSpans, withSpanEvents } from '../telemetry/spans';
import { createUpstream, type Upstream } from '../upstream/index';
import type { UpstreamConfig } from '../upstream/options';
import { Live, LIVE_DEFAULTS, type LiveSettings, type PollTrigger } from '../live/index';
import { createApolloServer, formatError } from './apollo';
import { AUTH_NONE_WARNING, createAuthenticator } from './auth/index';
import { createClientGate, type ClientGateOptions } from './client-gate';
import { heapAdmission } from './heap-admission';
import { InFlightLimit } from './in-flight';
import { createReadinessCheck } from './health';
import { Lifecycle } from './lifecycle';
import { DEFAULT_TABS } from './playground/tabs';
import { operationNamesOf, RequestLog } from './plugins/request-log';
import { RateLimiter } from './rate-limit';
import type { Route } from './route';
import { exportRoute } from './routes/exports';
import { GRAPHQL_PATH, graphqlRoute } from './routes/graphql';
import { healthRoute } from './routes/health';
import { metricsRoute } from './routes/metrics';
import { PLAYGROUND_ASSETS_PATH, playgroundRoute } from './routes/playground';
import { streamRoute } from './routes/stream';
import { createHttpServer, listen } from './server';
import type { HostileLoadSettings, HttpSettings } from './settings';
import { attachWebSocket } from './websocket';

export { GRAPHQL_PATH, PLAYGROUND_ASSETS_PATH };

export interface GatewayOptions {
  /** `live`: the LIVE_* settings (config.ts); defaults when absent. */
  config: HttpSettings & { live?: LiveSettings };
  upstream: UpstreamConfig;
  logger: Logger;
  telemetry?: GatewayTelemetry;
  /** When the live poller runs; default every LIVE_POLL_MS. Tests pass a ManualTrigger. */
  liveTrigger?: PollTrigger;
  /**
   * The clock of the readiness cache, the circuit breaker's open period and token expiry.
   * Tests move it instead of sleeping. @default Date.now
   */
  clock?: () => number;
}

export interface GatewayTelemetry {
  /** Known label values and build info; the playground's operations are always known. */
  metrics?: MetricsOptions;
  /** Spans of the gateway's own (requests, GraphQL phases, batches): only when the SDK is loaded. */
  tracing?: boolean;
}

export interface Gateway {
  /** e.g. http://127.0.0.1:4000 */
  readonly url: string;
  readonly server: Server;
  readonly upstream: Upstream;
  readonly metrics: GatewayMetrics;
  readonly lifecycle: Lifecycle;
  /** Live session updates (subscriptions): the one poller, its window and subscribers. */
  readonly live: Live;
  /** Stops accepting, drains in-flight requests, logs out upstream, closes the pool. */
  close(): Promise<void>;
}

function servicesFor(options: GatewayOptions, upstream: Upstream, metrics: GatewayMetrics, tracing: boolean): GatewayServices {
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
    telemetry: {
      observeBatch: (loader, size) => metrics.loaderBatchSize.observe({ loader }, size),
      ...(tracing ? { runBatch: traceBatch } : {}),
    },
  };
}

/** Fair shares and survival under hostile load (issue 12): per-client caps, heap admission, proxies. */
function hostileLoadGuards(settings: HostileLoadSettings): Pick<ClientGateOptions, 'inFlight' | 'heap' | 'trustProxyHops'> {
  return {
    inFlight: { graphql: new InFlightLimit(settings.maxClientRequests), export: new InFlightLimit(settings.maxClientExports) },
    heap: heapAdmission(settings.maxHeapUsedPercent),
    trustProxyHops: settings.trustProxyHops,
  };
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, logger } = options;
  const lifecycle = new Lifecycle();
  const tracing = options.telemetry?.tracing ?? false;
  const knownMetrics = options.telemetry?.metrics;
  const metrics = new GatewayMetrics({
    ...knownMetrics,
    operationNames: [...(knownMetrics?.operationNames ?? []), ...operationNamesOf(DEFAULT_TABS.map((tab) => tab.query))],
  });
  const hooks = tracing ? withSpanEvents(metrics.upstreamHooks()) : metrics.upstreamHooks();
  const clock = options.clock ?? Date.now;
  const upstream = createUpstream(options.upstream, logger.child({ component: 'upstream' }), hooks, { now: clock });
  metrics.watchBreaker(upstream.http.breaker);
  const services = servicesFor(options, upstream, metrics, tracing);
  const requestLog = new RequestLog(logger.child({ component: 'http' }), metrics);

  if (config.auth.mode === 'none') logger.warn(AUTH_NONE_WARNING);
  const authenticator = createAuthenticator(config.auth);
  const limiter = new RateLimiter(config.rateLimit);
  const gate = createClientGate({
    authenticator,
    limiter,
    corsOrigins: config.corsOrigins,
    logger: logger.child({ component: 'auth' }),
    ...hostileLoadGuards(config.hostileLoad),
  });

  // The server exists before Apollo so that Apollo's drain plugin can close it on stop.
  const routes: Route[] = [];
  const server = createHttpServer(routes, logger, config.hostileLoad);
  const formatLiveError = formatError(config.production, logger.child({ component: 'live' }));
  const live = new Live({
    services,
    settings: config.live ?? LIVE_DEFAULTS,
    limits: { ...config.queryLimits, gateway: services.limits },
    requestTimeoutMs: config.requestTimeoutMs,
    logger: logger.child({ component: 'live' }),
    formatError: (error) => formatLiveError(error.toJSON(), error),
    ...(options.liveTrigger ? { trigger: options.liveTrigger } : {}),
  });
  const liveSockets = attachWebSocket(server, {
    live,
    authenticator,
    limiter,
    maxPayloadBytes: config.maxBodyBytes,
    logger: logger.child({ component: 'live' }),
  });
  const apollo = createApolloServer({
    httpServer: server,
    logger,
    production: config.production,
    introspection: config.introspection,
    maxTokens: config.queryLimits.maxTokens,
    trustedDocuments: config.trustedDocuments,
    plugins: [
      useQueryLimits({ ...config.queryLimits, upstreamPageSize: options.upstream.pageSize, gatewayLimits: services.limits }),
      requestLog.plugin(),
      live.schemaPlugin(),
      ...(tracing ? [useGraphQLSpans()] : []),
    ],
  });
  try {
    await apollo.start();
    routes.push(
      ...(config.playground ? [playgroundRoute()] : []),
      healthRoute(createReadinessCheck(upstream.client, upstream.http.breaker, logger, { now: clock })),
      metricsRoute(metrics),
      streamRoute({ live, gate, maxBodyBytes: config.maxBodyBytes }),
      graphqlRoute({ apollo, services, gate, maxBodyBytes: config.maxBodyBytes, requestTimeoutMs: config.requestTimeoutMs, requestLog }),
      exportRoute({
        gate,
        client: upstream.client,
        pageSize: options.upstream.pageSize,
        concurrency: config.exportConcurrency,
        logger,
        requestLog,
        timeoutMs: config.hostileLoad.exportTimeoutMs,
      }),
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
      live,
      close() {
        closing ??= (async () => {
          lifecycle.drain();
          // Streams never finish on their own: end them first, or the HTTP drain waits for them.
          live.close();
          await liveSockets.close();
          await apollo.stop(); // drains in-flight requests and closes the HTTP server
          await upstream.close();
          lifecycle.stopped();
        })();
        return closing;
      },
    };
  } catch (error) {
    lifecycle.failed(error);
    live.close();
    await liveSockets.close().catch(() => undefined);
    await apollo.stop().catch(() => undefined);
    await upstream.close().catch(() => undefined);
    throw error;
  }
}

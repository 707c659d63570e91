/**
 * The gateway: a short composition of its features (upstream, telemetry, GraphQL, exports, health,
 * playground) behind one HTTP server, with an explicit lifecycle (lifecycle.ts). Each feature is
 * built in its own module; this file only decides what is on and in which order routes are tried.
 */
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { GatewayServices } from '../graphql/context';
import { ListMemory } from '../graphql/list-memory';
import { useQueryLimits } from '../graphql/plugins/query-limits';
import type { GatewayLimits } from '../sessions/limits';
import { GatewayMetrics, type MetricsOptions } from '../telemetry/metrics';
import { traceBatch, useGraphQLSpans, withSpanEvents } from '../telemetry/spans';
import { createUpstream, type Upstream } from '../upstream/index';
import type { UpstreamConfig } from '../upstream/options';
import { Live, LIVE_DEFAULTS, type LiveSettings, type PollTrigger } from '../live/index';
import { createApolloServer, formatError, loadTrustedDocumentsSetting, type LoadedTrustedDocuments } from './apollo';
import { AUTH_NONE_WARNING, createAuthenticator } from './auth/index';
import { AUTH_FAILURE_LIMIT, createClientGate, type ClientGateOptions } from './client-gate';
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
import { attachWebSocket, type WebSocketOptions } from './websocket';

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
  /** The WebSocket transport's waits (connection_init, close grace); tests shorten them. */
  webSocketWaits?: Pick<WebSocketOptions, 'closeGraceMs' | 'connectionInitWaitMs'>;
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
    lists: new ListMemory(),
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

/** Metrics, traces and the request log: what every other feature reports to. */
function observabilityFor(options: GatewayOptions, trusted: LoadedTrustedDocuments | undefined) {
  const tracing = options.telemetry?.tracing ?? false;
  const known = options.telemetry?.metrics;
  // Operations are labelled by name only when the name is known: configured, the playground's, or a trusted document's.
  const metrics = new GatewayMetrics({
    ...known,
    operationNames: [
      ...(known?.operationNames ?? []),
      ...operationNamesOf(DEFAULT_TABS.map((tab) => tab.query)),
      ...(trusted?.documents.operationNames ?? []),
    ],
  });
  const upstreamHooks = tracing ? withSpanEvents(metrics.upstreamHooks()) : metrics.upstreamHooks();
  const requestLog = new RequestLog(options.logger.child({ component: 'http' }), metrics);
  return { tracing, metrics, upstreamHooks, requestLog };
}

type Observability = ReturnType<typeof observabilityFor>;

/** Who may ask and how much: authentication, the rate limit, and the per-client shares. */
function doorFor(options: GatewayOptions) {
  const { config, logger } = options;
  if (config.auth.mode === 'none') logger.warn(AUTH_NONE_WARNING);
  const authenticator = createAuthenticator(config.auth);
  const limiter = new RateLimiter(config.rateLimit);
  // One budget of failed authentications per address, whichever door (HTTP or WebSocket) is tried.
  const authFailures = new RateLimiter(AUTH_FAILURE_LIMIT);
  const gate = createClientGate({
    authenticator,
    limiter,
    authFailures,
    corsOrigins: config.corsOrigins,
    logger: logger.child({ component: 'auth' }),
    ...hostileLoadGuards(config.hostileLoad),
  });
  return { authenticator, limiter, authFailures, gate };
}

type Door = ReturnType<typeof doorFor>;

/** Live session updates: the one poller, and its WebSocket transport on the server's upgrades. */
function liveFor(
  options: GatewayOptions,
  services: GatewayServices,
  door: Door,
  server: Server,
  trusted: LoadedTrustedDocuments | undefined,
) {
  const { config, logger } = options;
  const formatLiveError = formatError(config.production, logger.child({ component: 'live' }));
  const live = new Live({
    services,
    settings: config.live ?? LIVE_DEFAULTS,
    limits: { ...config.queryLimits, gateway: services.limits },
    requestTimeoutMs: config.requestTimeoutMs,
    logger: logger.child({ component: 'live' }),
    formatError: (error) => formatLiveError(error.toJSON(), error),
    ...(options.liveTrigger ? { trigger: options.liveTrigger } : {}),
    trustedDocuments: trusted,
  });
  const sockets = attachWebSocket(server, {
    live,
    authenticator: door.authenticator,
    limiter: door.limiter,
    authFailures: door.authFailures,
    maxPayloadBytes: config.maxBodyBytes,
    trustProxyHops: config.hostileLoad.trustProxyHops,
    logger: logger.child({ component: 'live' }),
    ...options.webSocketWaits,
  });
  return { live, sockets };
}

function apolloFor(
  options: GatewayOptions,
  server: Server,
  services: GatewayServices,
  observability: Observability,
  live: Live,
  trusted: LoadedTrustedDocuments | undefined,
) {
  const { config, logger } = options;
  return createApolloServer({
    httpServer: server,
    logger,
    production: config.production,
    introspection: config.introspection,
    maxTokens: config.queryLimits.maxTokens,
    trustedDocuments: trusted,
    plugins: [
      useQueryLimits({ ...config.queryLimits, upstreamPageSize: options.upstream.pageSize, gatewayLimits: services.limits }),
      observability.requestLog.plugin(),
      live.schemaPlugin(),
      ...(observability.tracing ? [useGraphQLSpans()] : []),
    ],
  });
}

interface RouteParts {
  upstream: Upstream;
  services: GatewayServices;
  observability: Observability;
  door: Door;
  live: Live;
  apollo: ReturnType<typeof createApolloServer>;
  clock: () => number;
}

/** The routes in the order they are tried: the cheap, unauthenticated ones first. */
function routesFor(options: GatewayOptions, parts: RouteParts): Route[] {
  const { config, logger } = options;
  const { gate } = parts.door;
  const { requestLog } = parts.observability;
  return [
    ...(config.playground ? [playgroundRoute()] : []),
    healthRoute(createReadinessCheck(parts.upstream.client, parts.upstream.http.breaker, logger, { now: parts.clock })),
    metricsRoute(parts.observability.metrics),
    streamRoute({ live: parts.live, gate, maxBodyBytes: config.maxBodyBytes }),
    graphqlRoute({
      apollo: parts.apollo,
      services: parts.services,
      gate,
      maxBodyBytes: config.maxBodyBytes,
      requestTimeoutMs: config.requestTimeoutMs,
      requestLog,
    }),
    exportRoute({
      gate,
      client: parts.upstream.client,
      pageSize: options.upstream.pageSize,
      concurrency: config.exportConcurrency,
      logger,
      requestLog,
      timeoutMs: config.hostileLoad.exportTimeoutMs,
    }),
  ];
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const lifecycle = new Lifecycle();
  const clock = options.clock ?? Date.now;
  const trusted = loadTrustedDocumentsSetting(options.config.trustedDocuments);
  const observability = observabilityFor(options, trusted);
  const upstream = createUpstream(options.upstream, options.logger.child({ component: 'upstream' }), observability.upstreamHooks, {
    now: clock,
  });
  observability.metrics.watchBreaker(upstream.http.breaker);
  const services = servicesFor(options, upstream, observability.metrics, observability.tracing);
  const door = doorFor(options);
  // The server exists before Apollo so that Apollo's drain plugin can close it on stop.
  const routes: Route[] = [];
  const server = createHttpServer(routes, options.logger, { ...options.config.hostileLoad, maxBodyBytes: options.config.maxBodyBytes });
  const { live, sockets } = liveFor(options, services, door, server, trusted);
  const apollo = apolloFor(options, server, services, observability, live, trusted);
  const stopFeatures = async (): Promise<void> => {
    // Streams never finish on their own: end them first, or the HTTP drain waits for them.
    live.close();
    try {
      await sockets.close();
      await apollo.stop(); // drains in-flight requests and closes the HTTP server
    } finally {
      await upstream.close(); // logs out upstream and closes the pool, whatever failed before
    }
  };
  try {
    await apollo.start();
    routes.push(...routesFor(options, { upstream, services, observability, door, live, apollo, clock }));
    const url = await listen(server, options.config.port, options.config.host);
    lifecycle.ready();
    let closing: Promise<void> | undefined;
    return {
      url,
      server,
      upstream,
      metrics: observability.metrics,
      lifecycle,
      live,
      close() {
        closing ??= (async () => {
          lifecycle.drain();
          await stopFeatures();
          lifecycle.stopped();
        })();
        return closing;
      },
    };
  } catch (error) {
    lifecycle.failed(error);
    await stopFeatures().catch(() => undefined);
    throw error;
  }
}

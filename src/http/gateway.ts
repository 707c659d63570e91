/**
 * The gateway's HTTP server: routes /graphql to Apollo (GET and POST), the health endpoints, and the
 * offline playground; owns the lifecycle (start, graceful stop, upstream logout).
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { Logger } from 'pino';
import { createContext, type GatewayContext } from '../graphql/context';
import { createUpstream, type Upstream } from '../upstream/index';
import { createApolloServer } from './apollo';
import { HttpError, readJsonBody } from './body';
import type { UpstreamConfig } from '../upstream/options';
import type { HttpSettings } from './settings';
import { AUTH_NONE_WARNING, createAuthenticator } from './auth/index';
import { createClientGate } from './client-gate';
import { createReadinessCheck } from './health';
import { sendError, sendJson } from '../errors/respond';
import { EXPORT_PATHS, serveExport, type ExportPath } from '../exports/serve';
import { RateLimiter } from './rate-limit';
import { GatewayMetrics } from '../telemetry/metrics';
import { createPlayground, DEFAULT_TABS } from './playground/index';
import { useQueryLimits } from '../graphql/plugins/query-limits';
import { useRequestLog } from './plugins/request-log';

export const GRAPHQL_PATH = '/graphql';
export const PLAYGROUND_ASSETS_PATH = '/playground';

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
  /** Stops accepting, drains in-flight requests, logs out upstream, closes the pool. */
  close(): Promise<void>;
}

function toHeaderMap(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/** A client's x-request-id is kept when it is a sane token; otherwise the gateway makes one. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** An AbortSignal that fires when the client goes away before its response is complete. */
function clientGoneSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new Error('client disconnected'));
  });
  return controller.signal;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, logger } = options;
  const metrics = new GatewayMetrics();
  const upstream = createUpstream(options.upstream, logger.child({ component: 'upstream' }), metrics.upstreamHooks());
  metrics.watchBreaker(upstream.http.breaker);
  const services = {
    client: upstream.client,
    limits: {
      maxPageLimit: config.maxPageLimit,
      upstreamPageSize: options.upstream.pageSize,
      maxQueryCost: config.queryLimits.maxCost,
    },
    cacheHints: {
      finishedItemsSeconds: options.upstream.cache.finishedItemsTtlMs / 1000,
      liveSeconds: options.upstream.cache.liveTtlMs / 1000,
    },
    telemetry: { observeBatch: (loader: string, size: number) => metrics.loaderBatchSize.observe({ loader }, size) },
  };
  // Built only when served: it reads and gzips ~4 MB of assets at start-up.
  const playground = config.playground && createPlayground({
    graphqlPath: GRAPHQL_PATH,
    assetsPath: PLAYGROUND_ASSETS_PATH,
    title: 'Veeam Backup for AWS · GraphQL',
    tabs: DEFAULT_TABS,
  });
  const readiness = createReadinessCheck(upstream.client, upstream.http.breaker, logger);
  const server = createServer();
  // Keep-alive sockets outliving the upstream's ones is harmless; long idle ones are not.
  server.keepAliveTimeout = 5_000;
  if (config.auth.mode === 'none') logger.warn(AUTH_NONE_WARNING);
  const gate = createClientGate({
    authenticator: createAuthenticator(config.auth),
    limiter: new RateLimiter(config.rateLimit),
    corsOrigins: config.corsOrigins,
    logger: logger.child({ component: 'auth' }),
  });
  const apollo = createApolloServer({
    httpServer: server,
    logger,
    production: config.production,
    introspection: config.introspection,
    maxTokens: config.queryLimits.maxTokens,
    plugins: [
      useQueryLimits({ ...config.queryLimits, upstreamPageSize: options.upstream.pageSize, gatewayLimits: services.limits }),useRequestLog(logger.child({ component: 'graphql' }), metrics)],
  });
  await apollo.start();

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'unhandled error while serving a request');
      if (!res.headersSent) sendError(res, 'INTERNAL_SERVER_ERROR', 'Unexpected error.');
      else res.destroy();
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    if (playground && playground.handle(req, res)) return;
    if (url.pathname === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      return sendJson(res, 200, { status: 'ok' });
    }
    if (url.pathname === '/readyz' && (req.method === 'GET' || req.method === 'HEAD')) {
      const result = await readiness();
      return sendJson(res, result.ready ? 200 : 503, result);
    }
    if (url.pathname === '/metrics' && req.method === 'GET') {
      const text = await metrics.registry.metrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
      res.end(text);
      return;
    }
    if (url.pathname === GRAPHQL_PATH) return serveGraphQL(apollo, req, res, url.search);
    if ((EXPORT_PATHS as readonly string[]).includes(url.pathname) && (req.method === 'GET' || req.method === 'OPTIONS')) {
      const client = await gate.admit(req, res);
      if (!client) return;
      return serveExport(url.pathname as ExportPath, req, res, url.searchParams, {
        client: upstream.client,
        pageSize: options.upstream.pageSize,
        concurrency: config.exportConcurrency,
        logger: logger.child({ component: 'export', client: client.id }),
      });
    }
    sendError(res, 'NOT_FOUND', `No route for ${req.method ?? 'GET'} ${url.pathname}`);
  }

  async function serveGraphQL(
    apolloServer: ApolloServer<GatewayContext>,
    req: IncomingMessage,
    res: ServerResponse,
    search: string,
  ): Promise<void> {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const client = await gate.admit(req, res);
    if (!client) return;
    let body: unknown;
    try {
      body = await readJsonBody(req, config.maxBodyBytes);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      return sendError(res, error.code, error.message);
    }
    const deadline = Date.now() + config.requestTimeoutMs;
    const signal = AbortSignal.any([clientGoneSignal(res), AbortSignal.timeout(config.requestTimeoutMs)]);
    // Every upstream call of the request listens on this signal: a dashboard legitimately has 50+.
    setMaxListeners(0, signal);
    const response = await apolloServer.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers: toHeaderMap(req), search, body },
      context: async () => createContext(services, { requestId, clientId: client.id, signal, deadline }),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    server,
    upstream,
    metrics,
    close() {
      closing ??= (async () => {
        await apollo.stop(); // drains in-flight requests and closes the HTTP server
        await upstream.close();
      })();
      return closing;
    },
  };
}

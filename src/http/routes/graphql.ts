/**
 * /graphql (GET and POST): the client gate, the bounded JSON body, the request's deadline and
 * abort signal, then Apollo with a fresh per-request context.
 */
import { setMaxListeners } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { createContext, type GatewayContext, type GatewayServices } from '../../graphql/context';
import { ClientGoneError, HttpError, readJsonBody, refuseRequest } from '../body';
import type { ClientGate } from '../client-gate';
import { sendBody } from '../compression';
import type { ObservedRequest, RequestLog } from '../plugins/request-log';
import type { RequestTarget, Route } from '../route';

export const GRAPHQL_PATH = '/graphql';

export interface GraphQLRouteOptions {
  apollo: ApolloServer<GatewayContext>;
  services: GatewayServices;
  gate: ClientGate;
  maxBodyBytes: number;
  requestTimeoutMs: number;
  requestLog: RequestLog;
}

function toHeaderMap(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/**
 * The request's signal: aborts when the client goes away before its response is complete, or when the
 * deadline passes (with a TimeoutError, as AbortSignal.timeout's). One controller and one timer,
 * cleared when the response closes: AbortSignal.any over AbortSignal.timeout costs a second signal, a
 * weak reference and a finalization entry per request, a measurable share of a small query's time.
 * A call still running after a complete answer (one started early that turned out unread) is then
 * left to finish, bounded by the upstream headers and body timeouts: its answer may still be kept.
 */
function requestSignal(res: ServerResponse, timeoutMs: number): AbortSignal {
  const controller = new AbortController();
  const deadline = setTimeout(
    () => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    timeoutMs,
  );
  deadline.unref();
  res.once('close', () => {
    clearTimeout(deadline);
    if (!res.writableFinished) controller.abort(new Error('client disconnected'));
  });
  return controller.signal;
}

export function graphqlRoute(options: GraphQLRouteOptions): Route {
  return {
    name: 'graphql',
    async handle(request) {
      if (request.url.pathname !== GRAPHQL_PATH) return false;
      const observed = options.requestLog.begin(request.req, request.res, request.requestId, 'graphql', GRAPHQL_PATH);
      try {
        return await observed.run(() => serveGraphQL(options, observed, request));
      } finally {
        observed.done();
      }
    },
  };
}

async function serveGraphQL(
  options: GraphQLRouteOptions,
  observed: ObservedRequest,
  { req, res, url, requestId }: RequestTarget,
): Promise<boolean> {
  const client = await options.gate.admit(req, res);
  if (!client) return true;
  observed.admitted(client.id);
  let body: unknown;
  try {
    body = await readJsonBody(req, options.maxBodyBytes);
  } catch (error) {
    if (error instanceof ClientGoneError) return true;
    if (!(error instanceof HttpError)) throw error;
    refuseRequest(req, res, error);
    return true;
  }
  const deadline = Date.now() + options.requestTimeoutMs;
  const signal = requestSignal(res, options.requestTimeoutMs);
  // Calls waiting in the fair queue or for a retry listen on it directly (the rest through one
  // listener, upstream/abort-listeners.ts): a dashboard legitimately has 50+.
  setMaxListeners(0, signal);
  const response = await options.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers: toHeaderMap(req), search: url.search, body },
    context: async () =>
      observed.bind(createContext(options.services, { requestId, clientId: client.id, shareKey: client.key, signal, deadline })),
  });
  observed.answered(response);
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    await sendBody(req, res, response.body.string); // br/gzip above 1 KiB when accepted
    return true;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
  return true;
}

/**
 * GraphQL subscriptions over WebSocket at /graphql (the `graphql-transport-ws` subprotocol of
 * graphql-ws), through the HTTP server's `upgrade` event. The client authenticates with the same
 * credentials as over HTTP, sent as upgrade headers or in the `connection_init` payload (browsers
 * cannot set WebSocket headers): `{"x-api-key": "…"}` or `{"authorization": "Bearer …"}`. Until it is
 * admitted nothing runs; each subscribe counts against the client's rate limit.
 *
 * graphql-ws sends the next result only after the socket has taken the previous one, so a client that
 * stops reading stalls its own subscriptions, which the live hub then cuts off (close code 1013).
 */
import { ErrorCode } from '../errors/catalogue';
import type { IncomingHttpHeaders, IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { publicError } from '../graphql/errors';
import { OperationRefused, type Live } from '../live/index';
import { AuthError, type Authenticator, type ClientIdentity } from './auth/index';
import { behindRefusedBody } from './body';
import { clientAddress } from './client-address';
import { shareKeyOf } from './client-gate';
import { InFlightLimit } from './in-flight';
import type { RateLimiter } from './rate-limit';
import { requestIdOf } from './request-id';

export const WEBSOCKET_PATH = '/graphql';

/** "Try again later": the standard close code for a server shedding a client it cannot keep up with. */
export const SLOW_CONSUMER_CLOSE_CODE = 1013;
/**
 * Too many failed authentications from the address, or too many connections of the client: 429 as a
 * 4xxx application close code, as 4401 is 401. graphql-ws uses 4429 too (a second connection_init),
 * and its client does not retry on it; the reason's leading error code tells the three apart.
 */
export const TOO_MANY_CLOSE_CODE = 4429;
/** graphql-ws's own default, made explicit: it bounds how long an unauthenticated socket is held. */
export const CONNECTION_INIT_WAIT_MS = 3_000;
/** graphql-ws's code for an unauthenticated connection. */
export const UNAUTHENTICATED_CLOSE_CODE = 4401;
/** A cut-off or shut-down client that is still reading gets this long to take its close frame. */
export const CLOSE_GRACE_MS = 2_000;

export interface WebSocketOptions {
  live: Live;
  authenticator: Authenticator;
  limiter: RateLimiter;
  /** Largest message a client may send (MAX_BODY_BYTES). */
  maxPayloadBytes: number;
  logger: Logger;
  /** Default CLOSE_GRACE_MS. */
  closeGraceMs?: number;
  /** How long a socket may stay without connection_init; default CONNECTION_INIT_WAIT_MS. */
  connectionInitWaitMs?: number;
  /** Proxies to trust for the client address (TRUST_PROXY), which keys anonymous clients' shares. */
  trustProxyHops?: number;
  /** Failed authentications per address, shared with the HTTP client gate: one budget for guessing. */
  authFailures: RateLimiter;
}

export interface LiveWebSocket {
  /** Closes every connection (1001) and stops accepting new ones. */
  close(): Promise<void>;
}

interface Connection {
  client: ClientIdentity;
  /** What the connection's shares are counted by: the client, or its address without authentication. */
  shareKey: string;
  /** Aborts the upstream calls of this connection's events when it closes. */
  gone: AbortController;
  requestId: string;
}

/** The upgrade request's headers, with the `connection_init` payload's credentials over them. */
function credentialHeaders(request: IncomingMessage, params: Readonly<Record<string, unknown>> | undefined): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = { ...request.headers };
  for (const [name, value] of Object.entries(params ?? {})) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
  }
  return headers;
}

export function attachWebSocket(server: Server, options: WebSocketOptions): LiveWebSocket {
  const { live, logger } = options;
  const grace = options.closeGraceMs ?? CLOSE_GRACE_MS;
  const initWait = options.connectionInitWaitMs ?? CONNECTION_INIT_WAIT_MS;
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes });
  const connections = new WeakMap<WebSocket, Connection>();
  // Open connections by share key, counted from admission to close (LIVE_MAX_WEBSOCKETS_PER_CLIENT).
  const held = new InFlightLimit(live.settings.maxWebSocketsPerClient);
  // A refused or cut-off socket whose client ignores the close frame would be held for ws's own 30 s.
  const closeSoon = (socket: WebSocket, code: number, reason: string): void => {
    socket.close(code, reason);
    const timer = setTimeout(() => socket.terminate(), grace).unref();
    socket.once('close', () => clearTimeout(timer));
  };
  // From connection_init on, a socket is the authentication's (which may fetch JWKS) and then
  // closeSoon's to drop: the upgrade's timer below is for sockets that never sent one.
  const initialised = new WeakSet<WebSocket>();

  // The checked operation and its connection, by the ExecutionArgs graphql-ws passes from onSubscribe to subscribe.
  const planned = new WeakMap<object, { operation: ReturnType<Live['check']>; connection: Connection; socket: WebSocket }>();

  const disposable = useServer(
    {
      isProd: true,
      connectionInitWaitTimeout: initWait,
      async onConnect(ctx) {
        const { socket, request } = ctx.extra;
        initialised.add(socket);
        const address = clientAddress(request, options.trustProxyHops ?? 0);
        const requestId = requestIdOf(request);
        const throttled = options.authFailures.peek(address);
        if (!throttled.allowed) {
          logger.warn({ address, requestId }, 'websocket client refused: too many failed authentications');
          closeSoon(socket, TOO_MANY_CLOSE_CODE, `RATE_LIMITED: retry in ${throttled.retryAfterSeconds} s`);
          return false;
        }
        try {
          const client = await options.authenticator.authenticate(credentialHeaders(request, ctx.connectionParams));
          // Gone while authenticating: its close has already been emitted, so it must not be counted.
          if (socket.readyState !== socket.OPEN) return false;
          const shareKey = shareKeyOf(client, address);
          const release = held.acquire(shareKey);
          if (!release) {
            const open = held.inFlight(shareKey);
            logger.warn({ clientId: client.id, address, requestId, open }, 'websocket client refused: too many connections');
            closeSoon(socket, TOO_MANY_CLOSE_CODE, `${ErrorCode.LIVE_TOO_MANY_WEBSOCKETS}: ${open} open (LIVE_MAX_WEBSOCKETS_PER_CLIENT)`);
            return false;
          }
          const gone = new AbortController();
          socket.once('close', () => {
            gone.abort();
            release();
          });
          connections.set(socket, { client, shareKey, gone, requestId });
          return true;
        } catch (error) {
          if (!(error instanceof AuthError)) throw error;
          options.authFailures.take(address);
          logger.warn({ reason: error.message, address, requestId }, 'websocket client refused: not authenticated');
          closeSoon(socket, UNAUTHENTICATED_CLOSE_CODE, `UNAUTHENTICATED: ${error.message}`.slice(0, 120));
          return false;
        }
      },
      onSubscribe(ctx, _id, payload) {
        const connection = connections.get(ctx.extra.socket);
        if (!connection) return [publicError(ErrorCode.UNAUTHENTICATED, 'Not authenticated.')];
        const decision = options.limiter.take(connection.shareKey);
        if (!decision.allowed) return [publicError(ErrorCode.RATE_LIMITED, `Too many requests; retry in ${decision.retryAfterSeconds} s`)];
        try {
          const operation = live.check(payload);
          const args = {
            schema: operation.schema,
            document: operation.document,
            operationName: operation.operationName,
            variableValues: operation.variableValues,
          };
          planned.set(args, { operation, connection, socket: ctx.extra.socket });
          return args;
        } catch (error) {
          if (error instanceof OperationRefused) return error.errors;
          throw error;
        }
      },
      subscribe(args) {
        const plan = planned.get(args);
        if (!plan) return { errors: [publicError(ErrorCode.INTERNAL_SERVER_ERROR, 'Unexpected error.')] };
        const { operation, connection, socket } = plan;
        const feed = live.hub.feedFor({
          onCutOff: (error) =>
            closeSoon(socket, SLOW_CONSUMER_CLOSE_CODE, String(error.extensions['code'] ?? ErrorCode.LIVE_SUBSCRIBER_TOO_SLOW)),
        });
        return live.run(operation, {
          requestId: connection.requestId,
          clientId: connection.client.id,
          shareKey: connection.shareKey,
          signal: connection.gone.signal,
          root: { sessionUpdateFeed: feed },
        });
      },
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((error) => live.format({ errors: [error] }).errors?.[0] ?? { message: error.message }),
      onNext: (_ctx, _id, _payload, _args, result) => live.format(result),
    },
    wss,
    live.settings.heartbeatMs,
  );

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Pipelined behind a body refused for its size: the connection ends after the 413 (body.ts).
    if (behindRefusedBody(request)) {
      socket.end();
      return;
    }
    const path = new URL(request.url ?? '/', 'http://gateway.invalid').pathname;
    if (path !== WEBSOCKET_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      // graphql-ws closes a socket that never sent connection_init, but only with a close frame.
      const timer = setTimeout(() => {
        if (!initialised.has(ws)) ws.terminate();
      }, initWait + grace).unref();
      ws.once('close', () => clearTimeout(timer));
      wss.emit('connection', ws, request);
    });
  });

  return {
    async close() {
      for (const socket of wss.clients) closeSoon(socket, 1001, 'Going away');
      await disposable.dispose();
    },
  };
}

/**
 * The HTTP server: tries the routes in order, answers 404 when none takes the request, turns an
 * unexpected failure into a 500 with the catalogue's shape, and puts `x-request-id` on every answer.
 */
import { ErrorCode } from '../errors/catalogue';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { sendError } from '../errors/respond';
import { behindRefusedBody, declaredBodyBytes } from './body';
import { requestIdOf } from './request-id';
import type { Route } from './route';

/** Keep-alive sockets outliving the upstream's ones is harmless; long idle ones are not. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/** How long a client may take to send its request, and how many connections may be open at once. */
export interface ServerLimits {
  /** Headers only (slowloris). */
  headersTimeoutMs: number;
  /** The whole request, body included (a body dripped a byte at a time). */
  requestTimeoutMs: number;
  maxConnections: number;
  /** MAX_BODY_BYTES: a client that asks before sending a larger body (Expect: 100-continue) is refused before it does. */
  maxBodyBytes?: number;
}

/** node:http's own defaults for the request timeouts, if none are given (tests, tools). */
export const DEFAULT_SERVER_LIMITS: ServerLimits = { headersTimeoutMs: 60_000, requestTimeoutMs: 300_000, maxConnections: Infinity };

/**
 * node:http checks the request timeouts on an interval (30 s by default, which would double a 30 s
 * timeout): check four times per timeout, within [50 ms, 5 s].
 */
function checkingIntervalFor(limits: ServerLimits): number {
  return Math.min(5_000, Math.max(50, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)));
}

export function createHttpServer(routes: readonly Route[], logger: Logger, limits: ServerLimits = DEFAULT_SERVER_LIMITS): Server {
  const server = createServer({ connectionsCheckingInterval: checkingIntervalFor(limits) });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // node:http refuses a headers timeout longer than the request timeout.
  server.requestTimeout = limits.requestTimeoutMs;
  server.headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  server.maxConnections = limits.maxConnections;
  // curl asks first for bodies over 1 MiB. Node would say "100 Continue" to any: for a declared body
  // over the limit it is withheld, so the 413 comes before the upload, which then never happens.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (behindRefusedBody(req)) return;
    if (!(declaredBodyBytes(req) > (limits.maxBodyBytes ?? Infinity))) res.writeContinue();
    server.emit('request', req, res);
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (behindRefusedBody(req)) return;
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    dispatch(routes, req, res, requestId).catch((error: unknown) => {
      logger.error({ err: error, requestId }, 'unhandled error while serving a request');
      if (!res.headersSent) sendError(res, ErrorCode.INTERNAL_SERVER_ERROR, 'Unexpected error.');
      else res.destroy();
    });
  });
  return server;
}

async function dispatch(routes: readonly Route[], req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://gateway.invalid');
  for (const route of routes) {
    if (await route.handle({ req, res, url, requestId })) return;
  }
  sendError(res, ErrorCode.NOT_FOUND, `No route for ${req.method ?? 'GET'} ${url.pathname}`);
}

/** Listens and resolves with the URL clients reach the server at (loopback for a wildcard bind). */
export async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const bound = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${bound === '0.0.0.0' || bound === '[::]' ? '127.0.0.1' : bound}:${address.port}`;
}

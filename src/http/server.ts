/**
 * The HTTP server: tries the routes in order, answers 404 when none takes the request, turns an
 * unexpected failure into a 500 with the catalogue's shape, and puts `x-request-id` on every answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { sendError } from '../errors/respond';
import { requestIdOf } from './request-id';
import type { Route } from './route';

/** Keep-alive sockets outliving the upstream's ones is harmless; long idle ones are not. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;

export function createHttpServer(routes: readonly Route[], logger: Logger): Server {
  const server = createServer();
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    dispatch(routes, req, res, requestId).catch((error: unknown) => {
      logger.error({ err: error, requestId }, 'unhandled error while serving a request');
      if (!res.headersSent) sendError(res, 'INTERNAL_SERVER_ERROR', 'Unexpected error.');
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
  sendError(res, 'NOT_FOUND', `No route for ${req.method ?? 'GET'} ${url.pathname}`);
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

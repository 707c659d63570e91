/**
 * /graphql/stream: GraphQL subscriptions over Server-Sent Events, the graphql-sse protocol's
 * "distinct connections" mode (one subscription per request: GET with the operation in the query
 * string, or POST with a JSON body; `Accept: text/event-stream`). Every event carries its USN as the
 * SSE `id:`, so a reconnecting EventSource (or any client sending `Last-Event-ID`) resumes where it
 * stopped. The client gate (CORS, authentication, rate limit) runs before anything else.
 *
 * Written here rather than with graphql-sse's handler because that handler queues every event in
 * memory without waiting for the socket and has no `id:` lines; here the next event is executed only
 * once the previous one has been written out, so a client that does not read stalls only itself.
 */
import type { ServerResponse } from 'node:http';
import { ErrorCode, isPublicErrorCode, statusOf } from '../../errors/catalogue';
import { sendError, sendJson } from '../../errors/respond';
import { EVENT_ID, OperationRefused, type Live, type LiveResult, type OperationParams } from '../../live/index';
import { ClientGoneError, HttpError, readJsonBody, refuseRequest } from '../body';
import type { ClientGate } from '../client-gate';
import type { Route } from '../route';

export const STREAM_PATH = '/graphql/stream';

/** A cut-off client that is still reading gets this long to receive its error event before the socket closes. */
export const SLOW_CLOSE_GRACE_MS = 2_000;

export interface StreamRouteOptions {
  live: Live;
  gate: ClientGate;
  maxBodyBytes: number;
  /** Default SLOW_CLOSE_GRACE_MS. */
  slowCloseGraceMs?: number;
}

function frame(event: 'next' | 'complete', data: unknown, id?: string): string {
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata:${data === undefined ? '' : ` ${JSON.stringify(data)}`}\n\n`;
}

/** Resolves when the response can take more (or is gone). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function parseJsonParam(value: string | null, name: string): unknown {
  if (value === null) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    throw new HttpError(ErrorCode.BAD_REQUEST, `The ${name} parameter is not valid JSON`);
  }
}

async function readParams(
  method: string,
  url: URL,
  req: Parameters<Route['handle']>[0]['req'],
  maxBodyBytes: number,
): Promise<OperationParams> {
  if (method === 'GET') {
    return {
      query: url.searchParams.get('query') ?? undefined,
      operationName: url.searchParams.get('operationName') ?? undefined,
      variables: parseJsonParam(url.searchParams.get('variables'), 'variables'),
      extensions: parseJsonParam(url.searchParams.get('extensions'), 'extensions'),
      documentId: url.searchParams.get('documentId') ?? undefined,
    };
  }
  const body = await readJsonBody(req, maxBodyBytes);
  if (typeof body !== 'object' || body === null)
    throw new HttpError(ErrorCode.BAD_REQUEST, 'The body must be a JSON object with a query (Content-Type: application/json)');
  return body as OperationParams;
}

/** The SSE resume position; undefined when absent. */
function lastEventId(value: string | string[] | undefined): number | undefined {
  if (value === undefined || Array.isArray(value) || value.trim() === '') return undefined;
  if (!/^\d{1,15}$/.test(value.trim())) throw new HttpError(ErrorCode.BAD_USER_INPUT, 'Last-Event-ID must be the USN of a received event');
  return Number(value.trim());
}

export function streamRoute(options: StreamRouteOptions): Route {
  const { live, gate } = options;
  return {
    name: 'graphql-stream',
    async handle({ req, res, url, requestId }) {
      if (url.pathname !== STREAM_PATH) return false;
      // Not counted against MAX_CLIENT_REQUESTS (a stream lasts): the hub caps subscriptions per client.
      const client = await gate.admit(req, res, 'stream');
      if (!client) return true;
      const method = (req.method ?? 'GET').toUpperCase();
      if (method !== 'GET' && method !== 'POST') {
        sendError(res, ErrorCode.BAD_REQUEST, 'Subscribe with GET or POST', { allow: 'GET, POST, OPTIONS' });
        return true;
      }
      if (!(req.headers.accept ?? '').includes('text/event-stream')) {
        sendError(res, ErrorCode.BAD_REQUEST, 'This endpoint streams events: send Accept: text/event-stream');
        return true;
      }
      let params: OperationParams;
      let resumeAfter: number | undefined;
      let operation: ReturnType<Live['check']>;
      try {
        params = await readParams(method, url, req, options.maxBodyBytes);
        resumeAfter = lastEventId(req.headers['last-event-id']);
        operation = live.check(params);
      } catch (error) {
        if (error instanceof ClientGoneError) return true;
        if (error instanceof HttpError) {
          refuseRequest(req, res, error);
          return true;
        }
        if (!(error instanceof OperationRefused)) throw error;
        const code = error.errors[0]?.extensions['code'];
        sendJson(res, isPublicErrorCode(code) ? statusOf(code) : 400, {
          errors: error.errors.map((e) => live.format({ errors: [e] }).errors?.[0]),
        });
        return true;
      }

      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-store',
        connection: 'keep-alive',
        // nginx and similar proxies buffer responses unless told not to.
        'x-accel-buffering': 'no',
      });
      res.write(':\n\n');
      const gone = new AbortController();
      res.once('close', () => gone.abort());
      const heartbeat = setInterval(() => {
        if (!res.writableNeedDrain) res.write(':\n\n');
      }, live.settings.heartbeatMs);
      heartbeat.unref();
      const feed = live.hub.feedFor({
        ...(resumeAfter !== undefined ? { lastEventId: resumeAfter } : {}),
        // The error event follows through the stream for a client that reads; one that does not is closed.
        onCutOff: () => setTimeout(() => res.destroy(), options.slowCloseGraceMs ?? SLOW_CLOSE_GRACE_MS).unref(),
      });
      try {
        const outcome = await live.run(operation, {
          requestId,
          clientId: client.id,
          shareKey: client.key,
          signal: gone.signal,
          root: { sessionUpdateFeed: feed },
        });
        if (!(Symbol.asyncIterator in outcome)) {
          res.write(frame('next', live.format(outcome)));
        } else {
          const stop = (): void => void outcome.return();
          res.once('close', stop);
          if (res.destroyed) stop();
          for await (const result of outcome as AsyncIterable<LiveResult>) {
            if (res.destroyed) break;
            // Wait for the socket before pulling (and executing) the next event.
            if (!res.write(frame('next', live.format(result), result[EVENT_ID]))) await drained(res);
          }
          res.off('close', stop);
        }
        if (!res.destroyed) res.end(frame('complete', undefined));
      } finally {
        clearInterval(heartbeat);
      }
      return true;
    },
  };
}

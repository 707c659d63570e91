/**
 * A route of the gateway's HTTP server: one feature each (GraphQL, health, metrics, exports,
 * playground), tried in order; the first that takes a request answers it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RequestTarget {
  req: IncomingMessage;
  res: ServerResponse;
  /** The parsed request URL (on a placeholder origin: only path and query are meaningful). */
  url: URL;
  /** This request's id (the client's `x-request-id` when sane), already on the response. */
  requestId: string;
}

export interface Route {
  /** For logs and tests. */
  readonly name: string;
  /** Answers the request and returns true, or returns false to let the next route try. */
  handle(target: RequestTarget): boolean | Promise<boolean>;
}

/**
 * The simulator's answers: JSON bodies and RFC 7807 problems, recorded with their status.
 */
import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import type { RecordedRequest } from './counters';
import { problem, type ProblemName } from './problems';

/** A response as the 'request' event hands it over: HTTP/1.1's, or HTTP/2's compatibility API (server.ts). */
export type SimulatorResponse = ServerResponse | Http2ServerResponse;

export class Responder {
  constructor(private readonly origin: () => string) {}

  send(
    res: SimulatorResponse,
    entry: RecordedRequest | undefined,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ): void {
    if (entry) entry.status = status;
    if (body === undefined) {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  problem(
    res: SimulatorResponse,
    entry: RecordedRequest | undefined,
    name: ProblemName,
    details: string,
    override?: { status?: number; errorCode?: string },
    headers: Record<string, string> = {},
  ): void {
    const body = problem(this.origin(), name, details, override);
    if (entry) entry.status = body.status;
    const text = JSON.stringify(body);
    res.writeHead(body.status, {
      'content-type': 'application/problem+json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }
}

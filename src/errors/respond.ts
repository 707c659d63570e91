/**
 * The gateway's own (non-Apollo) JSON answers, in one shape: errors look like GraphQL errors with a
 * stable `extensions.code`, and their HTTP status comes from the catalogue, so clients handle a 401,
 * 413 or 429 the way they handle any error.
 */
import type { ServerResponse } from 'node:http';
import { statusOf, type PublicErrorCode } from './catalogue';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, code: PublicErrorCode, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, statusOf(code), { errors: [{ message, extensions: { code } }] }, headers);
}

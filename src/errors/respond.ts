/**
 * The gateway's own (non-Apollo) JSON answers, in one shape: errors look like GraphQL errors with a
 * stable `extensions.code`, and their HTTP status comes from the catalogue, so clients handle a 401,
 * 413 or 429 the way they handle any error.
 */
import type { ServerResponse } from 'node:http';
import { statusOf, type PublicErrorCode } from './catalogue';

/** Writes the head of a JSON answer and returns its text, which its content-length counts. */
function jsonHead(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): string {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  return text;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.end(jsonHead(res, status, body, headers));
}

const errorBody = (code: PublicErrorCode, message: string) => ({ errors: [{ message, extensions: { code } }] });

export function sendError(res: ServerResponse, code: PublicErrorCode, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, statusOf(code), errorBody(code, message), headers);
}

/** Responses whose whole answer reached the socket while they were still open (writeError). */
const writtenWhole = new WeakSet<ServerResponse>();

/**
 * The client receives the whole error answer, but the response stays open until the caller ends it:
 * the server closes a `connection: close` response's socket when it ends (see http/body.ts).
 */
export function writeError(res: ServerResponse, code: PublicErrorCode, message: string, headers: Record<string, string> = {}): void {
  res.write(jsonHead(res, statusOf(code), errorBody(code, message), headers), (error) => {
    if (!error) writtenWhole.add(res);
  });
}

/**
 * The client was given a whole answer: the response ended, or writeError's answer was written in
 * full (a client that leaves after reading its 413 was answered, not gone: not a 499).
 */
export function answeredInFull(res: ServerResponse): boolean {
  return res.writableFinished || writtenWhole.has(res);
}

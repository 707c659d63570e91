/**
 * Request body reading for /graphql: bounded in size, JSON decoded here so that malformed input is a
 * 4xx with a clear message before anything else runs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, type PublicErrorCode } from '../errors/catalogue';
import { sendError, writeError } from '../errors/respond';

/** A body the gateway refuses before GraphQL sees it; the catalogue gives the code's HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly code: PublicErrorCode,
    message: string,
    /** Headers the refusal goes out with. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * A body refused for its size is not kept, so the connection closes after the 413 (RFC 9110
 * §15.5.14): the rest of an oversized body is never taken for the next request. `refuseRequest`
 * drains it first (LINGER).
 */
export class BodyTooLargeError extends HttpError {
  constructor(maxBytes: number) {
    super(ErrorCode.PAYLOAD_TOO_LARGE, `Request body is larger than ${maxBytes} bytes`, { connection: 'close' });
  }
}

/** The request's Content-Length; NaN when it has none (chunked) or it is not a number. */
export function declaredBodyBytes(req: IncomingMessage): number {
  return Number(req.headers['content-length'] ?? Number.NaN);
}

/**
 * How much of a refused body is still read, and dropped, before the connection closes. Closing a
 * socket with bytes unread makes the kernel reset the connection, and a client that writes its whole
 * body before it reads (curl, Python's requests) then loses the 413 with it: it sees a reset. So the
 * connection closes once the rest has come, as web servers' lingering close does; a client that sends
 * more than this, or for longer, is cut off.
 */
export interface Linger {
  maxBytes: number;
  maxMs: number;
}

/** 16 MiB covers a body a few times over MAX_BODY_BYTES from a fast client; 5 s is nginx's lingering_timeout. */
export const LINGER: Linger = { maxBytes: 16 * 1024 * 1024, maxMs: 5_000 };

/** Connections whose body was refused for its size: their answer closes them (server.ts). */
const refusedConnections = new WeakSet<object>();

/**
 * Whether this request came on a connection already refused for a body's size: a request pipelined
 * behind the oversized one. Node reads it (the drain parses on), but its answer would never be sent:
 * the 413 closes the connection. It is not served, so it costs the appliance nothing.
 */
export function behindRefusedBody(req: IncomingMessage): boolean {
  return refusedConnections.has(req.socket);
}

/**
 * Answers a refused request. A body refused for its size is drained (up to `linger`) with the answer
 * already sent, then the response ends and the server closes the connection; a client that goes on
 * sending is cut off.
 */
export function refuseRequest(req: IncomingMessage, res: ServerResponse, error: HttpError, linger: Linger = LINGER): void {
  // The client has gone (as while it was authenticated): nobody to answer. Not req.destroyed: a
  // request whose body was read whole is destroyed too.
  if (res.destroyed || req.socket.destroyed) return;
  // Drained even when the client asked first and was not told to continue (server.ts): it may send
  // the body anyway (curl does after a second, others at once), and a well-behaved one closes as soon
  // as it has read the 413, which ends the drain.
  if (!(error instanceof BodyTooLargeError)) {
    sendError(res, error.code, error.message, error.headers);
    return;
  }
  writeError(res, error.code, error.message, error.headers);
  refusedConnections.add(req.socket);
  let drained = 0;
  const finish = (cutOff: boolean): void => {
    clearTimeout(timer);
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('close', onEnd);
    res.end();
    if (cutOff) req.socket.destroy();
  };
  const onData = (chunk: Buffer): void => {
    drained += chunk.length;
    if (drained > linger.maxBytes) finish(true);
  };
  const onEnd = (): void => finish(false); // the whole body came, or the client left
  const timer = setTimeout(() => finish(true), linger.maxMs).unref();
  req.on('data', onData);
  req.once('end', onEnd);
  req.once('close', onEnd);
  req.resume();
}

/**
 * The client went away before its body was read: nobody is left to answer, and nothing went wrong
 * on the gateway's side (the request log records it as 499).
 */
export class ClientGoneError extends Error {
  constructor(message: string, cause?: Error) {
    super(message, cause ? { cause } : undefined);
    this.name = 'ClientGoneError';
  }
}

/** A GraphQL document plus variables rarely exceeds a few KiB; 1 MiB leaves room and stops abuse. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export async function readJsonBody(req: IncomingMessage, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<unknown> {
  const declared = declaredBodyBytes(req);
  if (Number.isFinite(declared) && declared > maxBytes) throw new BodyTooLargeError(maxBytes);
  const { chunks, size } = await readChunks(req, maxBytes);
  if (size === 0) return undefined;
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  // Anything but JSON is left to Apollo, which rejects it (and its CSRF prevention relies on that).
  if (mediaType !== 'application/json' && mediaType !== 'application/graphql-response+json') return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(ErrorCode.BAD_REQUEST, 'Request body is not valid JSON');
  }
}

/**
 * The body's chunks, by the stream's events rather than `for await`: a request's body has usually
 * arrived with its headers, and the async iterator's machinery cost more than the reading (a
 * measurable share of a small query's time). Past `maxBytes` the reading stops and the request is
 * refused (BodyTooLargeError); a stream error, or a request gone before its end (now or already), rejects.
 */
function readChunks(req: IncomingMessage, maxBytes: number): Promise<{ chunks: Buffer[]; size: number }> {
  return new Promise((resolve, reject) => {
    // A client that left while the request waited (authentication) has closed it already: no event
    // is coming.
    if (req.destroyed) {
      reject(new ClientGoneError('request closed before its body was read'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      stop();
      // Not destroyed: that would take the socket, and the 413, with it.
      req.pause();
      reject(new BodyTooLargeError(maxBytes));
    };
    const onEnd = (): void => {
      stop();
      resolve({ chunks, size });
    };
    const onError = (error: Error): void => {
      stop();
      // node:http destroys a request whose client left mid-body with an "aborted" error.
      reject(req.destroyed ? new ClientGoneError('request closed before its body was complete', error) : error);
    };
    const onClose = (): void => {
      stop();
      reject(new ClientGoneError('request closed before its body was complete'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

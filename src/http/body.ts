/**
 * Request body reading for /graphql: bounded in size, JSON decoded here so that malformed input is a
 * 4xx with a clear message before anything else runs.
 */
import type { IncomingMessage } from 'node:http';
import { ErrorCode, type PublicErrorCode } from '../errors/catalogue';

/** A body the gateway refuses before GraphQL sees it; the catalogue gives the code's HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly code: PublicErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A GraphQL document plus variables rarely exceeds a few KiB; 1 MiB leaves room and stops abuse. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export async function readJsonBody(req: IncomingMessage, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new HttpError(ErrorCode.PAYLOAD_TOO_LARGE, `Request body is larger than ${maxBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) throw new HttpError(ErrorCode.PAYLOAD_TOO_LARGE, `Request body is larger than ${maxBytes} bytes`);
    chunks.push(buffer);
  }
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

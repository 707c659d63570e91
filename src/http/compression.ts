/**
 * Response compression, negotiated from Accept-Encoding: brotli or gzip for the GraphQL answers
 * (whole bodies, above a size threshold) and the exports (streams, flushed after every chunk so rows
 * still arrive as upstream pages do). Every answer that could differ says `vary: accept-encoding`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants, createBrotliCompress, createGzip, gzip, type BrotliOptions, type ZlibOptions } from 'node:zlib';

export type ContentEncoding = 'br' | 'gzip';

/** Below 1 KiB the bytes saved do not pay for the CPU and the framing (and fit one TCP packet anyway). */
export const COMPRESSION_MIN_BYTES = 1024;
/**
 * Brotli quality for dynamic answers: 4 compresses JSON and CSV about as well as gzip -9 at a
 * fraction of the CPU of the default 11, which is meant for static assets compressed once.
 */
export const BROTLI_QUALITY = 4;
/** zlib's default: the usual speed/size balance of web servers. */
export const GZIP_LEVEL = 6;

const BROTLI_OPTIONS: BrotliOptions = { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } };
const GZIP_OPTIONS: ZlibOptions = { level: GZIP_LEVEL };
const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Preference when the client weighs both the same: brotli's output is smaller. */
const SUPPORTED: readonly ContentEncoding[] = ['br', 'gzip'];

/** The encoding to answer with, from an Accept-Encoding header (q-values and `*` honoured). */
export function negotiateEncoding(acceptEncoding: string | string[] | undefined): ContentEncoding | undefined {
  const header = Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : acceptEncoding;
  if (!header) return undefined;
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const q = params.find((param) => param.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (name !== '') weights.set(name, Number.isFinite(weight) ? weight : 0);
  }
  const weightOf = (encoding: string): number => weights.get(encoding) ?? weights.get('*') ?? 0;
  // A stable sort keeps the preference order between equal weights.
  return SUPPORTED.filter((encoding) => weightOf(encoding) > 0).sort((a, b) => weightOf(b) - weightOf(a))[0];
}

/** Adds a token to the Vary header without losing what other layers put there (CORS: origin). */
export function addVary(res: ServerResponse, token: string): void {
  const current = res.getHeader('vary');
  const tokens = (Array.isArray(current) ? current.join(',') : String(current ?? ''))
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value !== '');
  if (!tokens.some((value) => value.toLowerCase() === token)) tokens.push(token);
  res.setHeader('vary', tokens.join(', '));
}

/** Ends the response with a whole body, compressed when it is large enough and the client accepts it. */
export async function sendBody(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
  addVary(res, 'accept-encoding');
  const encoding = Buffer.byteLength(body) >= COMPRESSION_MIN_BYTES ? negotiateEncoding(req.headers['accept-encoding']) : undefined;
  if (encoding === undefined || res.getHeader('content-encoding') !== undefined) {
    // As a string: Node's native copy of it is freed as soon as it is written. Made a Buffer here it
    // cost 0.1 ms less CPU per dashboard answer, but 6-18 MB more RSS at c=64: Buffers wait for the GC.
    res.end(body);
    return;
  }
  const compressed = encoding === 'br' ? await brotliAsync(body, BROTLI_OPTIONS) : await gzipAsync(body, GZIP_OPTIONS);
  res.setHeader('content-encoding', encoding);
  res.setHeader('content-length', compressed.length);
  res.end(compressed);
}

/** A streamed body: write with backpressure, then end it, or abort it so that the client notices. */
export interface BodyWriter {
  /** Headers to send with the status line (content-encoding when compressing). */
  readonly headers: Record<string, string>;
  /** Writes a chunk and flushes it to the client; resolves when more may be written. */
  write(chunk: string): Promise<void>;
  /** Completes the body. */
  end(): Promise<void>;
  /**
   * Sends everything written so far, then closes the connection without completing the body (no
   * final chunk): HTTP clients raise an error instead of taking a short body for the whole.
   */
  abort(): Promise<void>;
}

/** Waits for `drain` on `stream` or for the response to close, leaving no listener behind. */
function drained(stream: NodeJS.EventEmitter, res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      res.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    res.on('close', done);
  });
}

/** Closes the connection once what was written has gone out; the response is never completed. */
function cut(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const socket = res.socket;
    if (!socket || socket.destroyed) return resolve();
    socket.once('close', () => resolve());
    socket.end();
  });
}

function plainWriter(res: ServerResponse): BodyWriter {
  return {
    headers: {},
    async write(chunk) {
      if (chunk === '' || res.destroyed || res.write(chunk)) return;
      await drained(res, res);
    },
    async end() {
      if (!res.destroyed) res.end();
    },
    abort: () => cut(res),
  };
}

function compressedWriter(res: ServerResponse, encoding: ContentEncoding): BodyWriter {
  const stream = encoding === 'br' ? createBrotliCompress(BROTLI_OPTIONS) : createGzip(GZIP_OPTIONS);
  stream.on('data', (data: Buffer) => {
    if (!res.destroyed && !res.write(data)) stream.pause();
  });
  res.on('drain', () => stream.resume());
  // A client that left: let the compressor run dry so that nothing waits on it.
  res.once('close', () => stream.resume());
  stream.on('error', (error) => res.destroy(error));
  const finish = (): Promise<void> =>
    new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('error', () => resolve());
      stream.end();
    });
  return {
    headers: { 'content-encoding': encoding },
    async write(chunk) {
      if (chunk === '' || res.destroyed) return;
      stream.write(chunk);
      // Per-chunk flush: compression must not hold rows back until its window fills.
      await new Promise<void>((resolve) => stream.flush(() => resolve()));
      // Asked after the flush: a `drain` emitted during it would otherwise be waited for in vain.
      if (stream.writableNeedDrain && !res.destroyed) await drained(stream, res);
    },
    async end() {
      await finish();
      if (!res.destroyed) res.end();
    },
    async abort() {
      await finish();
      await cut(res);
    },
  };
}

/** A writer for a streamed body: compressed when the client accepts it (any size: it is unknown). */
export function createBodyWriter(req: IncomingMessage, res: ServerResponse): BodyWriter {
  addVary(res, 'accept-encoding');
  const encoding = negotiateEncoding(req.headers['accept-encoding']);
  return encoding === undefined ? plainWriter(res) : compressedWriter(res, encoding);
}

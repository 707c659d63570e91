/**
 * Streamed exports: `/export/sessions.csv`, `/export/sessions.ndjson` and
 * `/export/protected-items.csv`. Rows are written as upstream pages arrive (first byte after the
 * first page), with backpressure, and memory bounded by the pages in flight; a client that goes away
 * stops the paging. An upstream failure after the first row writes an explicit error line (a
 * machine-readable trailer for readers of partial files) and then cuts the connection before the
 * body is complete, so HTTP clients (curl, pandas, fetch) fail instead of loading a short file.
 * `limit=N` stops after N rows (a preview).
 */
import { ErrorCode } from '../errors/catalogue';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { describeFailure } from '../errors/public-error';
import { sendError } from '../errors/respond';
import { InvalidInputError } from '../sessions/errors';
import { forEachSessionItems } from '../sessions/items';
import { sessionPages } from '../sessions/session-stream';
import type { SessionDto } from '../upstream/dto';
import type { CallOptions, VeeamClient } from '../upstream/veeam-client';
import { csvErrorLine, csvLine, ITEM_COLUMNS, itemRecord, SESSION_COLUMNS, sessionRecord } from './formats';
import { exportParams, exportRowLimit } from './params';

export const EXPORT_PATHS = ['/export/sessions.csv', '/export/sessions.ndjson', '/export/protected-items.csv'] as const;
export type ExportPath = (typeof EXPORT_PATHS)[number];

export interface ExportOptions {
  client: VeeamClient;
  pageSize: number;
  /** Upstream pages (and item calls) in flight ahead of the writer. */
  concurrency: number;
  logger: Logger;
  /** Deadline of the whole export (EXPORT_TIMEOUT_MS): past it, the export ends with REQUEST_TIMEOUT. */
  timeoutMs?: number;
  /** The authenticated client: its upstream calls queue fairly beside other clients'. */
  clientId?: string;
  /** How the body goes out (the HTTP layer negotiates compression); made when the first row is ready. */
  body: (res: ServerResponse) => ExportBody;
}

/** A streamed body (src/http/compression.ts writes one). */
export interface ExportBody {
  readonly headers: Record<string, string>;
  write(chunk: string): Promise<void>;
  end(): Promise<void>;
  /** Sends what was written, then closes the connection without completing the body. */
  abort(): Promise<void>;
}

/** The items of a page's sessions, in the page's order, at most `max` rows. */
async function itemRows(
  sessions: SessionDto[],
  options: ExportOptions,
  call: CallOptions,
  max: number,
): Promise<{ text: string; rows: number }> {
  let text = '';
  let rows = 0;
  await forEachSessionItems(
    sessions,
    { client: options.client, pageSize: options.pageSize, concurrency: options.concurrency, call },
    (session, items) => {
      for (const item of items.slice(0, Math.max(max - rows, 0))) {
        text += csvLine(ITEM_COLUMNS.map((c) => itemRecord(session, item)[c]));
        rows += 1;
      }
    },
    () => rows < max,
  );
  return { text, rows };
}

export async function serveExport(
  path: ExportPath,
  req: IncomingMessage,
  res: ServerResponse,
  search: URLSearchParams,
  options: ExportOptions,
): Promise<void> {
  let params;
  let limit;
  try {
    params = exportParams(search);
    limit = exportRowLimit(search);
  } catch (error) {
    if (error instanceof InvalidInputError) return sendError(res, ErrorCode.BAD_USER_INPUT, error.message);
    throw error;
  }
  const controller = new AbortController();
  res.once('close', () => controller.abort(new Error('client disconnected')));
  // A separate signal, so that "the client left" and "the export ran out of time" stay apart.
  const deadline = options.timeoutMs !== undefined ? AbortSignal.timeout(options.timeoutMs) : undefined;
  const signal = deadline ? AbortSignal.any([controller.signal, deadline]) : controller.signal;
  const call: CallOptions = { signal, ...(options.clientId !== undefined ? { clientId: options.clientId } : {}) };
  const ndjson = path.endsWith('.ndjson');
  const started = performance.now();
  let rows = 0;
  let pages = 0;
  const items = path === '/export/protected-items.csv';
  // A session preview needs no more sessions than rows.
  const pageSize = limit !== undefined && !items ? Math.min(options.pageSize, limit) : options.pageSize;
  let left = limit ?? Number.POSITIVE_INFINITY;
  const pagesOf = sessionPages(options.client, params, { pageSize, concurrency: options.concurrency, call });
  let outcome = 'complete';
  let out: ExportBody | undefined;
  try {
    for await (const sessions of pagesOf) {
      if (pages === 0) {
        out = options.body(res);
        res.writeHead(200, {
          ...out.headers,
          'content-type': ndjson ? 'application/x-ndjson; charset=utf-8' : 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${path.slice('/export/'.length)}"`,
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
        });
        if (!ndjson) await out.write(csvLine(items ? [...ITEM_COLUMNS] : [...SESSION_COLUMNS]));
      }
      pages += 1;
      // Rows are counted where they are written: a quoted field may hold a CRLF of its own.
      let chunk = '';
      let written = 0;
      if (items) {
        ({ text: chunk, rows: written } = await itemRows(sessions, options, call, left));
      } else {
        for (const session of sessions.slice(0, Math.min(sessions.length, left))) {
          const record = sessionRecord(session);
          chunk += ndjson ? `${JSON.stringify(record)}\n` : csvLine(SESSION_COLUMNS.map((c) => record[c]));
          written += 1;
        }
      }
      rows += written;
      left -= written;
      await out?.write(chunk);
      if (controller.signal.aborted) break; // the client left: stop asking the appliance
      if (left <= 0) break; // the preview is complete: no further page
    }
  } catch (error) {
    const timedOut = deadline?.aborted === true && !controller.signal.aborted;
    const failure = timedOut
      ? {
          code: ErrorCode.REQUEST_TIMEOUT,
          message: `The export ran past its deadline of ${options.timeoutMs} ms; narrow the filter or range`,
        }
      : (describeFailure(error) ?? { code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'Unexpected error.' });
    const { code } = failure;
    if (code === ErrorCode.INTERNAL_SERVER_ERROR) options.logger.error({ err: error }, 'unexpected error in an export');
    outcome = controller.signal.aborted ? 'client gone' : `failed: ${code}`;
    if (!res.headersSent) return sendError(res, code, failure.message);
    if (!controller.signal.aborted && out) {
      await out.write(ndjson ? `${JSON.stringify({ error: { code, message: failure.message } })}\n` : csvErrorLine(code, failure.message));
      await out.abort();
    }
    return;
  } finally {
    await pagesOf.return(undefined);
    options.logger.info({ export: path, rows, pages, durationMs: Math.round(performance.now() - started), outcome }, 'export');
  }
  if (pages === 0 && !res.headersSent) return sendError(res, ErrorCode.UPSTREAM_BAD_RESPONSE, 'The Veeam appliance returned no page');
  if (!res.destroyed) await out?.end();
}

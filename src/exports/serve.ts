/**
 * Streamed exports: `/export/sessions.csv`, `/export/sessions.ndjson` and
 * `/export/protected-items.csv`. Rows are written as upstream pages arrive (first byte after the
 * first page), with backpressure, and memory bounded by the pages in flight; a client that goes away
 * stops the paging. An upstream failure after the first row ends the body with an explicit error
 * line, never a silently short file.
 */
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
import { exportParams } from './params';

export const EXPORT_PATHS = ['/export/sessions.csv', '/export/sessions.ndjson', '/export/protected-items.csv'] as const;
export type ExportPath = (typeof EXPORT_PATHS)[number];

export interface ExportOptions {
  client: VeeamClient;
  pageSize: number;
  /** Upstream pages (and item calls) in flight ahead of the writer. */
  concurrency: number;
  logger: Logger;
}

/** Writes with backpressure: waits for `drain` (or the client leaving), leaving no listener behind. */
async function write(res: ServerResponse, chunk: string): Promise<void> {
  if (chunk === '' || res.destroyed || res.write(chunk)) return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** The items of a page's sessions, in the page's order. */
async function itemRows(sessions: SessionDto[], options: ExportOptions, call: CallOptions): Promise<string> {
  let text = '';
  await forEachSessionItems(sessions, { client: options.client, pageSize: options.pageSize, concurrency: options.concurrency, call }, (session, items) => {
    for (const item of items) text += csvLine(ITEM_COLUMNS.map((c) => itemRecord(session, item)[c]));
  });
  return text;
}

export async function serveExport(path: ExportPath, req: IncomingMessage, res: ServerResponse, search: URLSearchParams, options: ExportOptions): Promise<void> {
  let params;
  try {
    params = exportParams(search);
  } catch (error) {
    if (error instanceof InvalidInputError) return sendError(res, 'BAD_USER_INPUT', error.message);
    throw error;
  }
  const controller = new AbortController();
  res.once('close', () => controller.abort(new Error('client disconnected')));
  const call: CallOptions = { signal: controller.signal };
  const ndjson = path.endsWith('.ndjson');
  const started = performance.now();
  let rows = 0;
  let pages = 0;
  const pagesOf = sessionPages(options.client, params, { pageSize: options.pageSize, concurrency: options.concurrency, call });
  let outcome = 'complete';
  try {
    for await (const sessions of pagesOf) {
      if (pages === 0) {
        res.writeHead(200, {
          'content-type': ndjson ? 'application/x-ndjson; charset=utf-8' : 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${path.slice('/export/'.length)}"`,
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
        });
        if (!ndjson) await write(res, csvLine(path === '/export/protected-items.csv' ? [...ITEM_COLUMNS] : [...SESSION_COLUMNS]));
      }
      pages += 1;
      let chunk = '';
      if (path === '/export/protected-items.csv') {
        chunk = await itemRows(sessions, options, call);
      } else {
        for (const session of sessions) {
          const record = sessionRecord(session);
          chunk += ndjson ? `${JSON.stringify(record)}\n` : csvLine(SESSION_COLUMNS.map((c) => record[c]));
        }
      }
      rows += chunk === '' ? 0 : (chunk.match(ndjson ? /\n/g : /\r\n/g)?.length ?? 0);
      await write(res, chunk);
      if (controller.signal.aborted) break; // the client left: stop asking the appliance
    }
  } catch (error) {
    const failure = describeFailure(error) ?? { code: 'INTERNAL_SERVER_ERROR', message: 'Unexpected error.' };
    const { code } = failure;
    if (code === 'INTERNAL_SERVER_ERROR') options.logger.error({ err: error }, 'unexpected error in an export');
    outcome = controller.signal.aborted ? 'client gone' : `failed: ${code}`;
    if (!res.headersSent) return sendError(res, code, failure.message);
    if (!controller.signal.aborted) {
      await write(res, ndjson ? `${JSON.stringify({ error: { code, message: failure.message } })}\n` : csvErrorLine(code, failure.message));
    }
  } finally {
    await pagesOf.return(undefined);
    options.logger.info({ export: path, rows, pages, durationMs: Math.round(performance.now() - started), outcome }, 'export');
  }
  if (pages === 0 && !res.headersSent) return sendError(res, 'UPSTREAM_BAD_RESPONSE', 'The Veeam appliance returned no page');
  if (!res.destroyed) res.end();
}

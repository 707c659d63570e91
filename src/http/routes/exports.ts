/** The streamed exports behind the same client gate as /graphql. */
import type { Logger } from 'pino';
import { EXPORT_PATHS, serveExport, type ExportPath } from '../../exports/serve';
import type { VeeamClient } from '../../upstream/veeam-client';
import type { ClientGate } from '../client-gate';
import { createBodyWriter } from '../compression';
import type { RequestLog } from '../plugins/request-log';
import type { Route } from '../route';

export interface ExportRouteOptions {
  gate: ClientGate;
  client: VeeamClient;
  pageSize: number;
  concurrency: number;
  logger: Logger;
  requestLog: RequestLog;
  /** Deadline of one export (EXPORT_TIMEOUT_MS). */
  timeoutMs?: number;
}

const isExportPath = (path: string): path is ExportPath => (EXPORT_PATHS as readonly string[]).includes(path);

export function exportRoute(options: ExportRouteOptions): Route {
  return {
    name: 'exports',
    async handle({ req, res, url, requestId }) {
      const path = url.pathname;
      if (!isExportPath(path) || (req.method !== 'GET' && req.method !== 'OPTIONS')) return false;
      // Logged, counted and traced like a GraphQL request: refusals and failed streams included.
      const observed = options.requestLog.begin(req, res, requestId, 'export', path);
      try {
        const client = await observed.run(() => options.gate.admit(req, res, 'export'));
        if (!client) return true;
        observed.admitted(client.id);
        await observed.run(() =>
          serveExport(path, req, res, url.searchParams, {
            client: options.client,
            pageSize: options.pageSize,
            concurrency: options.concurrency,
            ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
            clientId: client.key,
            body: (response) => createBodyWriter(req, response),
            logger: options.logger.child({ component: 'export', client: client.id, requestId }),
          }),
        );
        return true;
      } finally {
        observed.done();
      }
    },
  };
}

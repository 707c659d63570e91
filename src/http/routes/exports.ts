/** The streamed exports behind the same client gate as /graphql. */
import type { Logger } from 'pino';
import { EXPORT_PATHS, serveExport, type ExportPath } from '../../exports/serve';
import type { VeeamClient } from '../../upstream/veeam-client';
import type { ClientGate } from '../client-gate';
import type { Route } from '../route';

export interface ExportRouteOptions {
  gate: ClientGate;
  client: VeeamClient;
  pageSize: number;
  concurrency: number;
  logger: Logger;
}

const isExportPath = (path: string): path is ExportPath => (EXPORT_PATHS as readonly string[]).includes(path);

export function exportRoute(options: ExportRouteOptions): Route {
  return {
    name: 'exports',
    async handle({ req, res, url, requestId }) {
      if (!isExportPath(url.pathname) || (req.method !== 'GET' && req.method !== 'OPTIONS')) return false;
      const client = await options.gate.admit(req, res);
      if (!client) return true;
      await serveExport(url.pathname, req, res, url.searchParams, {
        client: options.client,
        pageSize: options.pageSize,
        concurrency: options.concurrency,
        logger: options.logger.child({ component: 'export', client: client.id, requestId }),
      });
      return true;
    },
  };
}

/** /healthz (the process serves HTTP) and /readyz (the appliance answers): never behind client traffic. */
import { sendJson } from '../../errors/respond';
import type { Readiness } from '../health';
import type { Route } from '../route';

const isProbe = (method: string | undefined): boolean => method === 'GET' || method === 'HEAD';

export function healthRoute(readiness: () => Promise<Readiness>): Route {
  return {
    name: 'health',
    async handle({ req, res, url }) {
      if (url.pathname === '/healthz' && isProbe(req.method)) {
        sendJson(res, 200, { status: 'ok' });
        return true;
      }
      if (url.pathname === '/readyz' && isProbe(req.method)) {
        const result = await readiness();
        sendJson(res, result.ready ? 200 : 503, result);
        return true;
      }
      return false;
    },
  };
}

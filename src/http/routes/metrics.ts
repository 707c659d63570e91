/** /metrics: the Prometheus exposition of the gateway's registry. */
import type { GatewayMetrics } from '../../telemetry/metrics';
import type { Route } from '../route';

export function metricsRoute(metrics: GatewayMetrics): Route {
  return {
    name: 'metrics',
    async handle({ req, res, url }) {
      if (url.pathname !== '/metrics' || req.method !== 'GET') return false;
      const text = await metrics.registry.metrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
      res.end(text);
      return true;
    },
  };
}

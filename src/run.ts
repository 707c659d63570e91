/**
 * Starts the service from a validated configuration and an appliance to talk to. Kept apart from
 * main.ts (process signals, exit codes) so that tests start exactly what `npm start` starts. It never
 * loads the simulator: demo mode goes through demo.ts.
 */
import type { Logger } from 'pino';
import { gatewayVersion } from './config/build-info';
import type { Config } from './config/config';
import { startGateway, type Gateway } from './http/gateway';
import type { UpstreamConfig } from './upstream/options';

export interface Running {
  gateway: Gateway;
  /** Drains the gateway and logs out upstream (and, in demo mode, stops the simulator). */
  stop(): Promise<void>;
}

export async function run(config: Config, logger: Logger, upstream: UpstreamConfig | undefined = config.upstream): Promise<Running> {
  if (!upstream) throw new Error('no upstream configured (VEEAM_BASE_URL); demo mode starts through demo.ts');
  const gateway = await startGateway({
    config,
    upstream,
    logger,
    telemetry: { metrics: { ...config.metrics, version: gatewayVersion() }, tracing: config.tracing !== undefined },
  });
  return { gateway, stop: () => gateway.close() };
}

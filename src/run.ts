/**
 * Starts the whole service from a validated configuration: in demo mode (no upstream configured)
 * the embedded simulator first, then the gateway pointed at it. Kept apart from main.ts (process
 * signals, exit codes) so that tests can start exactly what `npm start` starts.
 */
import type { Logger } from 'pino';
import { startSimulator, type Simulator } from './simulator/index';
import type { Config, UpstreamConfig, UpstreamTuning } from './config/config';
import { startGateway, type Gateway } from './http/gateway';

export interface Running {
  gateway: Gateway;
  /** Present in demo mode. */
  simulator: Simulator | undefined;
  /** Drains the gateway, logs out upstream, then stops the simulator. */
  stop(): Promise<void>;
}

/** The demo's upstream: the simulator on loopback, reached with its own demo credentials. */
function demoUpstream(simulator: Simulator, tuning: UpstreamTuning): UpstreamConfig {
  const { username, password } = simulator.credentials;
  return { ...tuning, baseUrl: simulator.url, username, password, caFile: undefined, ca: undefined, tlsInsecure: false };
}

export async function run(config: Config, logger: Logger): Promise<Running> {
  let simulator: Simulator | undefined;
  let upstream = config.upstream;
  if (config.demo) {
    simulator = await startSimulator({ sessionCount: config.demo.sessionCount });
    upstream = demoUpstream(simulator, config.tuning);
    logger.warn({ simulator: simulator.url }, 'DEMO MODE: no VEEAM_BASE_URL set, serving the embedded Veeam simulator');
  }
  if (!upstream) throw new Error('no upstream configured');
  const gateway = await startGateway({ config, upstream, logger });
  return {
    gateway,
    simulator,
    async stop() {
      await gateway.close();
      await simulator?.close();
    },
  };
}

/**
 * Demo mode: the embedded Veeam simulator on loopback, then the gateway pointed at it with the
 * simulator's own demo credentials. The only module of the product that imports the simulator; main.ts
 * loads it dynamically, so a production start never loads simulator code.
 */
import type { Logger } from 'pino';
import type { Config } from './config/config';
import { run, type Running } from './run';
import { startSimulator, type Simulator } from './simulator';
import type { UpstreamConfig, UpstreamTuning } from './upstream/options';

export interface DemoRunning extends Running {
  simulator: Simulator;
}

/** The demo's upstream: the simulator on loopback, reached with its own demo credentials. */
function demoUpstream(simulator: Simulator, tuning: UpstreamTuning): UpstreamConfig {
  const { username, password } = simulator.credentials;
  return { ...tuning, baseUrl: simulator.url, username, password, caFile: undefined, ca: undefined, tlsInsecure: false };
}

export async function runDemo(config: Config, logger: Logger): Promise<DemoRunning> {
  // Sessions progress on their own, about as often as the live poller looks (the LiveSessions tab).
  const simulator = await startSimulator({ sessionCount: config.demo?.sessionCount, activity: { intervalMs: config.live.pollMs } });
  logger.warn({ simulator: simulator.url }, 'DEMO MODE: serving the embedded Veeam simulator (simulated data, no client authentication)');
  try {
    const running = await run(config, logger, demoUpstream(simulator, config.tuning));
    return {
      gateway: running.gateway,
      simulator,
      async stop() {
        await running.stop();
        await simulator.close();
      },
    };
  } catch (error) {
    await simulator.close();
    throw error;
  }
}

/**
 * Entry point: configuration, demo mode (no VEEAM_BASE_URL → the embedded simulator), the gateway,
 * and graceful shutdown on SIGTERM/SIGINT.
 */
import { ConfigError, DEFAULTS, loadConfig, type Config, type UpstreamConfig } from './server/config';
import { startGateway, GRAPHQL_PATH } from './server/gateway';
import { createLogger } from './server/logger';
import { startSimulator, type Simulator } from './simulator';

/** The demo's upstream: the simulator on loopback, reached with its own demo credentials. */
function demoUpstream(simulator: Simulator): UpstreamConfig {
  return {
    baseUrl: simulator.url,
    username: simulator.credentials.username,
    password: simulator.credentials.password,
    apiVersion: DEFAULTS.VEEAM_API_VERSION,
    caFile: undefined,
    ca: undefined,
    tlsInsecure: false,
    connectTimeoutMs: DEFAULTS.VEEAM_CONNECT_TIMEOUT_MS,
    headersTimeoutMs: DEFAULTS.VEEAM_HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: DEFAULTS.VEEAM_BODY_TIMEOUT_MS,
    keepAliveTimeoutMs: DEFAULTS.VEEAM_KEEPALIVE_TIMEOUT_MS,
    maxConnections: DEFAULTS.VEEAM_MAX_CONNECTIONS,
    pageSize: DEFAULTS.VEEAM_PAGE_SIZE,
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee the configuration table in README.md.\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let simulator: Simulator | undefined;
  let upstream = config.upstream;
  if (config.demo) {
    simulator = await startSimulator({ sessionCount: config.demo.sessionCount });
    upstream = demoUpstream(simulator);
    logger.warn({ simulator: simulator.url }, 'DEMO MODE: no VEEAM_BASE_URL set, serving the embedded Veeam simulator');
  }
  if (!upstream) throw new Error('no upstream configured');

  const gateway = await startGateway({ config, upstream, logger });
  logger.info({ url: `${gateway.url}${GRAPHQL_PATH}`, demo: Boolean(simulator) }, 'gateway listening');
  process.stdout.write(
    `\nVeeam GraphQL gateway${simulator ? ' (DEMO MODE, embedded simulator)' : ''}\n` +
      `  playground: ${gateway.url}${GRAPHQL_PATH}\n  health:     ${gateway.url}/healthz\n\n`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests, logging out upstream');
    const deadline = setTimeout(() => {
      logger.error('shutdown grace period over; exiting with requests still in flight');
      process.exit(1);
    }, config.shutdownGraceMs);
    deadline.unref();
    gateway
      .close()
      .then(() => simulator?.close())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

/**
 * Entry point: configuration (exit 2 with every mistake listed), the service, and graceful shutdown
 * on SIGTERM/SIGINT (stop accepting, finish in-flight requests, log out upstream).
 */
import { ConfigError, loadConfig, type Config } from './config/config';
import { GRAPHQL_PATH } from './http/gateway';
import { createLogger, prettyDestination } from './telemetry/logger';
import { run, type Running } from './run';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee the configuration table in README.md.\n`);
      process.exit(2);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel, config.logFormat === 'pretty' ? prettyDestination() : undefined);
  // Demo mode loads the simulator on demand: a production start never has its code in memory.
  const running: Running = config.demo ? await (await import('./demo.js')).runDemo(config, logger) : await run(config, logger);
  const { url } = running.gateway;
  const demo = config.demo !== undefined;
  logger.info({ url: `${url}${GRAPHQL_PATH}`, demo }, 'gateway listening');
  process.stdout.write(
    `\nVeeam GraphQL gateway${demo ? ' (DEMO MODE, embedded simulator)' : ''}\n` +
      `  playground: ${url}${GRAPHQL_PATH}\n  health:     ${url}/healthz\n\n`,
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
    running
      .stop()
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

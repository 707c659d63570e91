/**
 * Entry point: configuration (exit 2 with every mistake listed, before anything listens), tracing
 * when configured, the service (or demo mode, only when asked for), and graceful shutdown on
 * SIGTERM/SIGINT (stop accepting, finish in-flight requests, log out upstream). Every start-up
 * failure is a log line in the configured format, so that a log pipeline sees why a pod restarts.
 */
import type { DestinationStream, Logger } from 'pino';
import { gatewayVersion } from './config/build-info';
import { ConfigError, loadConfig, type Config } from './config/config';
import { GRAPHQL_PATH } from './http/gateway';
import { createLogger, prettyDestination } from './telemetry/logger';
import { run, type Running } from './run';

/** Exit codes: 2 is what CLI tools use for "wrong usage", here a configuration to fix. */
export const EXIT_CONFIG = 2;
export const EXIT_FAILURE = 1;

export interface EntryIo {
  env: NodeJS.ProcessEnv;
  /** Where log lines go; default stdout, pretty or JSON as configured. */
  destination?: DestinationStream;
  /** The banner for the person who started the gateway. */
  print(text: string): void;
}

export type Started = { exitCode: number } | { config: Config; logger: Logger; running: Running; stop(signal: string): Promise<number> };

function destinationFor(format: 'json' | 'pretty', io: EntryIo): DestinationStream | undefined {
  return io.destination ?? (format === 'pretty' ? prettyDestination() : undefined);
}

/** The format for a configuration that failed to load: LOG_FORMAT if usable, else what the start would have used. */
function formatBeforeConfig(env: NodeJS.ProcessEnv): 'json' | 'pretty' {
  const format = env['LOG_FORMAT'];
  if (format === 'json' || format === 'pretty') return format;
  return env['VEEAM_BASE_URL'] || env['NODE_ENV'] === 'production' ? 'json' : 'pretty';
}

/** What a start-up failure means to an operator, with the fix when it is known. */
export function describeStartFailure(error: unknown, config: Config): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE')
    return `port ${config.port} on ${config.host} is already in use (EADDRINUSE): set PORT to a free port or stop the other process`;
  if (code === 'EACCES')
    return `not allowed to listen on port ${config.port} (EACCES): use a port above 1023 or give the process the right`;
  if (code === 'EADDRNOTAVAIL') return `HOST=${config.host} is not an address of this machine (EADDRNOTAVAIL)`;
  return `the gateway failed to start: ${error instanceof Error ? error.message : String(error)}`;
}

/** The banner: only what is really served (no playground line when the playground is off). */
export function bannerText(config: Config, url: string): string {
  const lines = [`Veeam GraphQL gateway${config.demo ? ' (DEMO MODE: embedded simulator, simulated data, no client authentication)' : ''}`];
  lines.push(`  graphql:    ${url}${GRAPHQL_PATH}`);
  if (config.playground) lines.push(`  playground: ${url}${GRAPHQL_PATH} (in a browser)`);
  lines.push(`  health:     ${url}/healthz`, `  metrics:    ${url}/metrics`);
  if (config.demo && config.host === '127.0.0.1') lines.push('  reachable from this machine only (set HOST=0.0.0.0 to share it)');
  return `\n${lines.join('\n')}\n\n`;
}

/** Configuration, tracing and the service; never exits the process itself (tests drive it). */
export async function startFromEnv(io: EntryIo): Promise<Started> {
  let config: Config;
  try {
    config = loadConfig(io.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const logger = createLogger('info', destinationFor(formatBeforeConfig(io.env), io));
    logger.fatal({ problems: error.problems }, 'invalid configuration, nothing started; see the configuration table in README.md');
    return { exitCode: EXIT_CONFIG };
  }
  const logger = createLogger(config.logLevel, destinationFor(config.logFormat, io));
  const version = gatewayVersion();
  // The SDK is loaded only when tracing is on: off, the API's no-op tracer costs nothing.
  const tracing = config.tracing
    ? (await import('./telemetry/tracing.js')).startTracing({ serviceName: config.tracing.serviceName, version })
    : undefined;
  let running: Running;
  try {
    // Demo mode loads the simulator on demand: a production start never has its code in memory.
    running = config.demo ? await (await import('./demo.js')).runDemo(config, logger) : await run(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, describeStartFailure(error, config));
    await tracing?.shutdown();
    return { exitCode: EXIT_FAILURE };
  }
  const { url } = running.gateway;
  logger.info(
    { url: `${url}${GRAPHQL_PATH}`, demo: config.demo !== undefined, version, tracing: tracing !== undefined },
    'gateway listening',
  );
  io.print(bannerText(config, url));
  return {
    config,
    logger,
    running,
    stop: async (signal) => {
      const exitCode = await stopGracefully(running, logger, config.shutdownGraceMs, signal);
      await tracing?.shutdown().catch(() => undefined);
      return exitCode;
    },
  };
}

/**
 * Stops the service: drains in-flight requests, logs out upstream. Resolves 0 as soon as that is done
 * (at once when idle), or 1 with an ERROR line when requests are still running after the grace period.
 */
export async function stopGracefully(running: Running, logger: Logger, graceMs: number, signal: string): Promise<number> {
  logger.info({ signal }, 'shutting down: draining requests, logging out upstream');
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<number>((resolve) => {
    timer = setTimeout(() => {
      logger.error({ graceMs }, 'shutdown grace period over; exiting with requests still in flight');
      resolve(EXIT_FAILURE);
    }, graceMs);
  });
  const stopped = running.stop().then(
    () => 0,
    (error: unknown) => {
      logger.error({ err: error }, 'error during shutdown');
      return EXIT_FAILURE;
    },
  );
  const exitCode = await Promise.race([stopped, deadline]);
  clearTimeout(timer);
  if (exitCode === 0) logger.info('stopped');
  return exitCode;
}

async function main(): Promise<void> {
  const started = await startFromEnv({ env: process.env, print: (text) => process.stdout.write(text) });
  if ('exitCode' in started) process.exit(started.exitCode);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    void started.stop(signal).then((exitCode) => process.exit(exitCode));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

// Imported by tests for startFromEnv; run only as the process entry.
if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`gateway failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(EXIT_FAILURE);
  });
}

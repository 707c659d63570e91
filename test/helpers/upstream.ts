/**
 * Shared fixtures for tests that talk to the simulator: an upstream config pointing at it and a
 * logger whose lines the test can read.
 */
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { loadConfig, type UpstreamConfig } from '../../src/config/config';
import { createLogger } from '../../src/telemetry/logger';
import type { Simulator } from '../../src/simulator';

/**
 * The revision tests speak unless they test negotiation: the newest the simulator's default window and
 * the demo share, so every session type and field of the data set is visible.
 */
export const TEST_API_VERSION = '1.7-rev0';

export function upstreamConfigFor(sim: Simulator, overrides: Partial<UpstreamConfig> = {}): UpstreamConfig {
  return {
    ...loadConfig({}).tuning,
    apiVersion: TEST_API_VERSION,
    baseUrl: sim.url,
    username: sim.credentials.username,
    password: sim.credentials.password,
    caFile: undefined,
    ca: undefined,
    tlsInsecure: false,
    // Short enough that a broken test fails fast; long enough for a loaded CI machine.
    connectTimeoutMs: 2_000,
    headersTimeoutMs: 10_000,
    bodyTimeoutMs: 10_000,
    ...overrides,
  };
}

export interface CapturedLogs {
  logger: Logger;
  /** Every line written so far, raw (what an operator's log shipper would receive). */
  text(): string;
  lines(): Array<Record<string, unknown>>;
}

export function captureLogs(level: 'info' | 'debug' | 'trace' = 'trace'): CapturedLogs {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = createLogger(level, sink);
  const text = (): string => chunks.join('');
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/**
 * Shared fixtures for tests that talk to the simulator: an upstream config pointing at it and a
 * logger whose lines the test can read.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
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

export function upstreamConfigFor(sim: Pick<Simulator, 'url' | 'credentials'>, overrides: Partial<UpstreamConfig> = {}): UpstreamConfig {
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

/**
 * Real time plus whatever the test skipped: a component given `clock.now` sees `advance(ms)` as that
 * much time passing at once, so a test moves past a cache period or an expiry instead of sleeping.
 */
export class ManualClock {
  private skippedMs = 0;
  readonly now = (): number => Date.now() + this.skippedMs;

  advance(ms: number): void {
    this.skippedMs += ms;
  }
}

/** Waits for something a test cannot await directly (a background refresh); fails after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
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

/**
 * The upstream calls the process hands to undici, in the order it hands them (undici's
 * `undici:request:create` channel): the order calls leave in, which the appliance's receipt order
 * (one socket each) does not reliably show. Paths relative to `origin`'s calls only.
 */
export function recordDispatches(origin: string): { paths(): string[]; stop(): void } {
  const paths: string[] = [];
  const onCreate = (message: unknown): void => {
    const { request } = message as { request: { origin: string; path: string } };
    if (request.origin === origin) paths.push(request.path);
  };
  subscribe('undici:request:create', onCreate);
  return { paths: () => [...paths], stop: () => unsubscribe('undici:request:create', onCreate) };
}

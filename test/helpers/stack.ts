/**
 * The real gateway in front of the real simulator, both on ephemeral loopback ports, plus a small
 * GraphQL client. What end-to-end tests run against.
 */
import { request } from 'undici';
import { loadConfig, type Config, type UpstreamConfig } from '../../src/config/config';
import { startGateway, type Gateway } from '../../src/http/gateway';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator';
import { captureLogs, TEST_API_VERSION, upstreamConfigFor, type CapturedLogs } from './upstream';

export interface GraphQLResponse<D = Record<string, unknown>> {
  status: number;
  data?: D | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

export interface Stack {
  sim: Simulator;
  gateway: Gateway;
  logs: CapturedLogs;
  gql<D = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<D>>;
  close(): Promise<void>;
}

export interface StackOptions {
  simulator?: SimulatorOptions;
  env?: Record<string, string>;
  upstream?: Partial<UpstreamConfig>;
  /** The gateway's clock (readiness cache, breaker, token expiry): see ManualClock. */
  clock?: () => number;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sim = await startSimulator({ sessionCount: 500, anchor: new Date('2026-11-01T00:00:00Z'), ...options.simulator });
  const logs = captureLogs('info');
  // No rate limit unless a test asks for one: suites fire many queries from one (anonymous) client.
  const config: Config = { ...loadConfig({ LOG_LEVEL: 'info', RATE_LIMIT_RPS: '0', ...options.env }), port: 0, host: '127.0.0.1' };
  // The environment's tuning (cache TTLs, retries, page size …) applies to the upstream, as in run().
  const upstream = upstreamConfigFor(sim, { ...config.tuning, apiVersion: TEST_API_VERSION, ...options.upstream });
  const gateway = await startGateway({ config, upstream, logger: logs.logger, ...(options.clock ? { clock: options.clock } : {}) });
  return {
    sim,
    gateway,
    logs,
    async gql<D>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<D>> {
      const response = await request(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.body.json()) as Omit<GraphQLResponse<D>, 'status'>;
      return { status: response.statusCode, ...body };
    },
    async close() {
      await gateway.close();
      await sim.close();
    },
  };
}

/**
 * The gateway in front of the simulator, as test/helpers/stack.ts starts them, with the live poller
 * on a manual trigger (`tick()` polls once) and helpers for the two subscription transports.
 */
import { createClient as createSseClient, type Client as SseClient } from 'graphql-sse';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig, type Config } from '../../src/config/config';
import { startGateway, type Gateway, type GatewayOptions } from '../../src/http/gateway';
import { ManualTrigger } from '../../src/live/index';
import { startSimulator, type Simulator } from '../../src/simulator';
import { captureLogs, TEST_API_VERSION, until, upstreamConfigFor } from '../helpers/upstream';

export interface LiveStack {
  sim: Simulator;
  gateway: Gateway;
  trigger: ManualTrigger;
  /** One poll of the appliance (after the start-up poll). */
  tick(): Promise<void>;
  sse(headers?: Record<string, string> | (() => Record<string, string>)): SseClient;
  /** `headers`: sent with the upgrade request (as a proxy's X-Forwarded-For). */
  ws(connectionParams?: Record<string, string>, headers?: Record<string, string>): WsClient;
  close(): Promise<void>;
}

export async function startLiveStack(
  env: Record<string, string> = {},
  gatewayOptions: Pick<GatewayOptions, 'webSocketWaits'> = {},
): Promise<LiveStack> {
  const sim = await startSimulator({ sessionCount: 500, anchor: new Date('2026-11-01T00:00:00Z') });
  const logs = captureLogs('info');
  const config: Config = { ...loadConfig({ LOG_LEVEL: 'info', RATE_LIMIT_RPS: '0', ...env }), port: 0, host: '127.0.0.1' };
  const upstream = upstreamConfigFor(sim, { ...config.tuning, apiVersion: TEST_API_VERSION });
  const trigger = new ManualTrigger();
  const gateway = await startGateway({ config, upstream, logger: logs.logger, liveTrigger: trigger, ...gatewayOptions });
  const clients: Array<{ dispose(): void | Promise<void> }> = [];
  return {
    sim,
    gateway,
    trigger,
    tick: () => trigger.tick(),
    sse(headers) {
      const client = createSseClient({ url: `${gateway.url}/graphql/stream`, retryAttempts: 0, ...(headers ? { headers } : {}) });
      clients.push(client);
      return client;
    },
    ws(connectionParams, headers) {
      const client = createWsClient({
        url: `${gateway.url.replace('http', 'ws')}/graphql`,
        webSocketImpl: headers
          ? class extends WebSocket {
              constructor(address: string, protocols?: string | string[]) {
                super(address, protocols, { headers });
              }
            }
          : WebSocket,
        retryAttempts: 0,
        lazy: false,
        // A refused connection is asserted by the tests through their subscriptions; not logged here.
        onNonLazyError: () => undefined,
        ...(connectionParams ? { connectionParams } : {}),
      });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) await client.dispose();
      await gateway.close();
      await sim.close();
    },
  };
}

export { until };

export interface Update {
  usn: string;
  changes: string[];
  session: { id: string; status: string; protectedItems?: { totalCount: number } | null };
}

/** Collects the events of one subscription; `next(n)` waits until n have arrived. */
export class Collector {
  readonly updates: Update[] = [];
  readonly errors: unknown[] = [];
  completed = false;

  sink() {
    return {
      next: (result: { data?: { sessionUpdates?: Update } | null; errors?: unknown }) => {
        if (result.data?.sessionUpdates) this.updates.push(result.data.sessionUpdates);
        if (result.errors) this.errors.push(...(result.errors as unknown[]));
      },
      error: (error: unknown) => {
        this.errors.push(error);
      },
      complete: () => {
        this.completed = true;
      },
    };
  }

  async count(n: number): Promise<Update[]> {
    await until(() => this.updates.length >= n, `${n} updates (have ${this.updates.length})`);
    return this.updates;
  }
}

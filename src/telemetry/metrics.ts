/**
 * Prometheus metrics (prom-client) on a registry of the gateway's own, so that several gateways in
 * one process (tests) never share counters. Label values are bounded: operation names come from
 * clients, so only well-formed ones are kept, up to a fixed number of distinct names.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { UpstreamHooks } from '../upstream/index';
import type { BreakerState } from '../upstream/resilience/circuit-breaker';

const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/** Distinct operation names tracked before new ones are labelled `other` (cardinality guard). */
export const MAX_OPERATION_LABELS = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Seconds; from a cache hit (~1 ms) to a slow appliance page (~10 s). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly operations = new Set<string>();

  readonly graphqlRequests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL requests by operation name and outcome (success, partial, error).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly graphqlDuration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'GraphQL request latency by operation name.',
    labelNames: ['operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly upstreamCalls = new Counter({
    name: 'upstream_calls_total',
    help: 'Calls to the Veeam API by endpoint and status (0 = no HTTP answer).',
    labelNames: ['endpoint', 'status'] as const,
    registers: [this.registry],
  });

  readonly upstreamDuration = new Histogram({
    name: 'upstream_call_duration_seconds',
    help: 'Veeam API call latency by endpoint.',
    labelNames: ['endpoint'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly upstreamInFlight = new Gauge({
    name: 'upstream_calls_in_flight',
    help: 'Veeam API calls sent and not yet answered.',
    registers: [this.registry],
  });

  readonly tokenGrants = new Counter({
    name: 'upstream_token_grants_total',
    help: 'Token requests to the Veeam API: grant password (logins) or refresh_token, by outcome.',
    labelNames: ['grant', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly loaderBatchSize = new Histogram({
    name: 'dataloader_batch_size',
    help: 'Keys per DataLoader batch, by loader.',
    labelNames: ['loader'] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [this.registry],
  });

  readonly cacheLookups = new Counter({
    name: 'upstream_cache_lookups_total',
    help: 'Upstream response cache lookups by cache and result (hit, miss, shared = joined an identical call in flight).',
    labelNames: ['cache', 'result'] as const,
    registers: [this.registry],
  });

  readonly upstreamRetries = new Counter({
    name: 'upstream_retries_total',
    help: 'Veeam API calls retried after a transient failure, by endpoint.',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  });

  private breaker: { readonly state: BreakerState } | undefined;

  readonly breakerState: Gauge = new Gauge({
    name: 'upstream_circuit_state',
    help: 'Circuit breaker toward the appliance: 0 closed, 1 half-open, 2 open.',
    registers: [this.registry],
    // Read at every scrape: the breaker moves from open to half-open by time alone.
    collect: (): void => this.breakerState.set(BREAKER_STATE_VALUE[this.breaker?.state ?? 'closed']),
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The operation label for a client-supplied name: bounded in shape and number. */
  operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'other';
    if (this.operations.has(name)) return name;
    if (this.operations.size >= MAX_OPERATION_LABELS) return 'other';
    this.operations.add(name);
    return name;
  }

  /** Hooks that feed the upstream metrics from the upstream layer's observers. */
  upstreamHooks(): UpstreamHooks {
    return {
      calls: {
        start: () => this.upstreamInFlight.inc(),
        end: (call) => {
          this.upstreamInFlight.dec();
          this.upstreamCalls.inc({ endpoint: call.endpoint, status: String(call.status ?? 0) });
          this.upstreamDuration.observe({ endpoint: call.endpoint }, call.durationMs / 1000);
        },
      },
      onGrant: (grant, outcome) => this.tokenGrants.inc({ grant, outcome }),
      cache: (cache, result) => this.cacheLookups.inc({ cache, result }),
      onRetry: (endpoint) => this.upstreamRetries.inc({ endpoint }),
    };
  }

  watchBreaker(breaker: { readonly state: BreakerState }): void {
    this.breaker = breaker;
  }
}

/**
 * Prometheus metrics (prom-client) on a registry of the gateway's own, so that several gateways in
 * one process (tests) never share counters. Every name has one application prefix, and every label
 * takes its values from a set fixed at start-up: operation and client names come from clients, so
 * only names known in advance are kept (anything else is `other`), and a flood of invented names
 * cannot add series.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { UpstreamHooks } from '../upstream/index';
import type { BreakerState } from '../upstream/interceptors/circuit-breaker';
import { BoundedLabel } from './bounded-label';

export { BoundedLabel, OTHER_LABEL } from './bounded-label';

/** Every series of the gateway starts with it, the process and Node.js defaults included. */
export const METRIC_PREFIX = 'veeam_gateway_';

const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/** Seconds; from a cache hit (~1 ms) to a slow appliance page (~10 s). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Why the gateway refused a request: a fixed set, so that the counter's series are known. */
export const REFUSAL_REASONS = [
  'unauthenticated',
  'rate_limited',
  'payload_too_large',
  'csrf',
  'query_too_deep',
  'too_many_aliases',
  'query_too_costly',
  'query_too_large',
  'not_trusted',
  'overloaded',
  'bad_input',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** The routes whose requests are counted and logged. */
export type ObservedRoute = 'graphql' | 'export';

export interface MetricsOptions {
  /** Operation names kept as labels (trusted documents, the playground's tabs, METRICS_OPERATION_NAMES). */
  operationNames?: Iterable<string>;
  /** `apollographql-client-name` values kept as labels (METRICS_CLIENT_NAMES). */
  clientNames?: Iterable<string>;
  /** For build_info: the gateway's version (package.json). */
  version?: string;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly operations: BoundedLabel;
  private readonly clients: BoundedLabel;

  readonly graphqlRequests = new Counter({
    name: `${METRIC_PREFIX}graphql_requests_total`,
    help: 'GraphQL requests by operation name, client name (apollographql-client-name) and outcome (success, partial, error).',
    labelNames: ['operation', 'client', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly httpResponses = new Counter({
    name: `${METRIC_PREFIX}http_responses_total`,
    help: 'Answers of the GraphQL and export routes by route and HTTP status.',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });

  readonly refusals = new Counter({
    name: `${METRIC_PREFIX}refusals_total`,
    help: `Requests refused by the gateway, by route and reason (${REFUSAL_REASONS.join(', ')}).`,
    labelNames: ['route', 'reason'] as const,
    registers: [this.registry],
  });

  readonly buildInfo = new Gauge({
    name: `${METRIC_PREFIX}build_info`,
    help: 'Always 1; the labels say which gateway version runs on which Node.js.',
    labelNames: ['version', 'node_version'] as const,
    registers: [this.registry],
  });

  readonly apiRevision = new Gauge({
    name: `${METRIC_PREFIX}upstream_api_revision`,
    help: 'Always 1; the label is the x-api-version the gateway speaks to the appliance.',
    labelNames: ['revision'] as const,
    registers: [this.registry],
  });

  readonly graphqlDuration = new Histogram({
    name: `${METRIC_PREFIX}graphql_request_duration_seconds`,
    help: 'GraphQL request latency by operation name.',
    labelNames: ['operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly upstreamCalls = new Counter({
    name: `${METRIC_PREFIX}upstream_calls_total`,
    help: 'Calls to the Veeam API by endpoint and status (0 = no HTTP answer).',
    labelNames: ['endpoint', 'status'] as const,
    registers: [this.registry],
  });

  readonly upstreamDuration = new Histogram({
    name: `${METRIC_PREFIX}upstream_call_duration_seconds`,
    help: 'Veeam API call latency by endpoint.',
    labelNames: ['endpoint'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly upstreamInFlight = new Gauge({
    name: `${METRIC_PREFIX}upstream_calls_in_flight`,
    help: 'Veeam API calls sent and not yet answered.',
    registers: [this.registry],
  });

  readonly tokenGrants = new Counter({
    name: `${METRIC_PREFIX}upstream_token_grants_total`,
    help: 'Token requests to the Veeam API: grant password (logins) or refresh_token, by outcome.',
    labelNames: ['grant', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly loaderBatchSize = new Histogram({
    name: `${METRIC_PREFIX}dataloader_batch_size`,
    help: 'Keys per DataLoader batch, by loader.',
    labelNames: ['loader'] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [this.registry],
  });

  readonly cacheLookups = new Counter({
    name: `${METRIC_PREFIX}upstream_cache_lookups_total`,
    help: 'Upstream response cache lookups by cache and result (hit, miss, shared = joined an identical call in flight).',
    labelNames: ['cache', 'result'] as const,
    registers: [this.registry],
  });

  readonly upstreamRetries = new Counter({
    name: `${METRIC_PREFIX}upstream_retries_total`,
    help: 'Veeam API calls retried after a transient failure, by endpoint.',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  });

  private breaker: { readonly state: BreakerState } | undefined;

  readonly breakerState: Gauge = new Gauge({
    name: `${METRIC_PREFIX}upstream_circuit_state`,
    help: 'Circuit breaker toward the appliance: 0 closed, 1 half-open, 2 open.',
    registers: [this.registry],
    // Read at every scrape: the breaker moves from open to half-open by time alone.
    collect: (): void => this.breakerState.set(BREAKER_STATE_VALUE[this.breaker?.state ?? 'closed']),
  });

  constructor(options: MetricsOptions = {}) {
    collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
    this.operations = new BoundedLabel(options.operationNames ?? [], 'anonymous');
    this.clients = new BoundedLabel(options.clientNames ?? [], 'none');
    this.buildInfo.set({ version: options.version ?? 'unknown', node_version: process.version }, 1);
  }

  /** The operation label: a known operation name, `anonymous` without a name, else `other`. */
  operationLabel(name: string | null | undefined): string {
    return this.operations.label(name);
  }

  /** The client label: a known client name, `none` without the header, else `other`. */
  clientLabel(name: string | undefined): string {
    return this.clients.label(name);
  }

  /** The revision in use; one series at a time (a negotiated revision replaces the previous one). */
  setApiRevision(revision: string): void {
    this.apiRevision.reset();
    this.apiRevision.set({ revision }, 1);
  }

  refused(route: ObservedRoute, reason: RefusalReason): void {
    this.refusals.inc({ route, reason });
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
      onRevision: (revision) => this.setApiRevision(revision),
    };
  }

  watchBreaker(breaker: { readonly state: BreakerState }): void {
    this.breaker = breaker;
  }
}

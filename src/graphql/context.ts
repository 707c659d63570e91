/**
 * The per-request GraphQL context: the upstream client, this request's DataLoaders (so batching and
 * de-duplication never cross requests), the limits, and the call options every upstream call of the
 * request carries (the signal that aborts it when the client goes away, the per-request call count).
 */
import type { GatewayLimits } from '../sessions/limits';
import type { CallOptions, CallStats, VeeamClient } from '../upstream/veeam-client';
import { withFields } from '../upstream/with-fields';
import { CachePolicy } from './cache-hints';
import type { ListMemory } from './list-memory';
import { createLoaders, type LoaderTelemetry, type Loaders } from './loaders';

export type { GatewayLimits };

/** Seconds a response may be reused, mirroring the upstream cache rules (for Cache-Control hints). */
export interface CacheHints {
  finishedItemsSeconds: number;
  liveSeconds: number;
}

/** What every request shares: built once at start-up. */
export interface GatewayServices {
  client: VeeamClient;
  limits: GatewayLimits;
  cacheHints: CacheHints;
  /** What each sessions list's last answer showed (running sessions, rows): next time, more starts with the list. */
  lists: ListMemory;
  telemetry?: LoaderTelemetry;
}

/** What identifies one request. */
export interface RequestInfo {
  requestId: string;
  /** The authenticated client's name (`anonymous` without client authentication). */
  clientId: string;
  /** Whose share of the upstream this request draws on (the client, or its address without authentication). */
  shareKey?: string;
  /** Aborts when the client goes away or the request's deadline passes. */
  signal: AbortSignal;
  /** Epoch ms of the request's deadline. */
  deadline: number;
}

export interface GatewayContext extends RequestInfo {
  client: VeeamClient;
  loaders: Loaders;
  limits: GatewayLimits;
  cacheHints: CacheHints;
  lists: ListMemory;
  /** How long this request's answer may be reused (Cache-Control). */
  cachePolicy: CachePolicy;
  stats: CallStats;
  /** Pass to every upstream call made for this request. */
  call: Required<Omit<CallOptions, 'priority'>>;
}

export function createContext(services: GatewayServices, info: RequestInfo): GatewayContext {
  const stats: CallStats = { upstreamCalls: 0 };
  const call = { signal: info.signal, stats, deadline: info.deadline, clientId: info.shareKey ?? info.clientId };
  return withFields(info, {
    client: services.client,
    limits: services.limits,
    cacheHints: services.cacheHints,
    lists: services.lists,
    cachePolicy: new CachePolicy(),
    stats,
    call,
    loaders: createLoaders(services.client, services.limits, call, {
      telemetry: services.telemetry,
      itemsKeptApart: services.cacheHints.finishedItemsSeconds !== services.cacheHints.liveSeconds,
    }),
  });
}

/**
 * The per-request GraphQL context: the upstream client, this request's DataLoaders (so batching and
 * de-duplication never cross requests), the limits, and the signal that aborts upstream work when
 * the client goes away.
 */
import type { VeeamClient } from '../upstream/veeam-client';
import { createLoaders, type Loaders } from './loaders';

export interface GatewayLimits {
  /** Largest `page.limit` a client may ask for. */
  maxPageLimit: number;
  /** Largest Limit sent upstream in one call; larger pages are assembled from several calls. */
  upstreamPageSize: number;
}

export interface GatewayContext {
  client: VeeamClient;
  loaders: Loaders;
  limits: GatewayLimits;
  signal: AbortSignal;
}

export function createContext(client: VeeamClient, limits: GatewayLimits, signal: AbortSignal): GatewayContext {
  return { client, limits, signal, loaders: createLoaders(client, limits, signal) };
}

/**
 * Liveness and readiness. /healthz says the process serves HTTP; /readyz that the appliance answers
 * and a token can be had, checked with the cheapest real call and cached briefly so that probes from
 * several orchestrators cannot add load to a small appliance.
 */
import { PROBE_ORDER } from '../sessions/rules';
import type { Logger } from 'pino';
import { describe } from '../upstream/token-manager';
import type { BreakerState } from '../upstream/resilience/circuit-breaker';
import type { VeeamClient } from '../upstream/veeam-client';

/** Probes every few seconds share one upstream check. */
export const READINESS_CACHE_MS = 2_000;
/** A readiness probe must answer before the orchestrator's own timeout (commonly 5 s+). */
export const READINESS_TIMEOUT_MS = 4_000;

export interface Readiness {
  ready: boolean;
  upstream: 'ok' | 'unavailable';
  circuit: BreakerState;
  reason?: string;
}

export function createReadinessCheck(
  client: VeeamClient,
  breaker: { readonly state: BreakerState },
  logger: Logger,
): () => Promise<Readiness> {
  let cached: { at: number; value: Promise<Readiness> } | undefined;
  const check = async (): Promise<Readiness> => {
    // While the circuit is open the answer is known without calling the appliance.
    if (breaker.state === 'open') return { ready: false, upstream: 'unavailable', circuit: 'open', reason: 'circuit open' };
    try {
      await client.listSessions({ offset: 0, limit: 1, sort: PROBE_ORDER }, { signal: AbortSignal.timeout(READINESS_TIMEOUT_MS) });
      return { ready: true, upstream: 'ok', circuit: breaker.state };
    } catch (error) {
      const reason = describe(error);
      logger.warn({ err: reason }, 'readiness check failed');
      return { ready: false, upstream: 'unavailable', circuit: breaker.state, reason: reason.code ?? reason.type };
    }
  };
  return () => {
    const now = Date.now();
    if (!cached || now - cached.at > READINESS_CACHE_MS) cached = { at: now, value: check() };
    return cached.value;
  };
}

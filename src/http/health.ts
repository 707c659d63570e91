/**
 * Liveness and readiness. /healthz says the process serves HTTP; /readyz that the appliance answers
 * and a token can be had, checked with the cheapest real call and cached briefly so that probes from
 * several orchestrators cannot add load to a small appliance. When not ready, the reason is the
 * exact diagnosis (unreachable, TLS, revision, credentials, MFA, forbidden, appliance error) as its
 * public code and an operator's message; when ready, the API revision in use.
 */
import type { Logger } from 'pino';
import { diagnoseUpstream } from '../errors/public-error';
import { ErrorCode, type PublicErrorCode } from '../errors/catalogue';
import { PROBE_ORDER } from '../sessions/rules';
import { CircuitOpenError, isUpstreamError, type UpstreamError } from '../upstream/errors';
import type { BreakerState } from '../upstream/interceptors/circuit-breaker';
import { describe } from '../upstream/token-manager';
import type { VeeamClient } from '../upstream/veeam-client';

/** Probes every few seconds share one upstream check. */
export const READINESS_CACHE_MS = 2_000;
/** A readiness probe must answer before the orchestrator's own timeout (commonly 5 s+). */
export const READINESS_TIMEOUT_MS = 4_000;

export interface Readiness {
  ready: boolean;
  upstream: 'ok' | 'unavailable';
  circuit: BreakerState;
  /** The x-api-version in use (pinned or negotiated); absent before the first login succeeds. */
  revision?: string;
  /** Why not ready: a public error code from the catalogue. */
  reason?: PublicErrorCode;
  /** What the operator should know or do about it. */
  message?: string;
}

export interface ReadinessOptions {
  /** @default READINESS_CACHE_MS */
  cacheMs?: number;
  now?: () => number;
}

export function createReadinessCheck(
  client: VeeamClient,
  breaker: { readonly state: BreakerState; readonly lastFailure?: UpstreamError | undefined },
  logger: Logger,
  options: ReadinessOptions = {},
): () => Promise<Readiness> {
  const cacheMs = options.cacheMs ?? READINESS_CACHE_MS;
  const now = options.now ?? Date.now;
  let cached: { at: number; value: Promise<Readiness> } | undefined;
  const withRevision = (readiness: Readiness): Readiness =>
    client.revision === undefined ? readiness : { ...readiness, revision: client.revision };
  const check = async (): Promise<Readiness> => {
    // While the circuit is open the answer is known without calling the appliance.
    if (breaker.state === 'open') {
      // The failure that opened it is the diagnosis (unreachable, TLS, …); the open circuit is only its effect.
      const cause = breaker.lastFailure ? diagnoseUpstream(breaker.lastFailure) : undefined;
      return withRevision({
        ready: false,
        upstream: 'unavailable',
        circuit: 'open',
        reason: cause?.code ?? ErrorCode.UPSTREAM_UNAVAILABLE,
        message: `${cause ? `${cause.message}; ` : ''}circuit open`,
      });
    }
    try {
      await client.listSessions(
        { offset: 0, limit: 1, sort: PROBE_ORDER },
        { signal: AbortSignal.timeout(READINESS_TIMEOUT_MS), priority: 'high' },
      );
      return withRevision({ ready: true, upstream: 'ok', circuit: breaker.state });
    } catch (error) {
      logger.warn({ err: describe(error) }, 'readiness check failed');
      // A circuit that opened during the check: the failure that opened it is the diagnosis.
      const cause = error instanceof CircuitOpenError && breaker.lastFailure ? breaker.lastFailure : error;
      const diagnosis = isUpstreamError(cause)
        ? diagnoseUpstream(cause)
        : { code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'readiness check failed' };
      return withRevision({
        ready: false,
        upstream: 'unavailable',
        circuit: breaker.state,
        reason: diagnosis.code,
        message: diagnosis.message,
      });
    }
  };
  return () => {
    const at = now();
    if (!cached || at - cached.at > cacheMs) cached = { at, value: check() };
    return cached.value;
  };
}

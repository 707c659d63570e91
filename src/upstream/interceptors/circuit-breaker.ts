/**
 * A circuit breaker per appliance. After `failureThreshold` consecutive failures of the appliance
 * (5xx, no answer, timeouts; never a 4xx, which is the request's fault) it opens: calls fail at once
 * instead of queueing behind a dead appliance. After `openMs` one probe call is let through
 * (half-open); its success closes the circuit, its failure opens it again. undici has no breaker.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import {
  CircuitOpenError,
  UpstreamAbortedError,
  UpstreamAuthError,
  UpstreamError,
  UpstreamHttpError,
  UpstreamOverloadedError,
} from '../errors';
import { contextOf, toUpstreamError, type Interceptor, type UpstreamCallContext } from '../transport';
import { failCall, ForwardingHandler } from './handler';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive appliance failures that open the circuit. @default 5: one bad page is not an outage. */
  failureThreshold: number;
  /** How long it stays open before a probe. @default 10 000 ms: long enough for a restart to begin. */
  openMs: number;
  now?: () => number;
}

export const DEFAULT_BREAKER: BreakerOptions = { failureThreshold: 5, openMs: 10_000 };

/** Whether an error says the appliance itself is in trouble (as opposed to the request). */
export function isApplianceFailure(error: unknown): boolean {
  if (error instanceof UpstreamAbortedError || error instanceof CircuitOpenError || error instanceof UpstreamOverloadedError) {
    return false;
  }
  if (error instanceof UpstreamHttpError) return error.status >= 500;
  if (error instanceof UpstreamAuthError) return error.reason === 'TOKEN_ENDPOINT_FAILED' && (error.status ?? 500) >= 500;
  return error instanceof UpstreamError;
}

export type Outcome = 'success' | 'failure' | 'neutral';

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private current: BreakerState = 'closed';
  /** The failure that last counted against the appliance: why the circuit is open, for readiness. */
  private lastFailureSeen: UpstreamError | undefined;
  private readonly now: () => number;
  private readonly listeners: Array<(state: BreakerState) => void> = [];

  constructor(private readonly options: BreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.options.openMs) return 'half-open';
    return this.current;
  }

  get lastFailure(): UpstreamError | undefined {
    return this.lastFailureSeen;
  }

  onStateChange(listener: (state: BreakerState) => void): void {
    this.listeners.push(listener);
  }

  /** Lets a call through (reporting whether it is the probe) or throws CircuitOpenError. */
  admit(endpoint: string): { probe: boolean } {
    const state = this.state;
    if (state === 'open' || (state === 'half-open' && this.probing)) {
      const waitMs = Math.max(0, this.options.openMs - (this.now() - this.openedAt));
      throw new CircuitOpenError(endpoint, Math.max(1, Math.ceil(waitMs / 1000)));
    }
    const probe = state === 'half-open';
    if (probe) this.probing = true;
    return { probe };
  }

  /**
   * How an admitted call went. Only an answer from the appliance closes the circuit: a probe that
   * ended neutral (its caller left, the queue shed it) frees the probe slot and the next call probes.
   */
  record(outcome: Outcome, probe: boolean, failure?: UpstreamError): void {
    if (probe) this.probing = false;
    if (outcome === 'failure' && failure) this.lastFailureSeen = failure;
    if (outcome === 'failure') this.failed(probe);
    else if (outcome === 'success') this.succeeded();
  }

  /** Runs a promise-returning call through the breaker (tests, and callers outside the chain). */
  async run<T>(endpoint: string, call: () => Promise<T>): Promise<T> {
    const { probe } = this.admit(endpoint);
    try {
      const result = await call();
      this.record('success', probe);
      return result;
    } catch (error) {
      // A 4xx is the appliance answering: as much a sign of life as a 2xx.
      const answered = error instanceof UpstreamHttpError && error.status < 500;
      this.record(
        isApplianceFailure(error) ? 'failure' : answered ? 'success' : 'neutral',
        probe,
        error instanceof UpstreamError ? error : undefined,
      );
      throw error;
    }
  }

  private succeeded(): void {
    this.failures = 0;
    this.transition('closed');
  }

  private failed(probe: boolean): void {
    this.failures += 1;
    if (probe || this.failures >= this.options.failureThreshold) {
      this.openedAt = this.now();
      this.transition('open');
    }
  }

  private transition(next: BreakerState): void {
    const changed = this.current !== next;
    this.current = next;
    if (changed) for (const listener of this.listeners) listener(next);
  }
}

export function circuitBreaker(breaker: CircuitBreaker): Interceptor {
  return (dispatch) => (options, handler) => {
    const context = contextOf(options);
    const { endpoint } = context;
    let admitted: { probe: boolean };
    try {
      admitted = breaker.admit(endpoint);
    } catch (error) {
      failCall(handler, error as CircuitOpenError);
      return true;
    }
    let recorded = false;
    const record = (outcome: Outcome, failure?: UpstreamError): void => {
      if (recorded) return;
      recorded = true;
      breaker.record(outcome, admitted.probe, failure);
    };
    return dispatch(options, new RecordingHandler(handler, context, record));
  };
}

class RecordingHandler extends ForwardingHandler {
  constructor(
    next: Dispatcher.DispatchHandler,
    /** Its signal is read only on a failure (cache.ts makes a shared call's on demand). */
    private readonly context: UpstreamCallContext,
    private readonly record: (outcome: Outcome, failure?: UpstreamError) => void,
  ) {
    super(next);
  }

  override onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    message?: string,
  ): void {
    if (statusCode >= 500) this.record('failure', new UpstreamHttpError({ endpoint: this.context.endpoint, status: statusCode }));
    else this.record('success');
    super.onResponseStart(controller, statusCode, headers, message);
  }

  override onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    const failure = toUpstreamError(error, this.context.endpoint, this.context.signal);
    this.record(isApplianceFailure(failure) ? 'failure' : 'neutral', failure);
    super.onResponseError(controller, error);
  }
}

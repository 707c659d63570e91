/**
 * A circuit breaker per appliance. After `failureThreshold` consecutive failures of the appliance
 * (5xx, no answer, timeouts; never a 4xx, which is the request's fault) it opens: calls fail at once
 * instead of queueing behind a dead appliance. After `openMs` one probe call is let through
 * (half-open); its success closes the circuit, its failure opens it again.
 */
import {
  CircuitOpenError,
  UpstreamAbortedError,
  UpstreamAuthError,
  UpstreamError,
  UpstreamHttpError,
  UpstreamOverloadedError,
} from '../errors';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive appliance failures that open the circuit. @default 5 */
  failureThreshold: number;
  /** How long it stays open before a probe. @default 10 000 ms */
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

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private current: BreakerState = 'closed';
  private readonly now: () => number;
  private readonly listeners: Array<(state: BreakerState) => void> = [];

  constructor(private readonly options: BreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.options.openMs) return 'half-open';
    return this.current;
  }

  onStateChange(listener: (state: BreakerState) => void): void {
    this.listeners.push(listener);
  }

  /** Runs `call` through the breaker. */
  async run<T>(endpoint: string, call: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half-open' && this.probing)) {
      const waitMs = Math.max(0, this.options.openMs - (this.now() - this.openedAt));
      throw new CircuitOpenError(endpoint, Math.max(1, Math.ceil(waitMs / 1000)));
    }
    const probe = state === 'half-open';
    if (probe) this.probing = true;
    try {
      const result = await call();
      this.succeeded();
      return result;
    } catch (error) {
      if (isApplianceFailure(error)) this.failed(probe);
      else if (probe) this.succeeded(); // the appliance answered: it is back
      throw error;
    } finally {
      if (probe) this.probing = false;
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

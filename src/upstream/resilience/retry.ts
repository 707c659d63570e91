/**
 * Retries for idempotent reads: exponential backoff with full jitter, bounded by an attempt count
 * and by the caller's deadline, honouring Retry-After on 429/503. Only failures that a retry can fix
 * are retried: the appliance briefly unavailable (502/503/504, 429) or a connection reset. Timeouts
 * are not: a slow appliance asked again only gets slower.
 */
import { UpstreamHttpError, UpstreamNetworkError, type UpstreamError } from '../errors';

export interface RetryOptions {
  /** Total attempts including the first. @default 3 */
  maxAttempts: number;
  /** First backoff step. @default 100 ms */
  baseDelayMs: number;
  /** Cap of one backoff step (Retry-After may ask for more, up to the deadline). @default 2000 ms */
  maxDelayMs: number;
  random?: () => number;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 2_000 };

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const RETRYABLE_NETWORK = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'ECONNREFUSED', 'UND_ERR_CLOSED']);

export function isRetryable(error: unknown): error is UpstreamError {
  if (error instanceof UpstreamHttpError) return RETRYABLE_STATUS.has(error.status);
  if (error instanceof UpstreamNetworkError) return error.causeCode !== undefined && RETRYABLE_NETWORK.has(error.causeCode);
  return false;
}

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1), or undefined when the appliance's
 * Retry-After asks for longer than one backoff step may last: then the caller gets the error (with
 * its retryAfterSeconds) at once instead of a request that hangs.
 */
export function backoffMs(attempt: number, error: unknown, options: RetryOptions): number | undefined {
  const random = options.random ?? Math.random;
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.round(random() * ceiling);
  const retryAfter = error instanceof UpstreamHttpError ? error.retryAfterSeconds : undefined;
  if (retryAfter === undefined) return jittered;
  if (retryAfter * 1000 > options.maxDelayMs) return undefined;
  return Math.max(jittered, retryAfter * 1000);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryContext {
  signal?: AbortSignal | undefined;
  /** Epoch ms after which no retry starts (the GraphQL request's deadline). */
  deadline?: number | undefined;
  onRetry?: (attempt: number, delayMs: number, error: UpstreamError) => void;
}

export async function withRetry<T>(attemptFn: () => Promise<T>, options: RetryOptions, context: RetryContext = {}): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await attemptFn();
    } catch (error) {
      if (attempt >= options.maxAttempts || !isRetryable(error)) throw error;
      const delay = backoffMs(attempt, error, options);
      if (delay === undefined) throw error;
      // A retry that cannot finish before the deadline only adds load: fail now with the real cause.
      if (context.deadline !== undefined && Date.now() + delay >= context.deadline) throw error;
      context.onRetry?.(attempt, delay, error);
      try {
        await sleep(delay, context.signal);
      } catch {
        throw error;
      }
    }
  }
}

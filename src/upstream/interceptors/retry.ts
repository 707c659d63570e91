/**
 * Retries of idempotent reads through undici's own `interceptors.retry`, with the gateway's
 * decision: only what a retry can fix (502/503/504, 429, a reset or refused connection; never a
 * timeout: a slow appliance asked again only gets slower), exponential backoff with full jitter,
 * Retry-After honoured (and a long one answered at once instead of hanging), never past the
 * request's deadline or after its caller left. `throwOnError: false` hands the last failed answer
 * on unchanged, so the caller still sees its status, problem and Retry-After.
 */
import { interceptors, type Dispatcher } from 'undici';
import { UpstreamHttpError, UpstreamNetworkError, type UpstreamError } from '../errors';
import { contextOf, parseRetryAfter, toUpstreamError, type Interceptor } from '../transport';

export interface RetryOptions {
  /** Total attempts including the first. @default 3: rides out a blip without tripling load for long. */
  maxAttempts: number;
  /** First backoff step. @default 100 ms */
  baseDelayMs: number;
  /** Cap of one backoff step; a longer Retry-After is not waited for. @default 2000 ms: within any sane request deadline. */
  maxDelayMs: number;
  random?: () => number;
  now?: () => number;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 2_000 };

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
/**
 * A connection lost or refused. Over HTTP/2 also one call's stream reset (ERR_HTTP2_STREAM_ERROR) or
 * closed before its answer was complete (UND_ERR_INFO; over HTTP/1.1 undici never fails a call with
 * it). Not a session the appliance ended with an error code (ERR_HTTP2_SESSION_ERROR): that may be
 * ENHANCE_YOUR_CALM, and resending every call in flight at once is the opposite; a GOAWAY without
 * error fails its calls with UND_ERR_SOCKET, retried above. Retries are for GETs only.
 */
const RETRYABLE_NETWORK = new Set([
  'ECONNRESET',
  'UND_ERR_SOCKET',
  'EPIPE',
  'ECONNREFUSED',
  'UND_ERR_CLOSED',
  'UND_ERR_INFO',
  'ERR_HTTP2_STREAM_ERROR',
]);

export function isRetryable(error: unknown): error is UpstreamError {
  if (error instanceof UpstreamHttpError) return RETRYABLE_STATUS.has(error.status);
  if (error instanceof UpstreamNetworkError) return error.causeCode !== undefined && RETRYABLE_NETWORK.has(error.causeCode);
  return false;
}

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1), or undefined when the appliance's
 * Retry-After asks for longer than one backoff step may last.
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

/** undici reports a retryable status as an error carrying the status and headers. */
function asUpstreamError(error: Error, endpoint: string, signal: AbortSignal | undefined): UpstreamError {
  const { statusCode, headers } = error as Error & { statusCode?: unknown; headers?: Record<string, string | string[] | undefined> };
  if (typeof statusCode === 'number') {
    return new UpstreamHttpError({ endpoint, status: statusCode, retryAfterSeconds: parseRetryAfter(headers?.['retry-after']) });
  }
  return toUpstreamError(error, endpoint, signal);
}

/**
 * Whether (and after how long) attempt `attempt + 1` of a call should be made. Undefined: hand the
 * failure to the caller.
 */
export function retryDelay(attempt: number, error: UpstreamError, options: RetryOptions, deadline: number | undefined): number | undefined {
  if (attempt >= options.maxAttempts || !isRetryable(error)) return undefined;
  const delay = backoffMs(attempt, error, options);
  if (delay === undefined) return undefined;
  // A retry that cannot finish before the deadline only adds load: fail now with the real cause.
  if (deadline !== undefined && (options.now ?? Date.now)() + delay >= deadline) return undefined;
  return delay;
}

export function retryReads(options: RetryOptions, onRetry?: (endpoint: string) => void): Interceptor {
  const decide = (
    error: Error,
    { state, opts }: { state: { counter: number }; opts: Dispatcher.DispatchOptions },
    callback: (result?: Error | null) => void,
  ): void => {
    const { endpoint, signal, deadline } = contextOf(opts);
    const delay =
      opts.method === 'GET' && !signal?.aborted
        ? retryDelay(state.counter, asUpstreamError(error, endpoint, signal), options, deadline)
        : undefined;
    if (delay === undefined) return callback(error);
    onRetry?.(endpoint);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      callback(null);
    }, delay);
    const onAbort = (): void => {
      clearTimeout(timer);
      callback(error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  };
  const undiciRetry = interceptors.retry({
    throwOnError: false,
    // Our decision function replaces undici's lists; `maxRetries` is a backstop only.
    maxRetries: Math.max(0, options.maxAttempts - 1),
    retry: decide,
  }) as Interceptor;
  return (dispatch) => {
    const retrying = undiciRetry(dispatch);
    return (opts, handler) => retrying(withRetrySlots(opts), handler);
  };
}

/**
 * The call's options with the two properties undici's retry adds by spreading (`{ ...opts,
 * retryOptions }`, then `{ ...rest, body }` in RetryHandler) already present: a property added after
 * a spread makes a new hidden class on every call (see with-fields.ts); one overwritten does not.
 */
function withRetrySlots(opts: Dispatcher.DispatchOptions): Dispatcher.DispatchOptions {
  return Object.assign({ retryOptions: undefined, body: undefined }, opts);
}

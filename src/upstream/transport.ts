/**
 * What travels with one upstream call through the interceptor chain (its context), how a call is
 * sent through a dispatch function and read whole, and how every failure becomes an error of the
 * upstream family. The interceptors (interceptors/*) and the chain (chain.ts) build on this.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { onAbort } from './abort-listeners';
import { errors as undiciErrors, type Dispatcher } from 'undici';
import {
  UpstreamAbortedError,
  UpstreamBadResponseError,
  UpstreamError,
  UpstreamHttpError,
  UpstreamNetworkError,
  UpstreamTimeoutError,
} from './errors';

export interface CallStats {
  /** Upstream calls this caller caused, retries included. */
  upstreamCalls: number;
}

/** Who is served first when calls wait: readiness probes and token calls unblock everyone else. */
export type CallPriority = 'high' | 'normal';

/** The gateway's own fields on a dispatch: read by the interceptors, ignored by undici. */
export interface UpstreamCallContext {
  /** The logical operation for errors, logs and metrics (e.g. `GET /sessions/{id}`). */
  endpoint: string;
  /** Whose call this is, for the fair queue. @default 'gateway' (the gateway's own calls) */
  clientId?: string | undefined;
  priority?: CallPriority | undefined;
  /** Aborts the call (client gone, request deadline). */
  signal?: AbortSignal | undefined;
  /** Epoch ms: no retry starts after it. */
  deadline?: number | undefined;
  stats?: CallStats | undefined;
  /** Present on reads that may be shared and kept: how long (0 = shared only while in flight). */
  cacheTtlMs?: number | undefined;
  /**
   * A 404 is kept like a 2xx answer: it says something as lasting as the data (a session's items
   * read of a session that has none). Off by default: elsewhere a 404 may be about to change.
   */
  cacheNotFound?: boolean | undefined;
  /** Carries the gateway's bearer token and API revision (every call but the token calls). */
  authorised?: boolean | undefined;
  /** The answer's schema has int64 fields (checked exact on parse). @default true */
  longIntegers?: boolean | undefined;
}

export type UpstreamDispatchOptions = Dispatcher.DispatchOptions & { upstream: UpstreamCallContext };
export type Dispatch = (options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => boolean;
export type Interceptor = (dispatch: Dispatch) => Dispatch;

const NO_CONTEXT: UpstreamCallContext = { endpoint: 'upstream call' };

/** The gateway's context of a dispatch (every call the gateway makes has one). */
export function contextOf(options: Dispatcher.DispatchOptions): UpstreamCallContext {
  return (options as Partial<UpstreamDispatchOptions>).upstream ?? NO_CONTEXT;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Sends one call through `dispatch` and reads the whole answer. Rejects with the abort as soon as
 * the caller's signal fires, and with whatever the chain reports otherwise (typed by the caller).
 */
export function collect(dispatch: Dispatch, options: UpstreamDispatchOptions): Promise<RawResponse> {
  const { signal, endpoint } = options.upstream;
  return new Promise<RawResponse>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new UpstreamAbortedError(endpoint, signal.reason));
      return;
    }
    let controller: Dispatcher.DispatchController | undefined;
    let settled = false;
    let status = 0;
    let headers: IncomingHttpHeaders = {};
    let chunks: Buffer[] = [];
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      stopListening?.();
      return true;
    };
    const stopListening = signal
      ? onAbort(signal, () => {
          if (!settle()) return;
          controller?.abort(asError(signal.reason));
          reject(new UpstreamAbortedError(endpoint, signal.reason));
        })
      : undefined;
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        controller = started;
        if (settled) started.abort(asError(signal?.reason));
      },
      onResponseStart(_controller, statusCode, responseHeaders) {
        status = statusCode;
        headers = responseHeaders;
        chunks = [];
      },
      onResponseData(_controller, chunk) {
        chunks.push(chunk);
      },
      onResponseEnd() {
        // One chunk is kept as it is: a replayed answer (cache.ts) stays the same Buffer for every
        // caller, which lets its parse be shared (parseShared below).
        if (settle()) resolve({ status, headers, body: chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks) });
      },
      onResponseError(_controller, error) {
        if (settle()) reject(error);
      },
    };
    try {
      dispatch(options, handler);
    } catch (error) {
      if (settle()) reject(error);
    }
  });
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error('aborted');
}

/** The problem+json fields of a body when it has them; anything else is ignored (never echoed). */
export interface ProblemFields {
  errorCode?: string | undefined;
  details?: string | undefined;
  type?: string | undefined;
  title?: string | undefined;
}

export function parseProblem(text: string): ProblemFields | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const record = value as Record<string, unknown>;
    const str = (key: string): string | undefined => (typeof record[key] === 'string' ? record[key] : undefined);
    return { errorCode: str('errorCode'), details: str('details'), type: str('type'), title: str('title') };
  } catch {
    return undefined;
  }
}

export function toHttpError(endpoint: string, status: number, headers: IncomingHttpHeaders, text: string): UpstreamHttpError {
  const problem = parseProblem(text);
  return new UpstreamHttpError({
    endpoint,
    status,
    errorCode: problem?.errorCode,
    details: problem?.details,
    problemType: problem?.type,
    problemTitle: problem?.title,
    retryAfterSeconds: parseRetryAfter(headers['retry-after']),
  });
}

export function parseRetryAfter(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function errorCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Maps undici/Node failures onto the upstream family; upstream errors pass through unchanged. When
 * the caller's signal has fired, the failure is the abort (whatever undici reports it as).
 */
export function toUpstreamError(error: unknown, endpoint: string, signal?: AbortSignal): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (signal?.aborted) return new UpstreamAbortedError(endpoint, signal.reason);
  if (error instanceof undiciErrors.ConnectTimeoutError) return new UpstreamTimeoutError(endpoint, 'connect', error);
  if (error instanceof undiciErrors.HeadersTimeoutError) return new UpstreamTimeoutError(endpoint, 'headers', error);
  if (error instanceof undiciErrors.BodyTimeoutError) return new UpstreamTimeoutError(endpoint, 'body', error);
  if (error instanceof undiciErrors.RequestAbortedError || (error instanceof Error && error.name === 'AbortError')) {
    return new UpstreamAbortedError(endpoint, error);
  }
  return new UpstreamNetworkError(endpoint, errorCodeOf(error), error);
}

/**
 * Integers JSON.parse cannot hold exactly. The int64 fields (usn, executionDuration) are kept exact up
 * to 2^53 - 1, the gateway's documented bound, and a body past it is refused (UPSTREAM_BAD_RESPONSE)
 * rather than silently rounded. The bound is acceptable: a USN grows by one per session change (at a
 * million changes a day it would take ~25 million years to reach 2^53), and a duration in milliseconds
 * reaches 2^53 after ~285,000 years; a value past it means a broken answer, not real data. Exactness
 * past it would need a JSON parser of our own for every body (test/e2e/protected-items.test.ts).
 *
 * Read off the parsed value, not the text: a rounded integer is still past 2^53 - 1, so the numbers
 * themselves show it, and walking them costs a fifth of a regex scan of the body. Iterative: a hostile
 * body nested deeper than the stack is walked like any other.
 */
function unsafeIntegerIn(root: unknown): number | undefined {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'number') {
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) return value;
    } else if (Array.isArray(value)) {
      for (const element of value) if (typeof element === 'object' || typeof element === 'number') pending.push(element);
    } else if (typeof value === 'object' && value !== null) {
      for (const key in value) {
        const member = (value as Record<string, unknown>)[key];
        if (typeof member === 'object' || typeof member === 'number') pending.push(member);
      }
    }
  }
  return undefined;
}

/**
 * Parses a JSON body; refuses one whose integers would silently lose precision. `longIntegers:
 * false` skips that check for answers whose schema has no int64 field (a protected-items page, the
 * bodies that make up most of a dashboard's bytes).
 */
export function parseJson<T>(text: string, endpoint: string, longIntegers = true): T | undefined {
  if (text.length === 0) return undefined;
  let value: T;
  try {
    value = JSON.parse(text) as T;
  } catch {
    throw new UpstreamBadResponseError(endpoint, 'body is not JSON');
  }
  if (!longIntegers) return value;
  const unsafe = unsafeIntegerIn(value);
  if (unsafe !== undefined) {
    throw new UpstreamBadResponseError(endpoint, `the integer ${unsafe} exceeds 2^53 - 1, the largest the gateway keeps exact`);
  }
  return value;
}

/** Sends a call and reads it as JSON: 2xx resolves, anything else rejects with an upstream error. */
export async function requestJson<T>(
  dispatch: Dispatch,
  options: UpstreamDispatchOptions,
): Promise<{ status: number; body: T | undefined }> {
  const { endpoint, signal } = options.upstream;
  let response: RawResponse;
  try {
    response = await collect(dispatch, options);
  } catch (error) {
    throw toUpstreamError(error, endpoint, signal);
  }
  return readJson<T>(response, options.upstream);
}

/** A whole answer read as JSON: 2xx resolves, anything else rejects with an upstream error. */
export function readJson<T>(
  response: RawResponse,
  call: Pick<UpstreamCallContext, 'endpoint' | 'longIntegers'>,
): { status: number; body: T | undefined } {
  if (response.status < 200 || response.status >= 300) {
    throw toHttpError(call.endpoint, response.status, response.headers, response.body.toString('utf8'));
  }
  return { status: response.status, body: parseShared<T>(response.body, call.endpoint, call.longIntegers !== false) };
}

/**
 * Bodies parsed once. A cached or shared answer reaches every caller as the same Buffer (cache.ts
 * replays it), so sixty dashboards joining one call, or reading one kept page, share one parse:
 * the parsed value is read-only from here on. Under test it is frozen, so that a consumer that
 * mutates it fails the suite instead of corrupting another request's data.
 *
 * The parse rides on the Buffer itself, under a private symbol, rather than in a WeakMap keyed by
 * it: every upstream answer would add and drop an entry of that WeakMap, and its ephemeron table
 * made each young-generation collection a third slower (measured on a dashboard's 46 item calls).
 */
const PARSED = Symbol('parsed body');
type ParsedBuffer = Buffer & { [PARSED]?: { value: unknown } };
const FREEZE_SHARED = process.env['NODE_ENV'] === 'test';

function parseShared<T>(body: ParsedBuffer, endpoint: string, longIntegers: boolean): T | undefined {
  const held = body[PARSED];
  if (held !== undefined) return held.value as T | undefined;
  const value = parseJson<T>(body.toString('utf8'), endpoint, longIntegers);
  body[PARSED] = { value: FREEZE_SHARED ? deepFreeze(value) : value };
  return value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

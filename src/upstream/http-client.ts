/**
 * The transport to one appliance: a keep-alive undici Pool per origin, the headers every call needs,
 * JSON decoding, and the translation of every failure into the upstream error family.
 *
 * It knows nothing about tokens (token-manager.ts) or operations (veeam-client.ts).
 */
import { Pool, errors as undiciErrors } from 'undici';
import type { Dispatcher } from 'undici';
import type { ProblemDto } from './dto';
import { CircuitBreaker, type BreakerOptions } from './resilience/circuit-breaker';
import { ConcurrencyLimiter } from './resilience/concurrency-limiter';
import {
  UpstreamAbortedError,
  UpstreamBadResponseError,
  UpstreamHttpError,
  UpstreamNetworkError,
  UpstreamTimeoutError,
  type UpstreamError,
} from './errors';

export interface UpstreamHttpOptions {
  /** e.g. `https://backup.example.com:11005/api/v1`; the path part prefixes every call. */
  baseUrl: string;
  /** Sent as `x-api-version` on every call, the token calls included. */
  apiVersion: string;
  /** Upper bound on sockets to the appliance: the bound on concurrent upstream calls. */
  connections: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** PEM bundle to trust (appliances ship self-signed certificates). */
  ca?: string | undefined;
  /** Skip certificate verification: only when the operator says so explicitly. */
  tlsInsecure?: boolean;
  /** Calls waiting for a connection beyond which new ones are refused. */
  maxQueue: number;
  breaker: BreakerOptions;
}

export interface UpstreamRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path below the base URL's path, e.g. `/sessions/abc/log`. */
  path: string;
  /** Already-encoded query string, without `?`. */
  query?: string;
  /** The logical operation for errors, logs and metrics (e.g. `GET /sessions/{id}`). */
  endpoint: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface UpstreamResponse<T> {
  status: number;
  body: T | undefined;
}

/** What an observer (logging, metrics) learns about each call. Never the URL, never headers. */
export interface UpstreamCallInfo {
  endpoint: string;
  method: string;
  status: number | undefined;
  durationMs: number;
  error: UpstreamError | undefined;
}

export interface UpstreamCallObserver {
  /** A call is about to be sent (for in-flight gauges). */
  start?(endpoint: string): void;
  /** A call ended, with its outcome. */
  end?(info: UpstreamCallInfo): void;
}

export class UpstreamHttp {
  readonly origin: string;
  private readonly basePath: string;
  private readonly pool: Pool;
  private readonly defaultHeaders: Record<string, string>;
  private readonly observers: UpstreamCallObserver[] = [];
  readonly breaker: CircuitBreaker;
  readonly limiter: ConcurrencyLimiter;

  constructor(options: UpstreamHttpOptions) {
    const url = new URL(options.baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.defaultHeaders = { accept: 'application/json', 'x-api-version': options.apiVersion };
    this.breaker = new CircuitBreaker(options.breaker);
    this.limiter = new ConcurrencyLimiter(options.connections, options.maxQueue);
    this.pool = new Pool(this.origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: options.keepAliveTimeoutMs,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs,
      connect: {
        timeout: options.connectTimeoutMs,
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
        ...(options.tlsInsecure ? { rejectUnauthorized: false } : {}),
      },
    });
  }

  observe(observer: UpstreamCallObserver): void {
    this.observers.push(observer);
  }

  /**
   * Performs one call through the breaker (fail fast while the appliance is down) and the limiter
   * (bounded queue). Resolves for 2xx; rejects with an UpstreamError for anything else.
   */
  request<T>(req: UpstreamRequest): Promise<UpstreamResponse<T>> {
    return this.breaker.run(req.endpoint, () => this.limiter.run(req.endpoint, () => this.send<T>(req), req.signal));
  }

  private async send<T>(req: UpstreamRequest): Promise<UpstreamResponse<T>> {
    const started = performance.now();
    for (const observer of this.observers) observer.start?.(req.endpoint);
    let status: number | undefined;
    try {
      const response = await this.dispatch(req);
      status = response.statusCode;
      const text = await readBody(response, req.endpoint, req.signal);
      if (status < 200 || status >= 300) throw toHttpError(req.endpoint, status, response.headers, text);
      const result: UpstreamResponse<T> = { status, body: parseJson<T>(text, req.endpoint) };
      this.notify(req, status, started, undefined);
      return result;
    } catch (error) {
      const upstreamError = toUpstreamError(error, req.endpoint, req.signal);
      this.notify(req, status, started, upstreamError);
      throw upstreamError;
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private dispatch(req: UpstreamRequest): Promise<Dispatcher.ResponseData> {
    const path = `${this.basePath}${req.path}${req.query ? `?${req.query}` : ''}`;
    return this.pool.request({
      method: req.method,
      path,
      headers: { ...this.defaultHeaders, ...req.headers },
      body: req.body,
      signal: req.signal,
    });
  }

  private notify(req: UpstreamRequest, status: number | undefined, started: number, error: UpstreamError | undefined): void {
    const info: UpstreamCallInfo = {
      endpoint: req.endpoint,
      method: req.method,
      status,
      durationMs: performance.now() - started,
      error,
    };
    for (const observer of this.observers) observer.end?.(info);
  }
}

async function readBody(response: Dispatcher.ResponseData, endpoint: string, signal: AbortSignal | undefined): Promise<string> {
  try {
    return await response.body.text();
  } catch (error) {
    throw toUpstreamError(error, endpoint, signal);
  }
}

function parseJson<T>(text: string, endpoint: string): T | undefined {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new UpstreamBadResponseError(endpoint, 'body is not JSON');
  }
}

function toHttpError(
  endpoint: string,
  status: number,
  headers: Dispatcher.ResponseData['headers'],
  text: string,
): UpstreamHttpError {
  const problem = parseProblem(text);
  return new UpstreamHttpError({
    endpoint,
    status,
    errorCode: problem?.errorCode,
    details: problem?.details,
    problemType: problem?.type,
    retryAfterSeconds: parseRetryAfter(headers['retry-after']),
  });
}

/** Reads a problem+json body when there is one; anything else is ignored (never echoed). */
function parseProblem(text: string): Partial<ProblemDto> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const record = value as Record<string, unknown>;
    const str = (key: string): string | undefined => (typeof record[key] === 'string' ? record[key] : undefined);
    return { errorCode: str('errorCode'), details: str('details'), type: str('type') };
  } catch {
    return undefined;
  }
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
  if (error instanceof UpstreamHttpError || error instanceof UpstreamBadResponseError) return error;
  if (error instanceof UpstreamTimeoutError || error instanceof UpstreamNetworkError) return error;
  if (error instanceof UpstreamAbortedError) return error;
  if (signal?.aborted) return new UpstreamAbortedError(endpoint, signal.reason);
  if (error instanceof undiciErrors.ConnectTimeoutError) return new UpstreamTimeoutError(endpoint, 'connect', error);
  if (error instanceof undiciErrors.HeadersTimeoutError) return new UpstreamTimeoutError(endpoint, 'headers', error);
  if (error instanceof undiciErrors.BodyTimeoutError) return new UpstreamTimeoutError(endpoint, 'body', error);
  if (error instanceof undiciErrors.RequestAbortedError || (error instanceof Error && error.name === 'AbortError')) {
    return new UpstreamAbortedError(endpoint, error);
  }
  return new UpstreamNetworkError(endpoint, errorCodeOf(error), error);
}

/**
 * Typed operations of the Veeam Backup for AWS REST API used by the gateway. Each call carries the
 * gateway's bearer token; a 401 drops that token, obtains a new one (single flight in TokenManager)
 * and retries the call exactly once.
 */
import type {
  ProductVersionDto,
  ProtectedItemsPageDto,
  SessionDto,
  SessionLogDto,
  SessionsPageDto,
} from './dto';
import { UpstreamBadResponseError, UpstreamHttpError } from './errors';
import type { UpstreamHttp, UpstreamRequest } from './http-client';
import { protectedItemsQuery, sessionsQuery, type ListProtectedItemsParams, type ListSessionsParams } from './query';
import type { ResponseCache } from './response-cache';
import { DEFAULT_RETRY, withRetry, type RetryOptions } from './resilience/retry';
import type { TokenManager } from './token-manager';

/** How long answers may be reused. 0 = only shared while in flight. */
export interface CachePolicy {
  /** Protected items of a finished session never change. */
  finishedItemsTtlMs: number;
  /** Session lists, single sessions, logs, and a running session's items. */
  liveTtlMs: number;
}

export const NO_CACHING: CachePolicy = { finishedItemsTtlMs: 0, liveTtlMs: 0 };

export interface CallStats {
  /** Upstream calls this caller caused, retries included. */
  upstreamCalls: number;
}

export interface CallOptions {
  /** Aborts the upstream call (client gone, request deadline). */
  signal?: AbortSignal;
  /** Counts the calls made on the caller's behalf (per GraphQL request, for logs). */
  stats?: CallStats;
  /** Epoch ms: no retry starts after it (the GraphQL request's deadline). */
  deadline?: number;
}

export interface ProtectedItemsCallOptions extends CallOptions {
  /** The session has finished: its items are final and may be kept long. */
  sessionFinished?: boolean;
}

type DataRequest = Omit<UpstreamRequest, 'method' | 'headers' | 'body'> & {
  stats?: CallStats;
  ttlMs?: number;
  deadline?: number;
};

export class VeeamClient {
  constructor(
    private readonly http: UpstreamHttp,
    private readonly tokens: TokenManager,
    private readonly cache?: ResponseCache,
    private readonly policy: CachePolicy = NO_CACHING,
    private readonly retry: RetryOptions = DEFAULT_RETRY,
    private readonly onRetry?: (endpoint: string) => void,
  ) {}

  async listSessions(params: ListSessionsParams, options: CallOptions = {}): Promise<SessionsPageDto> {
    const body = await this.get<SessionsPageDto>({
      path: '/sessions',
      query: sessionsQuery(params),
      endpoint: 'GET /sessions',
      ttlMs: this.policy.liveTtlMs,
      ...options,
    });
    return expectPage(body, 'GET /sessions');
  }

  async getSession(id: string, options: CallOptions = {}): Promise<SessionDto> {
    const endpoint = 'GET /sessions/{id}';
    const body = await this.get<SessionDto>({
      path: `/sessions/${encodeURIComponent(id)}`,
      endpoint,
      ttlMs: this.policy.liveTtlMs,
      ...options,
    });
    if (!isRecord(body) || typeof body.id !== 'string') throw new UpstreamBadResponseError(endpoint, 'not a session');
    return body;
  }

  /** The spec's plural path (the 2.0 Help Center's singular `/session/…` is a typo). */
  async listProtectedItems(
    sessionId: string,
    params: ListProtectedItemsParams,
    options: ProtectedItemsCallOptions = {},
  ): Promise<ProtectedItemsPageDto> {
    const endpoint = 'GET /sessions/{id}/protectedItems';
    const { sessionFinished, ...call } = options;
    const body = await this.get<ProtectedItemsPageDto>({
      path: `/sessions/${encodeURIComponent(sessionId)}/protectedItems`,
      query: protectedItemsQuery(params),
      endpoint,
      ttlMs: sessionFinished ? this.policy.finishedItemsTtlMs : this.policy.liveTtlMs,
      ...call,
    });
    return expectPage(body, endpoint);
  }

  async getSessionLog(sessionId: string, options: CallOptions = {}): Promise<SessionLogDto> {
    const endpoint = 'GET /sessions/{id}/log';
    const body = await this.get<SessionLogDto>({
      path: `/sessions/${encodeURIComponent(sessionId)}/log`,
      endpoint,
      ttlMs: this.policy.liveTtlMs,
      ...options,
    });
    if (!isRecord(body) || (body.log !== undefined && !Array.isArray(body.log))) {
      throw new UpstreamBadResponseError(endpoint, 'not a session log');
    }
    return body;
  }

  async getVersion(options: CallOptions = {}): Promise<ProductVersionDto> {
    const body = await this.get<ProductVersionDto>({ path: '/system/version', endpoint: 'GET /system/version', ...options });
    if (!isRecord(body)) throw new UpstreamBadResponseError('GET /system/version', 'not a version');
    return body;
  }

  /** Through the cache when there is one: identical GETs in flight are shared, fresh answers reused. */
  private get<T>(req: DataRequest): Promise<T | undefined> {
    if (!this.cache) return this.retried<T>(req);
    const key = `${req.path}?${req.query ?? ''}`;
    const { signal, ...shared } = req;
    return this.cache.get(req.endpoint, key, req.ttlMs ?? 0, (sharedSignal) => this.retried<T>({ ...shared, signal: sharedSignal }), signal);
  }

  /** GETs are idempotent: transient failures are retried with backoff, within the deadline. */
  private retried<T>(req: DataRequest): Promise<T | undefined> {
    return withRetry(() => this.authorised<T>(req), this.retry, {
      signal: req.signal,
      deadline: req.deadline,
      onRetry: () => this.onRetry?.(req.endpoint),
    });
  }

  private async authorised<T>(req: DataRequest): Promise<T | undefined> {
    const token = await this.tokens.getAccessToken();
    try {
      return await this.send<T>(req, token);
    } catch (error) {
      if (!(error instanceof UpstreamHttpError) || error.status !== 401) throw error;
      this.tokens.invalidate(token);
      // Exactly one retry: a second 401 means the new token is refused too, which retrying won't fix.
      return this.send<T>(req, await this.tokens.getAccessToken());
    }
  }

  private async send<T>(req: DataRequest, token: string): Promise<T | undefined> {
    const { stats, ttlMs: _ttlMs, deadline: _deadline, ...request } = req;
    if (stats) stats.upstreamCalls += 1;
    const { body } = await this.http.request<T>({ ...request, method: 'GET', headers: { authorization: `Bearer ${token}` } });
    return body;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> & object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function expectPage<P extends { totalCount: number; results: unknown[] }>(body: P | undefined, endpoint: string): P {
  if (!isRecord(body) || typeof body.totalCount !== 'number' || !Array.isArray(body.results)) {
    throw new UpstreamBadResponseError(endpoint, 'not a page ({totalCount, results})');
  }
  return body;
}

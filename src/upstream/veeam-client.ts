/**
 * Typed operations of the Veeam Backup for AWS REST API used by the gateway, over the composed
 * upstream call (chain.ts: cache, retry, token, breaker, fair queue). Requests are checked against
 * the API revision in use first: what the revision lacks is refused before any data call.
 */
import type { ProductVersionDto, ProtectedItemsPageDto, SessionDto, SessionLogDto, SessionsPageDto } from './dto';
import { UpstreamBadResponseError, UpstreamRevisionLacksError } from './errors';
import type { UpstreamTransport } from './chain';
import { protectedItemsQuery, sessionsQuery, type ListProtectedItemsParams, type ListSessionsParams } from './query';
import { KNOWN_REVISIONS, revisionHas, revisionIntroducingParameter, revisionIntroducingType, type ApiRevision } from './revisions';
import type { TokenManager } from './token-manager';
import type { CallPriority, CallStats, UpstreamCallContext } from './transport';

export type { CallStats };

/** How long answers may be reused. 0 = only shared while in flight. */
export interface CachePolicy {
  /** Protected items of a finished session never change. */
  finishedItemsTtlMs: number;
  /** Session lists, single sessions, logs, and a running session's items. */
  liveTtlMs: number;
}

export const NO_CACHING: CachePolicy = { finishedItemsTtlMs: 0, liveTtlMs: 0 };

export interface CallOptions {
  /** Aborts the upstream call (client gone, request deadline). */
  signal?: AbortSignal;
  /** Counts the calls made on the caller's behalf (per GraphQL request, for logs). */
  stats?: CallStats;
  /** Epoch ms: no retry starts after it (the GraphQL request's deadline). */
  deadline?: number;
  /** The client the call is made for: calls waiting for the appliance are served round robin by it. */
  clientId?: string;
  /** `high` for readiness probes: served before queued client calls. */
  priority?: CallPriority;
}

export interface ProtectedItemsCallOptions extends CallOptions {
  /** The session has finished: its items are final and may be kept long. */
  sessionFinished?: boolean;
}

export class VeeamClient {
  constructor(
    private readonly transport: UpstreamTransport,
    private readonly tokens: TokenManager,
    private readonly policy: CachePolicy = NO_CACHING,
  ) {}

  /** The API revision in use (after the first login when negotiating). */
  get revision(): string | undefined {
    return this.tokens.revision;
  }

  async listSessions(params: ListSessionsParams, options: CallOptions = {}): Promise<SessionsPageDto> {
    const endpoint = 'GET /sessions';
    // Awaited only when there is something to check: the list, usually a request's first call, then
    // leaves synchronously rather than a microtask later.
    const checking = this.checkRevision(endpoint, params);
    if (checking) await checking;
    const body = await this.get<SessionsPageDto>('/sessions', sessionsQuery(params), context(endpoint, options, this.policy.liveTtlMs));
    return expectPage(body, endpoint);
  }

  async getSession(id: string, options: CallOptions = {}): Promise<SessionDto> {
    const endpoint = 'GET /sessions/{id}';
    const body = await this.get<SessionDto>(
      `/sessions/${encodeURIComponent(id)}`,
      undefined,
      context(endpoint, options, this.policy.liveTtlMs),
    );
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
    const ttlMs = sessionFinished ? this.policy.finishedItemsTtlMs : this.policy.liveTtlMs;
    const body = await this.get<ProtectedItemsPageDto>(
      `/sessions/${encodeURIComponent(sessionId)}/protectedItems`,
      protectedItemsQuery(params),
      // 404 = the session has no items (not a backup session): as lasting as the items, kept as long.
      // The page's schema has no int64 field (openapi: ProtectedItem): no exactness scan.
      context(endpoint, call, ttlMs, { cacheNotFound: true, longIntegers: false }),
    );
    return expectPage(body, endpoint);
  }

  async getSessionLog(sessionId: string, options: CallOptions = {}): Promise<SessionLogDto> {
    const endpoint = 'GET /sessions/{id}/log';
    const body = await this.get<SessionLogDto>(
      `/sessions/${encodeURIComponent(sessionId)}/log`,
      undefined,
      context(endpoint, options, this.policy.liveTtlMs),
    );
    if (!isRecord(body) || (body.log !== undefined && !Array.isArray(body.log))) {
      throw new UpstreamBadResponseError(endpoint, 'not a session log');
    }
    return body;
  }

  async getVersion(options: CallOptions = {}): Promise<ProductVersionDto> {
    const endpoint = 'GET /system/version';
    const body = await this.get<ProductVersionDto>('/system/version', undefined, context(endpoint, options, 0));
    if (!isRecord(body)) throw new UpstreamBadResponseError(endpoint, 'not a version');
    return body;
  }

  private get<T>(path: string, query: string | undefined, callContext: UpstreamCallContext): Promise<T | undefined> {
    return this.transport.get<T>({ path, query, context: callContext });
  }

  /**
   * Refuses what the revision in use lacks: an older appliance would ignore an unknown parameter
   * (an unfiltered list: wrong data, silently) or reject the value. Logs in first when needed (token
   * calls only): the revision is known for sure before any data call. Undefined when the parameters
   * need nothing later than the first revision.
   */
  private checkRevision(endpoint: string, params: ListSessionsParams): Promise<void> | undefined {
    const needs: Array<[feature: string, revision: ApiRevision | undefined]> = [];
    if (params.parentSessionId !== undefined) needs.push(['the ParentSessionId filter', revisionIntroducingParameter('ParentSessionId')]);
    for (const type of params.types ?? []) needs.push([`the session type ${type}`, revisionIntroducingType(type)]);
    const later = needs.filter((need): need is [string, ApiRevision] => need[1] !== undefined && need[1] !== KNOWN_REVISIONS[0]);
    if (later.length === 0) return undefined;
    return this.tokens.currentRevision().then((inUse) => {
      for (const [feature, revision] of later) {
        if (!revisionHas(inUse, revision)) throw new UpstreamRevisionLacksError(endpoint, feature, revision, inUse);
      }
    });
  }
}

/** A call's context, in one shape for every endpoint (what a protected-items page adds is there, unset, for the rest). */
function context(
  endpoint: string,
  options: CallOptions,
  cacheTtlMs: number | undefined,
  answer: Pick<UpstreamCallContext, 'cacheNotFound' | 'longIntegers'> = {},
): UpstreamCallContext {
  return {
    endpoint,
    signal: options.signal,
    stats: options.stats,
    deadline: options.deadline,
    clientId: options.clientId,
    priority: options.priority,
    cacheTtlMs,
    cacheNotFound: answer.cacheNotFound,
    longIntegers: answer.longIntegers,
  };
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

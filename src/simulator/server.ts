/**
 * The simulator's HTTP(S) server: routing, the x-api-version window, bearer checks, fault knobs,
 * counters, and the admin surface for out-of-process benchmarks. Faithful to the contract in
 * shared/veeam-api, not to the gateway's convenience.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ProductVersionDto, ProtectedItemDto, SessionDto, SessionLogDto } from '../upstream/dto';
import { Counters, record, type RecordedRequest } from './counters';
import { Dataset } from './data';
import { DEFAULT_KNOBS, FaultInjector, type SimulatorKnobs } from './faults';
import { problemForStatus } from './problems';
import { Responder } from './responses';
import { handleToken } from './token-endpoint';
import { parseParams, parseSessionQuery, queryItems, SessionOrders, slice, ValidationError } from './queries';
import { TokenStore } from './tokens';
import { API_VERSION, BASE, DEFAULT_API_VERSIONS, headerValue, readBody, route, sleep, versionAtLeast, type Route } from './routes';

export interface SimulatorOptions {
  port?: number;
  host?: string;
  sessionCount?: number;
  seed?: number;
  anchor?: Date;
  spanDays?: number;
  username?: string;
  password?: string;
  mfaUsers?: Record<string, string>;
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
  acceptedApiVersions?: string[];
  tls?: { key: string | Buffer; cert: string | Buffer };
  knobs?: Partial<SimulatorKnobs>;
}

export interface Simulator {
  readonly url: string;
  readonly origin: string;
  readonly credentials: { username: string; password: string };
  readonly knobs: SimulatorKnobs;
  readonly counters: Pick<Counters, 'get' | 'total' | 'snapshot' | 'reset'>;
  readonly requests: RecordedRequest[];
  resetRequests(): void;
  readonly data: {
    sessions: readonly SessionDto[];
    protectedItems(sessionId: string): readonly ProtectedItemDto[] | undefined;
    log(sessionId: string): SessionLogDto | undefined;
    /** What the appliance knows but does not emit (tests check the PolicyId/ParentSessionId filters). */
    policyId(sessionId: string): string | undefined;
    parentSessionId(sessionId: string): string | undefined;
  };
  expireAccessTokens(): void;
  revokeRefreshTokens(): void;
  activeAccessTokens(): number;
  issuedTokens(): string[];
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const username = options.username ?? 'demo';
  const password = options.password ?? 'demo-password';
  const accepted = new Set(options.acceptedApiVersions ?? DEFAULT_API_VERSIONS);
  const knobs: SimulatorKnobs = { ...DEFAULT_KNOBS, faultRules: [], ...options.knobs };
  const faults = new FaultInjector(knobs);
  const tokens = new TokenStore(options.accessTokenTtlSeconds ?? 3600, options.refreshTokenTtlSeconds ?? 7200);
  const counters = new Counters();
  const requests: RecordedRequest[] = [];
  let origin = '';
  // Filled once the port is known: the data's links are absolute on the simulator's origin.
  const state: { data?: Dataset; orders?: SessionOrders } = {};

  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }) : createHttpServer();
  server.keepAliveTimeout = 30_000;

  // Problem bodies name the simulator's origin, known once it listens.
  const respond = new Responder(() => origin);
  const send = respond.send.bind(respond);
  const sendProblem = respond.problem.bind(respond);

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === '/_simulator/counters' && req.method === 'GET') return send(res, undefined, 200, counters.snapshot());
    if (path === '/_simulator/reset' && req.method === 'POST') {
      counters.reset();
      requests.length = 0;
      return send(res, undefined, 204);
    }
    if (path === '/_simulator/knobs' && req.method === 'PUT') {
      const text = await readBody(req);
      try {
        const patch = JSON.parse(text ?? '') as Partial<SimulatorKnobs>;
        for (const key of Object.keys(DEFAULT_KNOBS) as Array<keyof SimulatorKnobs>) {
          if (key in patch) (knobs as unknown as Record<string, unknown>)[key] = patch[key];
        }
        return send(res, undefined, 200, knobs);
      } catch {
        return sendProblem(res, undefined, 'unexpectedContent', 'Body must be a JSON object of knobs.');
      }
    }
    return sendProblem(res, undefined, 'resourceNotFound', 'No such admin endpoint.');
  }

  /** What the requested API revision emits of a session: newer fields only from 1.5-rev0. */
  function present(dto: SessionDto, version: string): SessionDto {
    if (versionAtLeast(version, 1, 5)) return dto;
    const { name: _name, extendedSessionType: _extended, ...older } = dto;
    return older;
  }

  function handleData(res: ServerResponse, entry: RecordedRequest, routed: Route, query: string, version: string): void {
    const { data, orders } = state;
    if (!data || !orders) throw new Error('simulator data not ready');
    const params = parseParams(query);
    const paging = versionAtLeast(version, 1, 8);
    const links = (path: string) => [{ method: 'GET' as const, rel: 'self', href: `${origin}${path}${query ? `?${query}` : ''}` }];
    switch (routed.endpoint) {
      case 'GET /sessions': {
        const q = parseSessionQuery(params, data);
        const matching = orders.get(q.sort).filter(q.filter);
        const results = slice(matching, q.page).map((r) => present(r.dto, version));
        return send(res, entry, 200, {
          totalCount: matching.length,
          results,
          ...(paging ? { offset: q.page.offset, limit: q.page.limit ?? -1 } : {}),
          _links: links(`${BASE}/sessions`),
        });
      }
      case 'GET /system/version':
        return send(res, entry, 200, { about: 'Veeam Backup for AWS (simulator)', version: '9.0.0.0' } satisfies ProductVersionDto);
    }
    const id = (routed.id ?? '').toLowerCase();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
      return sendProblem(res, entry, 'validationError', 'The session ID must be a UUID.');
    }
    const record = data.byId.get(id);
    if (!record) return sendProblem(res, entry, 'resourceNotFound', `Session ${id} was not found.`);
    if (routed.endpoint === 'GET /sessions/{id}') return send(res, entry, 200, present(record.dto, version));
    if (routed.endpoint === 'GET /sessions/{id}/log') return send(res, entry, 200, data.log(id));
    const items = data.protectedItems(id);
    if (!items) return sendProblem(res, entry, 'resourceNotFound', `Session ${id} is not a backup session.`);
    const page = queryItems(items, params);
    return send(res, entry, 200, {
      totalCount: page.total,
      results: page.results,
      _links: links(`${BASE}/sessions/${id}/protectedItems`),
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const raw = req.url ?? '/';
    const queryStart = raw.indexOf('?');
    const path = queryStart >= 0 ? raw.slice(0, queryStart) : raw;
    const query = queryStart >= 0 ? raw.slice(queryStart + 1) : '';
    if (path.startsWith('/_simulator/')) return handleAdmin(req, res, path);
    const routed = route(method, path);
    const endpoint = routed?.endpoint ?? `${method} ${path}`;
    const entry: RecordedRequest = {
      method,
      path,
      query,
      endpoint,
      headers: {
        'x-api-version': headerValue(req.headers['x-api-version']),
        accept: headerValue(req.headers.accept),
        authorization: headerValue(req.headers.authorization),
        'content-type': headerValue(req.headers['content-type']),
      },
      status: 0,
      at: Date.now(),
    };
    counters.add(endpoint);
    record(requests, entry);

    const delay = faults.delayMs();
    if (delay > 0) await sleep(delay);
    const isToken = endpoint.endsWith(' /token');
    const fault = faults.decide(method, path, query, isToken);
    if (fault.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault.kind === 'status') {
      const name = problemForStatus(fault.status);
      const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
      return sendProblem(res, entry, name, 'Injected fault.', { status: fault.status, ...(fault.errorCode ? { errorCode: fault.errorCode } : {}) }, headers);
    }
    if (!routed) return sendProblem(res, entry, 'resourceNotFound', `No resource at ${path}.`);
    if ('wrongMethod' in routed) return sendProblem(res, entry, 'methodNotAllowed', `${method} is not allowed here.`);

    const version = headerValue(req.headers['x-api-version']);
    if (version === undefined || version === '') return sendProblem(res, entry, 'apiVersionUnspecified', 'The x-api-version header is required.');
    if (!API_VERSION.test(version)) return sendProblem(res, entry, 'invalidApiVersion', `x-api-version ${version} is not of the form 1.0-rev0.`);
    if (!accepted.has(version)) return sendProblem(res, entry, 'unsupportedApiVersion', `API version ${version} is not supported.`);

    if (isToken) return handleToken(req, res, entry, { tokens, respond, username, password, mfaUsers: options.mfaUsers ?? {} });
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer) return sendProblem(res, entry, 'noAccessToken', 'The request has no access token.');
    const check = tokens.checkAccess(bearer);
    if (check === 'expired') return sendProblem(res, entry, 'expiredAccessToken', 'The access token has expired.');
    if (check === 'invalid') return sendProblem(res, entry, 'invalidAccessToken', 'The access token is invalid.');
    try {
      handleData(res, entry, routed, query, version);
    } catch (error) {
      if (error instanceof ValidationError || error instanceof URIError) return sendProblem(res, entry, 'validationError', error.message);
      throw error;
    }
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendProblem(res, undefined, 'unknownError', 'The simulator failed.');
      else res.destroy();
    });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  origin = `${options.tls ? 'https' : 'http'}://${host}:${address.port}`;
  const anchorMs = options.anchor?.getTime() ?? Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const dataset = new Dataset({
    sessionCount: options.sessionCount ?? 3000,
    seed: options.seed ?? 1,
    anchorMs,
    spanDays: options.spanDays ?? 120,
    origin,
  });
  state.data = dataset;
  state.orders = new SessionOrders(dataset.sessions);
  const dtos = dataset.sessions.map((r) => r.dto);

  return {
    url: `${origin}${BASE}`,
    origin,
    credentials: { username, password },
    knobs,
    counters,
    requests,
    resetRequests: () => {
      requests.length = 0;
    },
    data: {
      sessions: dtos,
      protectedItems: (id) => dataset.protectedItems(id.toLowerCase()),
      log: (id) => dataset.log(id.toLowerCase()),
      policyId: (id) => dataset.byId.get(id.toLowerCase())?.policy?.id,
      parentSessionId: (id) => dataset.byId.get(id.toLowerCase())?.parentSessionId,
    },
    expireAccessTokens: () => tokens.expireAccessTokens(),
    revokeRefreshTokens: () => tokens.revokeRefreshTokens(),
    activeAccessTokens: () => tokens.activeAccessTokens(),
    issuedTokens: () => tokens.issuedTokens(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

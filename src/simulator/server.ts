/**
 * The simulator's HTTP(S) server: routing, the x-api-version window, bearer checks, fault knobs,
 * counters, and the admin surface for out-of-process benchmarks. Faithful to the contract in
 * the vendored spec (src/upstream/spec) and the Help Center, not to the gateway's convenience.
 * With `http2` it offers h2 by ALPN beside HTTP/1.1 on the same port, as an appliance behind an
 * h2-capable front end does; both protocols reach the same handler.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { constants as http2Constants, createSecureServer, Http2ServerRequest, type ServerHttp2Session } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server as NetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { ProductVersionDto, ProtectedItemDto, SessionDto, SessionLogDto } from '../upstream/dto';
import { Activity, type SimulatorActivity } from './activity';
import { ApiVersionWindow, ApiVersionWindowError } from './api-version-window';
import { Counters, record, type RecordedRequest } from './counters';
import { Dataset } from './data';
import { applyKnobPatch, DEFAULT_KNOBS, FaultInjector, type SimulatorKnobs } from './faults';
import { problemForStatus } from './problems';
import { Responder, type SimulatorResponse } from './responses';
import { handleToken } from './token-endpoint';
import { InvalidUriError, parseParams, parseSessionQuery, queryItems, SessionOrders, slice, ValidationError } from './queries';
import { TokenStore } from './tokens';
import { pageFields, presentSession, visibleTo } from './revision-view';
import { revisionOf, type Revision } from './revisions';
import { API_VERSION, BASE, bearerToken, headerValue, readBody, route, type Route, type SimulatorRequest } from './routes';

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
  /** The x-api-version window; default every known revision (see DEFAULT_API_VERSIONS). Unknown revisions throw. */
  acceptedApiVersions?: readonly string[];
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Offer HTTP/2 by ALPN beside HTTP/1.1 (same port). Needs `tls`: appliances do not speak h2c. */
  http2?: boolean;
  knobs?: Partial<SimulatorKnobs>;
  /** Sessions progress on their own every `intervalMs` (demo mode); without it, only `activity.*` calls change data. */
  activity?: { intervalMs: number };
}

export interface Simulator {
  readonly url: string;
  readonly origin: string;
  readonly credentials: { username: string; password: string };
  readonly knobs: SimulatorKnobs;
  /** Sessions that start, progress and finish, each change with a new USN (see activity.ts). */
  readonly activity: SimulatorActivity;
  readonly counters: { get(endpoint: string): number; total(): number; snapshot(): Record<string, number>; reset(): void };
  readonly requests: RecordedRequest[];
  resetRequests(): void;
  /** The x-api-version window in force, oldest first. */
  readonly apiVersions: readonly string[];
  /** Changes the window from the next request on (an appliance upgrade); throws on an unknown revision. */
  setApiVersions(versions: readonly string[]): void;
  readonly data: {
    /** Every session as the newest revision emits it. */
    sessions: readonly SessionDto[];
    /** The sessions a client at that revision sees (its types only, its fields only). */
    sessionsAt(version: string): readonly SessionDto[];
    protectedItems(sessionId: string): readonly ProtectedItemDto[] | undefined;
    log(sessionId: string): SessionLogDto | undefined;
  };
  expireAccessTokens(): void;
  revokeRefreshTokens(): void;
  activeAccessTokens(): number;
  issuedTokens(): string[];
  close(): Promise<void>;
}

/** The listening server and how to cut every connection it holds, whichever protocol it speaks. */
interface Listener {
  server: NetServer;
  closeConnections(): void;
}

/** A garbled HTTP/1.1 request: a bare 400, as Node would, then the socket is done. */
function answerClientError(_error: Error, socket: Duplex): void {
  if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  else socket.destroy();
}

function listen(options: SimulatorOptions, onRequest: (req: SimulatorRequest, res: SimulatorResponse) => void): Listener {
  if (!options.tls || !options.http2) {
    const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }) : createHttpServer();
    server.keepAliveTimeout = 30_000;
    server.on('request', onRequest);
    server.on('clientError', answerClientError);
    return { server, closeConnections: () => server.closeAllConnections() };
  }
  const server = createSecureServer({ key: options.tls.key, cert: options.tls.cert, allowHTTP1: true });
  // The HTTP/1.1 fallback's idle sockets close as the plain server's do: Node's HTTP/1.1 connection
  // handling reads keepAliveTimeout off this server. h2 sessions get no idle timeout (the server's
  // `timeout` counts any silence, so it would also cut a call waiting out a long latency knob).
  (server as { keepAliveTimeout?: number }).keepAliveTimeout = 30_000;
  // server.close() waits for idle sessions and fallback sockets alike, and this server has no
  // closeAllConnections(): keep both to destroy them.
  const sessions = new Set<ServerHttp2Session>();
  const http1Sockets = new Set<TLSSocket>();
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  server.on('secureConnection', (socket) => {
    if (socket.alpnProtocol === 'h2') return; // its session is tracked
    http1Sockets.add(socket);
    socket.once('close', () => http1Sockets.delete(socket));
  });
  server.on('request', onRequest);
  // Node's HTTP/1.1 fallback reports its parse errors on this server too.
  server.on('clientError', answerClientError);
  return {
    server,
    closeConnections: () => {
      for (const session of sessions) session.destroy();
      for (const socket of http1Sockets) socket.destroy();
    },
  };
}

/** Answers nothing. Under HTTP/2 only this call's stream is reset; the session's other calls go on. */
function dropCall(req: SimulatorRequest): void {
  // The compat request's socket.destroy() would close just the stream, but with NO_ERROR, and clients
  // (Node, undici) take a peer's CANCEL as a bare close too. INTERNAL_ERROR reaches them as a failure
  // (ERR_HTTP2_STREAM_ERROR); REFUSED_STREAM would claim the call was never processed.
  if (req instanceof Http2ServerRequest) req.stream.close(http2Constants.NGHTTP2_INTERNAL_ERROR);
  else req.socket.destroy();
}

/** The client's port, which tells its connections apart. HTTP/2 streams share their session's socket. */
function remotePortOf(req: SimulatorRequest): number {
  const socket = req instanceof Http2ServerRequest ? req.stream.session?.socket : req.socket;
  return socket?.remotePort ?? 0;
}

function splitUrl(url: string | undefined): { path: string; query: string } {
  const raw = url ?? '/';
  const queryStart = raw.indexOf('?');
  return queryStart >= 0 ? { path: raw.slice(0, queryStart), query: raw.slice(queryStart + 1) } : { path: raw, query: '' };
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  if (options.http2 && !options.tls) {
    throw new Error('SimulatorOptions.http2 needs tls: appliances offer HTTP/2 only over TLS (ALPN h2), never cleartext h2c.');
  }
  const username = options.username ?? 'demo';
  const password = options.password ?? 'demo-password';
  const apiVersions = new ApiVersionWindow(options.acceptedApiVersions);
  const knobs: SimulatorKnobs = { ...DEFAULT_KNOBS, faultRules: [], ...options.knobs };
  const faults = new FaultInjector(knobs);
  const tokens = new TokenStore(options.accessTokenTtlSeconds ?? 3600, options.refreshTokenTtlSeconds ?? 7200);
  const counters = new Counters();
  const requests: RecordedRequest[] = [];
  let origin = '';
  // Filled once the port is known: the data's links are absolute on the simulator's origin.
  const state: { data?: Dataset; orders?: SessionOrders; activity?: Activity } = {};

  // Knob delays are cancelled by close(): a pending 60 s latency must not keep the process alive.
  const delays = new Set<NodeJS.Timeout>();
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        delays.delete(timer);
        resolve();
      }, ms);
      delays.add(timer);
    });

  // Problem bodies name the simulator's origin, known once it listens.
  const respond = new Responder(() => origin);
  const send = respond.send.bind(respond);
  const sendProblem = respond.problem.bind(respond);

  async function handleAdmin(req: SimulatorRequest, res: SimulatorResponse, path: string): Promise<void> {
    if (path === '/_simulator/counters' && req.method === 'GET') return send(res, undefined, 200, counters.snapshot());
    if (path === '/_simulator/activity/step' && req.method === 'POST' && state.activity) {
      state.activity.step();
      return send(res, undefined, 200, { usn: state.activity.lastUsn() });
    }
    if (path === '/_simulator/reset' && req.method === 'POST') {
      counters.reset();
      requests.length = 0;
      return send(res, undefined, 204);
    }
    if (path === '/_simulator/knobs' && req.method === 'PUT') {
      let patch: unknown;
      try {
        patch = JSON.parse((await readBody(req)) ?? '');
      } catch {
        return sendProblem(res, undefined, 'unexpectedContent', 'Body must be a JSON object of knobs.');
      }
      const error = applyKnobPatch(knobs, patch);
      if (error !== undefined) return sendProblem(res, undefined, 'unexpectedContent', error);
      return send(res, undefined, 200, knobs);
    }
    if (path === '/_simulator/api-versions' && req.method === 'GET') return send(res, undefined, 200, { versions: apiVersions.list() });
    if (path === '/_simulator/api-versions' && req.method === 'PUT') {
      let body: unknown;
      try {
        body = JSON.parse((await readBody(req)) ?? '');
      } catch {
        body = undefined;
      }
      const versions = typeof body === 'object' && body !== null && 'versions' in body ? body.versions : undefined;
      if (!Array.isArray(versions)) return sendProblem(res, undefined, 'unexpectedContent', 'Body must be {"versions": ["1.6-rev0", …]}.');
      try {
        apiVersions.set(versions);
      } catch (error) {
        if (error instanceof ApiVersionWindowError) return sendProblem(res, undefined, 'unexpectedContent', error.message);
        throw error;
      }
      return send(res, undefined, 200, { versions: apiVersions.list() });
    }
    return sendProblem(res, undefined, 'resourceNotFound', 'No such admin endpoint.');
  }

  function handleData(res: SimulatorResponse, entry: RecordedRequest, routed: Route, query: string, revision: Revision): void {
    const { data, orders } = state;
    if (!data || !orders) throw new Error('simulator data not ready');
    const params = parseParams(query);
    const links = (path: string) => [{ method: 'GET' as const, rel: 'self', href: `${origin}${path}${query ? `?${query}` : ''}` }];
    switch (routed.endpoint) {
      case 'GET /sessions': {
        const q = parseSessionQuery(params, data, revision);
        const matching = orders.get(q.sort).filter((r) => visibleTo(revision, r.dto) && q.filter(r));
        const results = slice(matching, q.page).map((r) => presentSession(revision, r.dto));
        return send(res, entry, 200, {
          totalCount: matching.length,
          results,
          ...pageFields(revision, q.page),
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
    // A session the client's revision cannot name does not exist for it, on any of its paths.
    if (!record || !visibleTo(revision, record.dto)) return sendProblem(res, entry, 'resourceNotFound', `Session ${id} was not found.`);
    if (routed.endpoint === 'GET /sessions/{id}') return send(res, entry, 200, presentSession(revision, record.dto));
    if (routed.endpoint === 'GET /sessions/{id}/log') return send(res, entry, 200, data.log(id));
    const items = data.protectedItems(id);
    if (!items) return sendProblem(res, entry, 'resourceNotFound', `Session ${id} is not a backup session.`);
    const page = queryItems(items, params);
    return send(res, entry, 200, {
      totalCount: page.total,
      results: page.results,
      ...pageFields(revision, page.page),
      _links: links(`${BASE}/sessions/${id}/protectedItems`),
    });
  }

  async function handle(req: SimulatorRequest, res: SimulatorResponse, entry: RecordedRequest | undefined): Promise<void> {
    const method = req.method ?? 'GET';
    const { path, query } = entry ?? splitUrl(req.url);
    if (path.startsWith('/_simulator/')) return handleAdmin(req, res, path);
    // Only the API is counted: a stray probe of `/` must not show up in a benchmark's figures.
    if (!entry) return sendProblem(res, undefined, 'resourceNotFound', 'Not an API path.');
    const routed = route(method, path);
    const isToken = routed?.endpoint.endsWith(' /token') ?? false;
    const isData = routed !== undefined && !('wrongMethod' in routed) && !isToken;

    const delay = faults.delayMs(isData);
    if (delay > 0) await pause(delay);
    const fault = faults.decide(method, path, query, isToken ? 'token' : isData ? 'data' : 'other');
    if (fault.kind === 'drop') {
      dropCall(req);
      return;
    }
    if (fault.kind === 'status') {
      const name = problemForStatus(fault.status);
      const headers: Record<string, string> =
        fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
      return sendProblem(
        res,
        entry,
        name,
        'Injected fault.',
        { status: fault.status, ...(fault.errorCode ? { errorCode: fault.errorCode } : {}) },
        headers,
      );
    }
    if (!routed) return sendProblem(res, entry, 'resourceNotFound', `No resource at ${path}.`);
    if ('wrongMethod' in routed) {
      return sendProblem(res, entry, 'methodNotAllowed', `${method} is not allowed here.`, undefined, { allow: routed.allow });
    }

    const version = headerValue(req.headers['x-api-version']);
    if (version === undefined || version === '')
      return sendProblem(res, entry, 'apiVersionUnspecified', 'The x-api-version header is required.');
    // Node joins a repeated header with ", ": two versions in one request (the spec's ambiguousApiVersion).
    if (version.includes(',')) return sendProblem(res, entry, 'ambiguousApiVersion', 'Give x-api-version once.');
    if (!API_VERSION.test(version))
      return sendProblem(res, entry, 'invalidApiVersion', `x-api-version ${version} is not of the form 1.0-rev0.`);
    // Checked before the token endpoint too: an appliance refuses a login at a revision it does not serve.
    const revision = apiVersions.accepts(version) ? revisionOf(version) : undefined;
    if (!revision) return sendProblem(res, entry, 'unsupportedApiVersion', `API version ${version} is not supported.`);

    if (isToken) return handleToken(req, res, entry, { tokens, respond, username, password, mfaUsers: options.mfaUsers ?? {} });
    const bearer = bearerToken(req.headers.authorization);
    if (!bearer) return sendProblem(res, entry, 'noAccessToken', 'The request has no access token.');
    const check = tokens.checkAccess(bearer);
    if (check === 'expired') return sendProblem(res, entry, 'expiredAccessToken', 'The access token has expired.');
    if (check === 'invalid') return sendProblem(res, entry, 'invalidAccessToken', 'The access token is invalid.');
    try {
      handleData(res, entry, routed, query, revision);
    } catch (error) {
      if (error instanceof InvalidUriError) return sendProblem(res, entry, 'validationError', error.message, { errorCode: 'InvalidURI' });
      if (error instanceof ValidationError) return sendProblem(res, entry, 'validationError', error.message);
      throw error;
    }
  }

  /** Counted and recorded before anything can fail, so faulted and malformed calls show up too. */
  function admit(req: SimulatorRequest): RecordedRequest | undefined {
    const method = req.method ?? 'GET';
    const { path, query } = splitUrl(req.url);
    const lower = path.toLowerCase();
    if (lower !== BASE && !lower.startsWith(`${BASE}/`)) return undefined;
    const endpoint = route(method, path)?.endpoint ?? `${method} ${path}`;
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
        traceparent: headerValue(req.headers.traceparent),
      },
      status: 0,
      at: Date.now(),
      httpVersion: req.httpVersion,
      remotePort: remotePortOf(req),
    };
    counters.add(endpoint);
    record(requests, entry);
    return entry;
  }

  const { server, closeConnections } = listen(options, (req, res) => {
    const entry = admit(req);
    handle(req, res, entry).catch(() => {
      if (!res.headersSent) sendProblem(res, entry, 'unknownError', 'The simulator failed.');
      else res.destroy();
    });
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
  const orders = new SessionOrders(dataset.sessions);
  state.orders = orders;
  // The records as the newest revision emits them, rebuilt only after activity changed one.
  let emitted: SessionDto[] | undefined;
  const dtos = (): SessionDto[] => (emitted ??= dataset.sessions.map((r) => r.dto));
  const activity = new Activity(
    dataset,
    () => {
      orders.invalidate();
      emitted = undefined;
    },
    options.seed ?? 1,
  );
  state.activity = activity;
  const ticker = options.activity ? setInterval(() => activity.step(), options.activity.intervalMs) : undefined;
  ticker?.unref();

  return {
    url: `${origin}${BASE}`,
    origin,
    credentials: { username, password },
    knobs,
    activity,
    counters,
    requests,
    resetRequests: () => {
      requests.length = 0;
    },
    // eslint-disable-next-line no-restricted-syntax -- made once per start, not per call
    get apiVersions() {
      return apiVersions.list();
    },
    setApiVersions: (versions) => apiVersions.set(versions),
    data: {
      // eslint-disable-next-line no-restricted-syntax -- made once per start, not per call
      get sessions() {
        return dtos();
      },
      sessionsAt: (version) => {
        const revision = revisionOf(version);
        if (!revision) throw new Error(`Unknown API version ${version}.`);
        return dtos()
          .filter((dto) => visibleTo(revision, dto))
          .map((dto) => presentSession(revision, dto));
      },
      protectedItems: (id) => dataset.protectedItems(id.toLowerCase()),
      log: (id) => dataset.log(id.toLowerCase()),
    },
    expireAccessTokens: () => tokens.expireAccessTokens(),
    revokeRefreshTokens: () => tokens.revokeRefreshTokens(),
    activeAccessTokens: () => tokens.activeAccessTokens(),
    issuedTokens: () => tokens.issuedTokens(),
    close: () =>
      new Promise<void>((resolve) => {
        if (ticker) clearInterval(ticker);
        for (const timer of delays) clearTimeout(timer);
        delays.clear();
        server.close(() => resolve());
        closeConnections();
      }),
  };
}

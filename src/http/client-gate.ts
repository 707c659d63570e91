/**
 * What stands between a client and /graphql or an export, in order: CORS (preflights answered here);
 * admission by memory (503 with Retry-After near the heap limit); the throttle on failed
 * authentication by address (429); client authentication (401 before any GraphQL or upstream work,
 * logged with address and request id); the per-client rate limit (429 with Retry-After); and the
 * per-client cap on requests in progress (429), released when the response closes. Writes the
 * refusal itself; the caller goes on only with an admitted client.
 */
import { ErrorCode } from '../errors/catalogue';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { AuthError, type Authenticator, type ClientIdentity } from './auth/index';
import { clientAddress } from './client-address';
import { HEAP_RETRY_AFTER_S, type HeapAdmission } from './heap-admission';
import type { InFlightLimit } from './in-flight';
import { RateLimiter } from './rate-limit';
import { sendError } from '../errors/respond';
import { withFields } from '../upstream/with-fields';

export interface ClientGateOptions {
  authenticator: Authenticator;
  limiter: RateLimiter;
  corsOrigins: readonly string[];
  logger: Logger;
  /** Requests in progress per client, by kind of request. */
  inFlight?: Partial<Record<RequestKind, InFlightLimit>>;
  heap?: HeapAdmission;
  /** Proxies whose X-Forwarded-For is believed (TRUST_PROXY). */
  trustProxyHops?: number;
  /** Failed authentications allowed per address before it is throttled; default AUTH_FAILURE_LIMIT. */
  authFailures?: RateLimiter;
}

/**
 * Failed authentications per address: 10 at once, then one every 6 s. A person mistyping a key is
 * never slowed; guessing keys at 10 a minute is hopeless against 256-bit keys, and cheap to log.
 */
export const AUTH_FAILURE_LIMIT = { burst: 10, ratePerSecond: 1 / 6 };
/** A client at its cap of requests in progress may retry as soon as one finishes: a second is plenty. */
export const IN_FLIGHT_RETRY_AFTER_S = 1;

/** `stream`: a live subscription (SSE), capped by the live hub's per-client subscription cap instead. */
export type RequestKind = 'graphql' | 'export' | 'stream';

/**
 * The key a client's shares (rate limit, caps, upstream lane) are counted by: its identity, or,
 * without client authentication, its address, so that anonymous callers do not share one bucket.
 */
export function shareKeyOf(identity: ClientIdentity, address: string): string {
  return identity.mode === 'none' ? `${identity.id}@${address}` : identity.id;
}

/** An admitted client: its identity, and the key its shares are counted by (its address without authentication). */
export interface AdmittedClient extends ClientIdentity {
  key: string;
}

/**
 * Request headers browsers may send cross-origin: the gateway's own (credentials, request id), and
 * what standard clients add: Apollo Client's name/version and operation name (the header the CSRF
 * message recommends), W3C trace context (OpenTelemetry browser instrumentation).
 */
const CORS_ALLOWED_HEADERS = [
  'content-type',
  'authorization',
  'x-api-key',
  'x-request-id',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'apollographql-client-name',
  'apollographql-client-version',
  'traceparent',
  'tracestate',
].join(', ');
/** Browsers may reuse a preflight answer for 10 minutes. */
const CORS_MAX_AGE_S = 600;

export interface ClientGate {
  /** The admitted client, or undefined when the response has been written (preflight, 401, 429, 503). */
  admit(req: IncomingMessage, res: ServerResponse, kind?: RequestKind): Promise<AdmittedClient | undefined>;
}

function refuseBusy(
  res: ServerResponse,
  code: typeof ErrorCode.RATE_LIMITED | typeof ErrorCode.GATEWAY_OVERLOADED,
  message: string,
  retryAfterSeconds: number,
): undefined {
  sendError(res, code, message, { 'retry-after': String(retryAfterSeconds) });
  return undefined;
}

export function createClientGate(options: ClientGateOptions): ClientGate {
  const allowed = new Set(options.corsOrigins);
  const authFailures = options.authFailures ?? new RateLimiter(AUTH_FAILURE_LIMIT);
  return {
    async admit(req, res, kind = 'graphql') {
      const origin = req.headers.origin;
      if (origin !== undefined && allowed.has(origin)) {
        res.setHeader('access-control-allow-origin', origin);
        res.setHeader('access-control-expose-headers', 'x-request-id, retry-after');
      }
      res.setHeader('vary', 'origin');
      if (req.method === 'OPTIONS') {
        if (origin !== undefined && allowed.has(origin)) {
          res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
          res.setHeader('access-control-allow-headers', CORS_ALLOWED_HEADERS);
          res.setHeader('access-control-max-age', String(CORS_MAX_AGE_S));
        }
        res.writeHead(204);
        res.end();
        return undefined;
      }
      const address = clientAddress(req, options.trustProxyHops ?? 0);
      const requestId = String(res.getHeader('x-request-id') ?? '');
      if (options.heap && !options.heap.admits()) {
        options.logger.warn({ address, requestId }, 'request refused: heap near its limit');
        return refuseBusy(res, ErrorCode.GATEWAY_OVERLOADED, `The gateway is busy; retry in ${HEAP_RETRY_AFTER_S} s`, HEAP_RETRY_AFTER_S);
      }
      const throttled = authFailures.peek(address);
      if (!throttled.allowed) {
        options.logger.warn({ address, requestId }, 'client refused: too many failed authentications');
        return refuseBusy(
          res,
          ErrorCode.RATE_LIMITED,
          `Too many failed authentications from this address; retry in ${throttled.retryAfterSeconds} s`,
          throttled.retryAfterSeconds,
        );
      }
      let identity: ClientIdentity;
      try {
        identity = await options.authenticator.authenticate(req.headers);
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        authFailures.take(address);
        options.logger.warn({ reason: error.message, address, requestId }, 'client refused: not authenticated');
        sendError(res, error.code, error.message, error.wwwAuthenticate ? { 'www-authenticate': error.wwwAuthenticate } : {});
        return undefined;
      }
      // Without authentication every caller is "anonymous": shares are counted per address instead.
      const client: AdmittedClient = withFields(identity, { key: shareKeyOf(identity, address) });
      const decision = options.limiter.take(client.key);
      if (!decision.allowed) {
        options.logger.info({ client: client.id, address, requestId }, 'client refused: rate limited');
        return refuseBusy(
          res,
          ErrorCode.RATE_LIMITED,
          `Too many requests; retry in ${decision.retryAfterSeconds} s`,
          decision.retryAfterSeconds,
        );
      }
      const limit = options.inFlight?.[kind];
      if (limit) {
        const release = limit.acquire(client.key);
        if (!release) {
          options.logger.info({ client: client.id, address, requestId, kind }, 'client refused: too many requests in progress');
          const what = kind === 'export' ? 'exports' : 'requests';
          return refuseBusy(
            res,
            ErrorCode.RATE_LIMITED,
            `Too many ${what} in progress for this client (at most ${limit.max}); retry in ${IN_FLIGHT_RETRY_AFTER_S} s`,
            IN_FLIGHT_RETRY_AFTER_S,
          );
        }
        // A client that left while it was being authenticated has closed its response already.
        if (res.closed) release();
        else res.once('close', release);
      }
      return client;
    },
  };
}

/**
 * What stands between a client and /graphql, in order: CORS (preflights answered here), client
 * authentication (401 before any GraphQL or upstream work) and the per-client rate limit (429 with
 * Retry-After). Writes the refusal itself; the caller goes on only with an admitted identity.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { AuthError, type Authenticator, type ClientIdentity } from './auth/index';
import type { RateLimiter } from './rate-limit';
import { sendError } from '../errors/respond';

export interface ClientGateOptions {
  authenticator: Authenticator;
  limiter: RateLimiter;
  corsOrigins: readonly string[];
  logger: Logger;
}

const CORS_ALLOWED_HEADERS = 'content-type, authorization, x-api-key, x-request-id, apollo-require-preflight';
/** Browsers may reuse a preflight answer for 10 minutes. */
const CORS_MAX_AGE_S = 600;

export interface ClientGate {
  /** The admitted client, or undefined when the response has been written (preflight, 401, 429). */
  admit(req: IncomingMessage, res: ServerResponse): Promise<ClientIdentity | undefined>;
}

export function createClientGate(options: ClientGateOptions): ClientGate {
  const allowed = new Set(options.corsOrigins);
  return {
    async admit(req, res) {
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
      let client: ClientIdentity;
      try {
        client = await options.authenticator.authenticate(req.headers);
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        options.logger.info({ reason: error.message }, 'client refused: not authenticated');
        sendError(res, error.code, error.message, error.wwwAuthenticate ? { 'www-authenticate': error.wwwAuthenticate } : {});
        return undefined;
      }
      const decision = options.limiter.take(client.id);
      if (!decision.allowed) {
        options.logger.info({ client: client.id }, 'client refused: rate limited');
        sendError(res, 'RATE_LIMITED', `Too many requests; retry in ${decision.retryAfterSeconds} s`, {
          'retry-after': String(decision.retryAfterSeconds),
        });
        return undefined;
      }
      return client;
    },
  };
}

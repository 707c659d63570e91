/**
 * Who may ask: the client authenticator for the configured AUTH_MODE. Runs before any GraphQL or
 * upstream work; its identity goes into logs and rate limits.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { authenticateApiKey, loadApiKeys } from './api-keys';
import { AuthError } from './errors';
import { createJwtVerifier } from './jwt';
import type { AuthMode, AuthSettings } from './settings';

export { AuthError } from './errors';
export { readAuthSettings, type AuthMode, type AuthSettings } from './settings';
export { sha256Hex } from './api-keys';

export const AUTH_NONE_WARNING =
  'AUTH_MODE=none: every client that reaches this port can read all backup sessions; use apikey or jwt outside a demo';

export interface ClientIdentity {
  id: string;
  mode: AuthMode;
}

export interface Authenticator {
  readonly mode: AuthMode;
  /** Resolves the client, or rejects with an AuthError (401). */
  authenticate(headers: IncomingHttpHeaders): Promise<ClientIdentity>;
}

export function createAuthenticator(settings: AuthSettings, options: { jwksCooldownMs?: number } = {}): Authenticator {
  switch (settings.mode) {
    case 'none':
      return { mode: 'none', authenticate: async () => ({ id: 'anonymous', mode: 'none' }) };
    case 'apikey': {
      if (!settings.apiKeysFile) throw new Error('AUTH_MODE=apikey needs API_KEYS_FILE');
      const entries = loadApiKeys(settings.apiKeysFile);
      return { mode: 'apikey', authenticate: async (headers) => ({ id: authenticateApiKey(entries, headers), mode: 'apikey' }) };
    }
    case 'jwt': {
      if (!settings.jwt) throw new Error('AUTH_MODE=jwt needs JWT_ISSUER, JWT_AUDIENCE and JWT_JWKS_URL');
      const verifier = createJwtVerifier(settings.jwt, { cooldownMs: options.jwksCooldownMs });
      return { mode: 'jwt', authenticate: async (headers) => ({ id: await verifier.verify(headers), mode: 'jwt' }) };
    }
  }
}

export function isAuthError(error: unknown): error is AuthError {
  return error instanceof AuthError;
}

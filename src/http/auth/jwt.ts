/**
 * AUTH_MODE=jwt: bearer JWTs verified against an OIDC issuer's JWKS with jose, which caches the key
 * set and refetches it when a token names an unknown key (rotation), at most once per cooldown.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { AuthError } from './errors';

export interface JwtSettings {
  issuer: string;
  audience: string;
  jwksUrl: string;
  /** Oldest token accepted, by its `iat`; default DEFAULT_MAX_TOKEN_AGE_S. */
  maxTokenAgeSeconds?: number;
}

/** Asymmetric algorithms only: never `none`, never HS* (whose "key" would be public JWKS material). */
export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
/** Small clock skew between the issuer and the gateway. */
export const CLOCK_TOLERANCE_S = 30;
/** How long a fetched key set is trusted before it is refetched anyway. */
export const JWKS_CACHE_MAX_AGE_MS = 10 * 60_000;
/** Least time between two refetches for unknown keys: a flood of bogus `kid`s cannot flood the issuer. */
export const JWKS_COOLDOWN_MS = 30_000;
export const JWKS_TIMEOUT_MS = 5_000;
/**
 * No token may live longer than a day: one issued more than a day ago (`iat`), or valid for more than
 * a day from now (`exp`), is refused. Access tokens live minutes to hours; a longer-lived one is a
 * leaked or mis-issued credential.
 */
export const DEFAULT_MAX_TOKEN_AGE_S = 86_400;
/** Without `exp` a stolen token would be valid forever. */
export const REQUIRED_CLAIMS = ['exp'];

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i; // the scheme is case-insensitive (RFC 7235)

export interface JwtVerifier {
  verify(headers: IncomingHttpHeaders): Promise<string>;
}

export function createJwtVerifier(settings: JwtSettings, options: { cooldownMs?: number } = {}): JwtVerifier {
  const keys = createRemoteJWKSet(new URL(settings.jwksUrl), {
    cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
    cooldownDuration: options.cooldownMs ?? JWKS_COOLDOWN_MS,
    timeoutDuration: JWKS_TIMEOUT_MS,
  });
  const challenge = (error?: string): string => `Bearer realm="veeam-graphql-gateway"${error ? `, error="${error}"` : ''}`;
  return {
    async verify(headers) {
      const header = headers.authorization;
      if (header === undefined || header === '') {
        throw new AuthError('Missing bearer token (send Authorization: Bearer <JWT>)', challenge());
      }
      const token = BEARER.exec(header)?.[1];
      if (!token) throw new AuthError('Invalid token: not a bearer JWT', challenge('invalid_token'));
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          issuer: settings.issuer,
          audience: settings.audience,
          algorithms: ALLOWED_ALGORITHMS,
          clockTolerance: CLOCK_TOLERANCE_S,
          requiredClaims: REQUIRED_CLAIMS,
        }));
      } catch (error) {
        throw new AuthError(`Invalid token: ${reasonOf(error)}`, challenge('invalid_token'));
      }
      if (tooLongLived(payload, settings.maxTokenAgeSeconds ?? DEFAULT_MAX_TOKEN_AGE_S)) {
        throw new AuthError('Invalid token: it lives longer than the gateway accepts (JWT_MAX_TOKEN_AGE_S)', challenge('invalid_token'));
      }
      // The client is who the token was issued to when it says so (client-credential tokens), else its subject.
      const client = [payload['azp'], payload['client_id'], payload.sub].find((v): v is string => typeof v === 'string' && v !== '');
      if (!client) throw new AuthError('Invalid token: no subject', challenge('invalid_token'));
      return client;
    },
  };
}

/** Issued too long ago, or valid too far ahead; `exp` is present (required), `iat` optional. */
function tooLongLived(payload: JWTPayload, maxAgeSeconds: number): boolean {
  const nowS = Date.now() / 1000;
  const issuedTooLongAgo = typeof payload.iat === 'number' && nowS - payload.iat > maxAgeSeconds + CLOCK_TOLERANCE_S;
  const validTooFarAhead = typeof payload.exp === 'number' && payload.exp - nowS > maxAgeSeconds + CLOCK_TOLERANCE_S;
  return issuedTooLongAgo || validTooFarAhead;
}

/** What went wrong, in words a client can act on; nothing from the token itself. */
function reasonOf(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return error.reason === 'missing' ? `claim "${error.claim}" is missing` : `claim "${error.claim}" is not accepted`;
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad signature';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'signed with an unknown key';
  if (error instanceof joseErrors.JWKSTimeout || (error instanceof joseErrors.JOSEError && error.code === 'ERR_JWKS_INVALID')) {
    return 'the key set could not be fetched';
  }
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid) return 'malformed';
  return 'not verifiable';
}

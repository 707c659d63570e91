/**
 * Client-authentication settings from the environment, validated with the rest of the config.
 */
export type AuthMode = 'none' | 'apikey' | 'jwt';

export interface AuthSettings {
  mode: AuthMode;
  apiKeysFile?: string;
  jwt?: { issuer: string; audience: string; jwksUrl: string; maxTokenAgeSeconds?: number };
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * `settings` is undefined when AUTH_MODE is not set: the caller decides (demo mode → none; against a
 * real appliance the gateway refuses to start unprotected by accident).
 */
export function readAuthSettings(env: Record<string, string | undefined>): { settings?: AuthSettings; problems: string[] } {
  const mode = env['AUTH_MODE'];
  if (mode === undefined || mode === '') return { problems: [] };
  if (mode === 'none') return { settings: { mode }, problems: [] };
  if (mode === 'apikey') {
    const file = env['API_KEYS_FILE'];
    if (!file) return { problems: ['API_KEYS_FILE is required when AUTH_MODE=apikey'] };
    return { settings: { mode, apiKeysFile: file }, problems: [] };
  }
  if (mode === 'jwt') {
    const problems: string[] = [];
    const issuer = env['JWT_ISSUER'];
    const audience = env['JWT_AUDIENCE'];
    const jwksUrl = env['JWT_JWKS_URL'];
    if (!issuer) problems.push('JWT_ISSUER is required when AUTH_MODE=jwt');
    if (!audience) problems.push('JWT_AUDIENCE is required when AUTH_MODE=jwt');
    if (!jwksUrl) problems.push('JWT_JWKS_URL is required when AUTH_MODE=jwt');
    else if (!URL.canParse(jwksUrl)) problems.push('JWT_JWKS_URL must be a URL');
    else {
      const url = new URL(jwksUrl);
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
        problems.push('JWT_JWKS_URL must use https:// (http:// only on loopback)');
      }
    }
    if (problems.length > 0 || !issuer || !audience || !jwksUrl) return { problems };
    // JWT_MAX_TOKEN_AGE_S is validated with the other variables (config/env-schema.ts); unset: jwt.ts's default.
    const maxAge = env['JWT_MAX_TOKEN_AGE_S'];
    const maxTokenAgeSeconds = maxAge !== undefined && /^\d+$/.test(maxAge) ? Number(maxAge) : undefined;
    return { settings: { mode, jwt: { issuer, audience, jwksUrl, ...(maxTokenAgeSeconds ? { maxTokenAgeSeconds } : {}) } }, problems };
  }
  return { problems: ['AUTH_MODE must be apikey, jwt or none'] };
}

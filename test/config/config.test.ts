/**
 * Start-up validation: each mistake gets a message naming the variable; every problem is reported
 * at once; secrets never appear in the messages.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULTS, loadConfig } from '../../src/config/config';

const base = {
  VEEAM_BASE_URL: 'https://backup.example.com:11005/api/v1',
  VEEAM_USERNAME: 'svc-gateway',
  VEEAM_PASSWORD: 'S3cret-pass',
  AUTH_MODE: 'none',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs in demo mode with no configuration at all', () => {
    const config = loadConfig({});
    expect(config.demo).toEqual({ sessionCount: DEFAULTS.DEMO_SESSIONS });
    expect(config.upstream).toBeUndefined();
    expect(config.port).toBe(4000);
  });

  it('reads a full upstream configuration with defaults', () => {
    const config = loadConfig(base);
    expect(config.demo).toBeUndefined();
    expect(config.upstream).toMatchObject({
      baseUrl: base.VEEAM_BASE_URL,
      username: 'svc-gateway',
      password: 'S3cret-pass',
      apiVersion: '1.0-rev0',
      tlsInsecure: false,
      maxConnections: DEFAULTS.VEEAM_MAX_CONNECTIONS,
    });
  });

  it('reads the password from VEEAM_PASSWORD_FILE without its trailing newline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-secret-'));
    writeFileSync(join(dir, 'password'), 'from-file\n');
    const config = loadConfig({ ...base, VEEAM_PASSWORD: '', VEEAM_PASSWORD_FILE: join(dir, 'password') });
    expect(config.upstream?.password).toBe('from-file');
  });

  it.each([
    [{ PORT: 'abc' }, /^PORT must be a whole number from 0 to 65535$/],
    [{ PORT: '70000' }, /^PORT must be at most 65535$/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
    [{ VEEAM_BASE_URL: 'backup:11005' }, /^VEEAM_BASE_URL must start with https:\/\//],
    [{ VEEAM_BASE_URL: 'not a url' }, /^VEEAM_BASE_URL must be a URL/],
    [{ VEEAM_BASE_URL: 'ftp://backup/api/v1' }, /^VEEAM_BASE_URL must start with https:\/\//],
    [{ VEEAM_API_VERSION: 'v1' }, /^VEEAM_API_VERSION must look like 1\.0-rev0$/],
    [{ VEEAM_TLS_INSECURE: 'sure' }, /^VEEAM_TLS_INSECURE must be true or false$/],
    [{ VEEAM_MAX_CONNECTIONS: '0' }, /^VEEAM_MAX_CONNECTIONS must be at least 1$/],
    [{ MAX_PAGE_LIMIT: '-5' }, /^MAX_PAGE_LIMIT must be a whole number/],
  ])('rejects %j with a clear message', (extra, message) => {
    const problems = problemsOf({ ...base, ...extra });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('reports every missing or conflicting upstream setting at once', () => {
    const problems = problemsOf({ VEEAM_BASE_URL: base.VEEAM_BASE_URL });
    expect(problems).toEqual([
      'VEEAM_USERNAME is required when VEEAM_BASE_URL is set',
      'VEEAM_PASSWORD or VEEAM_PASSWORD_FILE is required when VEEAM_BASE_URL is set',
    ]);
    expect(problemsOf({ ...base, VEEAM_PASSWORD_FILE: '/x' })).toContain('set VEEAM_PASSWORD or VEEAM_PASSWORD_FILE, not both');
  });

  it('names unreadable files and bad CA bundles', () => {
    expect(problemsOf({ ...base, VEEAM_PASSWORD: '', VEEAM_PASSWORD_FILE: '/nonexistent/secret' })).toEqual([
      'VEEAM_PASSWORD_FILE cannot be read (/nonexistent/secret): ENOENT',
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'gw-ca-'));
    writeFileSync(join(dir, 'ca.pem'), 'not a certificate');
    expect(problemsOf({ ...base, VEEAM_CA_FILE: join(dir, 'ca.pem') })).toEqual([
      `VEEAM_CA_FILE (${join(dir, 'ca.pem')}) holds no PEM certificate`,
    ]);
  });

  it('refuses credentials without a base URL rather than silently entering demo mode', () => {
    expect(problemsOf({ VEEAM_USERNAME: 'x' })).toEqual([
      'VEEAM_USERNAME is set but VEEAM_BASE_URL is not (without it the gateway runs in demo mode)',
    ]);
  });

  it('requires AUTH_MODE in front of a real appliance, and validates each mode', () => {
    const { AUTH_MODE: _mode, ...withoutAuth } = base;
    expect(problemsOf(withoutAuth)).toEqual([
      'AUTH_MODE is required when VEEAM_BASE_URL is set: apikey, jwt, or none to run unprotected on purpose',
    ]);
    expect(problemsOf({ ...base, AUTH_MODE: 'basic' })).toEqual(['AUTH_MODE must be apikey, jwt or none']);
    expect(problemsOf({ ...base, AUTH_MODE: 'apikey' })).toEqual(['API_KEYS_FILE is required when AUTH_MODE=apikey']);
    expect(problemsOf({ ...base, AUTH_MODE: 'jwt', JWT_JWKS_URL: 'http://idp.example.com/jwks' })).toEqual([
      'JWT_ISSUER is required when AUTH_MODE=jwt',
      'JWT_AUDIENCE is required when AUTH_MODE=jwt',
      'JWT_JWKS_URL must use https:// (http:// only on loopback)',
    ]);
    expect(problemsOf({ ...base, CORS_ORIGINS: 'dash.example.com' })[0]).toMatch(/^CORS_ORIGINS must be a comma-separated list of origins/);
  });

  it('turns introspection and the playground on in demo mode only, unless set', () => {
    expect(loadConfig({})).toMatchObject({ introspection: true, playground: true, auth: { mode: 'none' } });
    expect(loadConfig(base)).toMatchObject({ introspection: false, playground: false });
    expect(loadConfig({ ...base, INTROSPECTION: 'true', PLAYGROUND: 'yes' })).toMatchObject({ introspection: true, playground: true });
  });

  it('never puts the password in a message', () => {
    const error = (() => {
      try {
        loadConfig({ ...base, PORT: 'x', VEEAM_PASSWORD_FILE: '/nope' });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error?.message).toBeDefined();
    expect(error?.message).not.toContain('S3cret-pass');
  });
});

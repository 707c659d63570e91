/**
 * Start-up validation: each mistake gets a message naming the variable; every problem is reported
 * at once; secrets never appear in the messages.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULTS, loadConfig } from '../../src/config/config';
import { closestVariable } from '../../src/config/unknown-variables';

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
      apiVersion: 'auto',
      tlsInsecure: false,
      maxConnections: DEFAULTS.VEEAM_MAX_CONNECTIONS,
      http2: 'off',
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
    [
      { VEEAM_BASE_URL: 'https://backup.example.com:11005/api/v2' },
      /^VEEAM_BASE_URL must be the appliance's address \(https:\/\/backup\.example\.com:11005\) or its API root \(…\/api\/v1\)/,
    ],
    [{ VEEAM_BASE_URL: 'ftp://backup/api/v1' }, /^VEEAM_BASE_URL must start with https:\/\//],
    [{ VEEAM_API_VERSION: 'v1' }, /^VEEAM_API_VERSION must be auto or a revision such as 1\.7-rev0$/],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, /^OTEL_EXPORTER_OTLP_ENDPOINT must be an http:\/\/ or https:\/\/ URL/],
    [{ METRICS_OPERATION_NAMES: 'Dashboard, bad name' }, /^METRICS_OPERATION_NAMES must be a comma-separated list of names/],
    [{ VEEAM_TLS_INSECURE: 'sure' }, /^VEEAM_TLS_INSECURE must be true or false$/],
    [{ VEEAM_MAX_CONNECTIONS: '0' }, /^VEEAM_MAX_CONNECTIONS must be at least 1$/],
    [{ VEEAM_HTTP2: 'on' }, /^VEEAM_HTTP2 must be auto or off$/],
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
      'AUTH_MODE is required when VEEAM_BASE_URL is set: apikey, jwt, or none to run unprotected on purpose',
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

  it('refuses to fall into demo mode in production, saying what to set', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      'NODE_ENV=production and no appliance is configured: set VEEAM_BASE_URL (e.g. https://backup.example.com:11005), ' +
        'VEEAM_USERNAME, VEEAM_PASSWORD or VEEAM_PASSWORD_FILE, and AUTH_MODE. ' +
        '(Demo mode, with simulated data and no client authentication, starts only with DEMO=true.)',
    ]);
    expect(loadConfig({ NODE_ENV: 'production', DEMO: 'true' }).demo).toEqual({ sessionCount: DEFAULTS.DEMO_SESSIONS });
    expect(problemsOf({ DEMO: 'false' })[0]).toMatch(/^DEMO=false and no appliance is configured: set VEEAM_BASE_URL/);
    expect(problemsOf({ ...base, DEMO: 'true' })).toEqual([
      'DEMO=true and VEEAM_BASE_URL are both set: unset one (DEMO=true serves simulated data)',
    ]);
  });

  it('names a mistyped variable with the one that was meant, instead of ignoring it', () => {
    const { VEEAM_BASE_URL: url, ...rest } = base;
    expect(problemsOf({ ...rest, VEEAM_BASEURL: url, NODE_ENV: 'production' })).toEqual([
      'VEEAM_BASEURL is not a variable the gateway reads; did you mean VEEAM_BASE_URL?',
      expect.stringMatching(/^NODE_ENV=production and no appliance is configured/),
      'VEEAM_USERNAME is set but VEEAM_BASE_URL is not (without it the gateway runs in demo mode)',
      'VEEAM_PASSWORD is set but VEEAM_BASE_URL is not (without it the gateway runs in demo mode)',
    ]);
    expect(problemsOf({ ...base, CACHE_LIVE_TTL: '5000', RATE_LIMIT_BRUST: '9', LOG_COLOUR: 'yes' })).toEqual([
      'CACHE_LIVE_TTL is not a variable the gateway reads; did you mean CACHE_LIVE_TTL_MS?',
      'RATE_LIMIT_BRUST is not a variable the gateway reads; did you mean RATE_LIMIT_BURST?',
      'LOG_COLOUR is not a variable the gateway reads (see the configuration table in README.md)',
    ]);
    // Other software's variables, and the OpenTelemetry standard's, are not the gateway's business.
    expect(() => loadConfig({ ...base, OTEL_BSP_MAX_QUEUE_SIZE: '100', HOME: '/root', SIM_PORT: '1' })).not.toThrow();
    expect(closestVariable('veeam_password_fiel')).toBe('VEEAM_PASSWORD_FILE');
  });

  it('reports every problem at once, unreadable files included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-all-'));
    expect(
      problemsOf({
        VEEAM_BASE_URL: 'ftp://x',
        VEEAM_PASSWORD: 'S3cret-pass',
        VEEAM_PASSWORD_FILE: join(dir, 'password'),
        VEEAM_CA_FILE: join(dir, 'ca.pem'),
        AUTH_MODE: 'apikey',
        API_KEYS_FILE: join(dir, 'keys'),
        PORT: 'http',
      }),
    ).toEqual([
      'PORT must be a whole number from 0 to 65535',
      'VEEAM_BASE_URL must start with https:// (or http:// for a local simulator)',
      'VEEAM_USERNAME is required when VEEAM_BASE_URL is set',
      'set VEEAM_PASSWORD or VEEAM_PASSWORD_FILE, not both',
      `VEEAM_CA_FILE cannot be read (${join(dir, 'ca.pem')}): ENOENT`,
      `API_KEYS_FILE cannot be read (${join(dir, 'keys')}): ENOENT`,
    ]);
    writeFileSync(join(dir, 'keys'), 'not a key line\n');
    expect(problemsOf({ ...base, AUTH_MODE: 'apikey', API_KEYS_FILE: join(dir, 'keys') })).toEqual([
      `API_KEYS_FILE: ${join(dir, 'keys')} line 1: expected "<client-name> <sha256 hex of the key>"`,
    ]);
  });

  it("takes the appliance's address or its API root, and talks to the API root", () => {
    for (const url of [
      'https://backup.example.com:11005',
      'https://backup.example.com:11005/',
      'https://backup.example.com:11005/api/v1/',
    ]) {
      expect(loadConfig({ ...base, VEEAM_BASE_URL: url }).upstream?.baseUrl).toBe('https://backup.example.com:11005/api/v1');
    }
  });

  it("negotiates the API revision unless one is pinned; the demo pins the simulator's recent one", () => {
    expect(loadConfig(base).upstream?.apiVersion).toBe('auto');
    expect(loadConfig({ ...base, VEEAM_API_VERSION: '1.5-rev1' }).upstream?.apiVersion).toBe('1.5-rev1');
    expect(loadConfig({}).tuning.apiVersion).toBe(DEFAULTS.DEMO_API_VERSION);
  });

  it('binds the unauthenticated demo to loopback unless HOST says otherwise', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig(base).host).toBe('0.0.0.0');
  });

  it('turns tracing on with an OTLP endpoint only, and honours the SDK switches', () => {
    expect(loadConfig(base).tracing).toBeUndefined();
    expect(loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing).toEqual({
      serviceName: 'veeam-graphql-gateway',
    });
    expect(
      loadConfig({ ...base, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces', OTEL_SERVICE_NAME: 'bff' }).tracing,
    ).toEqual({ serviceName: 'bff' });
    expect(loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }).tracing).toBeUndefined();
    expect(loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }).tracing).toBeUndefined();
  });

  it('reads the known metric label names', () => {
    expect(
      loadConfig({ ...base, METRICS_OPERATION_NAMES: 'Dashboard, FailedSessions', METRICS_CLIENT_NAMES: 'ops-dashboard' }).metrics,
    ).toEqual({
      operationNames: ['Dashboard', 'FailedSessions'],
      clientNames: ['ops-dashboard'],
    });
  });
});

/**
 * Configuration: read from the environment once at start-up, validated into one typed object that
 * the rest of the code receives (nothing else reads process.env). Every mistake is reported at once,
 * each with the variable's name and what is expected. Secrets are read here and never echoed.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { loadApiKeys } from '../http/auth/api-keys';
import { readAuthSettings } from '../http/auth/settings';
import type { HttpSettings } from '../http/settings';
import { LIVE_DEFAULTS, type LiveSettings } from '../live/settings';
import type { LogLevel } from '../telemetry/logger';
import type { UpstreamConfig, UpstreamTuning } from '../upstream/options';
import { DEFAULTS, envSchema } from './env-schema';
import { unknownVariableProblems } from './unknown-variables';

export { DEFAULTS } from './env-schema';

export type { LogLevel, UpstreamConfig, UpstreamTuning };

/** Tracing: the OpenTelemetry SDK is loaded only when an OTLP endpoint is configured. */
export interface TracingConfig {
  serviceName: string;
}

/** The known label values of the metrics (anything else is counted as `other`). */
export interface MetricsConfig {
  operationNames: string[];
  clientNames: string[];
}

/** The whole validated configuration: each layer's slice, plus what only the entry points use. */
export interface Config extends HttpSettings {
  logLevel: LogLevel;
  /** JSON lines for log shippers; pretty lines for people (the demo's default). */
  logFormat: 'json' | 'pretty';
  /** The embedded simulator instead of an appliance: only when asked for (see demoProblems). */
  demo: { sessionCount: number } | undefined;
  /** The appliance; absent in demo mode (demo.ts points `tuning` at the simulator). */
  upstream: UpstreamConfig | undefined;
  tuning: UpstreamTuning;
  /** Grace period for in-flight requests on SIGTERM. */
  shutdownGraceMs: number;
  /** Undefined: tracing off, and no SDK code loaded. */
  tracing: TracingConfig | undefined;
  metrics: MetricsConfig;
  /** Live session updates (subscriptions): LIVE_*. */
  live: LiveSettings;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** What to set to talk to an appliance, for the messages that refuse demo mode. */
const APPLIANCE_SETTINGS =
  'set VEEAM_BASE_URL (e.g. https://backup.example.com:11005), VEEAM_USERNAME, VEEAM_PASSWORD or VEEAM_PASSWORD_FILE, and AUTH_MODE';

/**
 * Reads and validates the environment. Throws ConfigError listing every problem: each variable's
 * value, typos in names, missing or conflicting settings and unreadable files, all in one go.
 */
export function loadConfig(env: Env = process.env): Config {
  // Empty variables mean "unset": docker/compose files often declare FOO= to document a knob.
  const present = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
  const problems = unknownVariableProblems(Object.keys(present));
  const e = parseEachVariable(present, problems);
  const applianceGiven = present['VEEAM_BASE_URL'] !== undefined;
  const production = e.NODE_ENV === 'production';
  problems.push(...demoProblems(e.DEMO, applianceGiven, production));
  const demo = !applianceGiven && (e.DEMO === true || (e.DEMO === undefined && !production));

  const tuning = readTuning(e);
  // Until a demo talks to a negotiating upstream, it pins the simulator's recent revision.
  if (demo && e.VEEAM_API_VERSION === undefined) tuning.apiVersion = DEFAULTS.DEMO_API_VERSION;
  const upstream = applianceGiven ? readUpstream(e, tuning, problems) : undefined;
  if (!applianceGiven) {
    for (const name of ['VEEAM_USERNAME', 'VEEAM_PASSWORD', 'VEEAM_PASSWORD_FILE', 'VEEAM_CA_FILE'] as const) {
      if (e[name] !== undefined) problems.push(`${name} is set but VEEAM_BASE_URL is not (without it the gateway runs in demo mode)`);
    }
  }
  const auth = readAuthSettings(present);
  problems.push(...auth.problems);
  if (e.TRUSTED_DOCUMENTS !== undefined && e.TRUSTED_DOCUMENTS !== 'off' && e.TRUSTED_DOCUMENTS_FILE === undefined) {
    problems.push(
      `TRUSTED_DOCUMENTS=${e.TRUSTED_DOCUMENTS} needs TRUSTED_DOCUMENTS_FILE (a persisted-documents.json or an Apollo persisted query manifest)`,
    );
  }
  if (auth.settings === undefined && auth.problems.length === 0 && applianceGiven) {
    problems.push('AUTH_MODE is required when VEEAM_BASE_URL is set: apikey, jwt, or none to run unprotected on purpose');
  }
  if (auth.settings?.mode === 'apikey' && auth.settings.apiKeysFile !== undefined) checkApiKeysFile(auth.settings.apiKeysFile, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port: e.PORT ?? DEFAULTS.PORT,
    host: e.HOST ?? (demo ? DEFAULTS.DEMO_HOST : DEFAULTS.HOST),
    logLevel: e.LOG_LEVEL ?? DEFAULTS.LOG_LEVEL,
    logFormat: e.LOG_FORMAT ?? (demo ? 'pretty' : 'json'),
    demo: demo ? { sessionCount: e.DEMO_SESSIONS ?? DEFAULTS.DEMO_SESSIONS } : undefined,
    upstream,
    tuning,
    maxPageLimit: e.MAX_PAGE_LIMIT ?? DEFAULTS.MAX_PAGE_LIMIT,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS ?? DEFAULTS.SHUTDOWN_GRACE_MS,
    live: {
      pollMs: e.LIVE_POLL_MS ?? LIVE_DEFAULTS.pollMs,
      replayWindow: e.LIVE_REPLAY_WINDOW ?? LIVE_DEFAULTS.replayWindow,
      maxSubscriptionsPerClient: e.LIVE_MAX_SUBSCRIPTIONS_PER_CLIENT ?? LIVE_DEFAULTS.maxSubscriptionsPerClient,
      maxWebSocketsPerClient: e.LIVE_MAX_WEBSOCKETS_PER_CLIENT ?? LIVE_DEFAULTS.maxWebSocketsPerClient,
      heartbeatMs: e.LIVE_HEARTBEAT_MS ?? LIVE_DEFAULTS.heartbeatMs,
    },
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS ?? DEFAULTS.REQUEST_TIMEOUT_MS,
    production,
    auth: auth.settings ?? { mode: 'none' },
    rateLimit: { ratePerSecond: e.RATE_LIMIT_RPS ?? DEFAULTS.RATE_LIMIT_RPS, burst: e.RATE_LIMIT_BURST ?? DEFAULTS.RATE_LIMIT_BURST },
    introspection: e.INTROSPECTION ?? demo,
    playground: e.PLAYGROUND ?? demo,
    corsOrigins: e.CORS_ORIGINS ?? [],
    maxBodyBytes: e.MAX_BODY_BYTES ?? DEFAULTS.MAX_BODY_BYTES,
    exportConcurrency: e.EXPORT_CONCURRENCY ?? DEFAULTS.EXPORT_CONCURRENCY,
    trustedDocuments: { mode: e.TRUSTED_DOCUMENTS ?? DEFAULTS.TRUSTED_DOCUMENTS, file: e.TRUSTED_DOCUMENTS_FILE },
    queryLimits: {
      maxDepth: e.MAX_QUERY_DEPTH ?? DEFAULTS.MAX_QUERY_DEPTH,
      maxAliases: e.MAX_QUERY_ALIASES ?? DEFAULTS.MAX_QUERY_ALIASES,
      maxTokens: e.MAX_QUERY_TOKENS ?? DEFAULTS.MAX_QUERY_TOKENS,
      maxCost: e.MAX_QUERY_COST ?? DEFAULTS.MAX_QUERY_COST,
      maxRows: e.MAX_QUERY_ROWS ?? DEFAULTS.MAX_QUERY_ROWS,
    },
    hostileLoad: {
      maxClientRequests: e.MAX_CLIENT_REQUESTS ?? DEFAULTS.MAX_CLIENT_REQUESTS,
      maxClientExports: e.MAX_CLIENT_EXPORTS ?? DEFAULTS.MAX_CLIENT_EXPORTS,
      exportTimeoutMs: e.EXPORT_TIMEOUT_MS ?? DEFAULTS.EXPORT_TIMEOUT_MS,
      maxHeapUsedPercent: e.MAX_HEAP_USED_PERCENT ?? DEFAULTS.MAX_HEAP_USED_PERCENT,
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS ?? DEFAULTS.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS ?? DEFAULTS.HTTP_REQUEST_TIMEOUT_MS,
      maxConnections: e.MAX_CONNECTIONS ?? DEFAULTS.MAX_CONNECTIONS,
      trustProxyHops: e.TRUST_PROXY ?? DEFAULTS.TRUST_PROXY,
    },
    tracing: tracingEnabled(e) ? { serviceName: e.OTEL_SERVICE_NAME ?? DEFAULTS.OTEL_SERVICE_NAME } : undefined,
    metrics: { operationNames: e.METRICS_OPERATION_NAMES ?? [], clientNames: e.METRICS_CLIENT_NAMES ?? [] },
  };
}

/**
 * Validates each variable on its own, so that every bad value is reported, then returns the valid
 * ones parsed (a bad value counts as unset for the checks that follow).
 */
function parseEachVariable(present: Record<string, string>, problems: string[]): ParsedEnv {
  const valid: Record<string, string> = {};
  // In the schema's order, so that messages come in the README table's order whatever the environment's.
  for (const [name, field] of Object.entries(envSchema.shape)) {
    const value = present[name];
    if (value === undefined) continue;
    const parsed = field.safeParse(value);
    if (parsed.success) valid[name] = value;
    else problems.push(...parsed.error.issues.map((issue) => `${name} ${issue.message}`));
  }
  return envSchema.parse(valid);
}

/** Demo mode serves simulated data with authentication off: only on request, never by omission in production. */
function demoProblems(demo: boolean | undefined, applianceGiven: boolean, production: boolean): string[] {
  if (applianceGiven && demo === true) return ['DEMO=true and VEEAM_BASE_URL are both set: unset one (DEMO=true serves simulated data)'];
  if (applianceGiven) return [];
  if (demo === false) return [`DEMO=false and no appliance is configured: ${APPLIANCE_SETTINGS}`];
  if (production && demo === undefined) {
    return [
      `NODE_ENV=production and no appliance is configured: ${APPLIANCE_SETTINGS}. ` +
        '(Demo mode, with simulated data and no client authentication, starts only with DEMO=true.)',
    ];
  }
  return [];
}

/** The SDK's own switches: OTEL_SDK_DISABLED and OTEL_TRACES_EXPORTER=none turn tracing off. */
function tracingEnabled(e: ParsedEnv): boolean {
  if (e.OTEL_SDK_DISABLED === true || e.OTEL_TRACES_EXPORTER === 'none') return false;
  return e.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined || e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined;
}

type ParsedEnv = z.infer<typeof envSchema>;

function readTuning(e: ParsedEnv): UpstreamTuning {
  return {
    apiVersion: e.VEEAM_API_VERSION ?? DEFAULTS.VEEAM_API_VERSION,
    connectTimeoutMs: e.VEEAM_CONNECT_TIMEOUT_MS ?? DEFAULTS.VEEAM_CONNECT_TIMEOUT_MS,
    headersTimeoutMs: e.VEEAM_HEADERS_TIMEOUT_MS ?? DEFAULTS.VEEAM_HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: e.VEEAM_BODY_TIMEOUT_MS ?? DEFAULTS.VEEAM_BODY_TIMEOUT_MS,
    keepAliveTimeoutMs: e.VEEAM_KEEPALIVE_TIMEOUT_MS ?? DEFAULTS.VEEAM_KEEPALIVE_TIMEOUT_MS,
    maxConnections: e.VEEAM_MAX_CONNECTIONS ?? DEFAULTS.VEEAM_MAX_CONNECTIONS,
    http2: e.VEEAM_HTTP2 ?? DEFAULTS.VEEAM_HTTP2,
    pageSize: e.VEEAM_PAGE_SIZE ?? DEFAULTS.VEEAM_PAGE_SIZE,
    maxQueue: e.UPSTREAM_MAX_QUEUE ?? DEFAULTS.UPSTREAM_MAX_QUEUE,
    retry: {
      maxAttempts: e.UPSTREAM_RETRY_ATTEMPTS ?? DEFAULTS.UPSTREAM_RETRY_ATTEMPTS,
      baseDelayMs: e.UPSTREAM_RETRY_BASE_MS ?? DEFAULTS.UPSTREAM_RETRY_BASE_MS,
      maxDelayMs: e.UPSTREAM_RETRY_MAX_MS ?? DEFAULTS.UPSTREAM_RETRY_MAX_MS,
    },
    breaker: {
      failureThreshold: e.BREAKER_FAILURE_THRESHOLD ?? DEFAULTS.BREAKER_FAILURE_THRESHOLD,
      openMs: e.BREAKER_OPEN_MS ?? DEFAULTS.BREAKER_OPEN_MS,
    },
    cache: {
      finishedItemsTtlMs: e.CACHE_FINISHED_TTL_MS ?? DEFAULTS.CACHE_FINISHED_TTL_MS,
      liveTtlMs: e.CACHE_LIVE_TTL_MS ?? DEFAULTS.CACHE_LIVE_TTL_MS,
      maxEntries: e.CACHE_MAX_ENTRIES ?? DEFAULTS.CACHE_MAX_ENTRIES,
      maxBytes: e.CACHE_MAX_BYTES ?? DEFAULTS.CACHE_MAX_BYTES,
    },
  };
}

function readUpstream(e: ParsedEnv, tuning: UpstreamTuning, problems: string[]): UpstreamConfig | undefined {
  if (e.VEEAM_USERNAME === undefined) problems.push('VEEAM_USERNAME is required when VEEAM_BASE_URL is set');
  if (e.VEEAM_PASSWORD !== undefined && e.VEEAM_PASSWORD_FILE !== undefined) {
    problems.push('set VEEAM_PASSWORD or VEEAM_PASSWORD_FILE, not both');
  }
  if (e.VEEAM_PASSWORD === undefined && e.VEEAM_PASSWORD_FILE === undefined) {
    problems.push('VEEAM_PASSWORD or VEEAM_PASSWORD_FILE is required when VEEAM_BASE_URL is set');
  }
  const password = e.VEEAM_PASSWORD ?? readSecretFile('VEEAM_PASSWORD_FILE', e.VEEAM_PASSWORD_FILE, problems);
  const ca = readCaFile(e.VEEAM_CA_FILE, problems);
  if (e.VEEAM_TLS_INSECURE === true && e.VEEAM_CA_FILE !== undefined) {
    problems.push('set VEEAM_CA_FILE or VEEAM_TLS_INSECURE=true, not both (a CA bundle makes insecure mode unnecessary)');
  }
  const baseUrl = e.VEEAM_BASE_URL;
  if (problems.length > 0 || baseUrl === undefined || e.VEEAM_USERNAME === undefined || password === undefined) return undefined;
  return {
    ...tuning,
    baseUrl,
    username: e.VEEAM_USERNAME,
    password,
    caFile: e.VEEAM_CA_FILE,
    ca,
    tlsInsecure: e.VEEAM_TLS_INSECURE ?? false,
  };
}

function readSecretFile(name: string, path: string | undefined, problems: string[]): string | undefined {
  if (path === undefined) return undefined;
  try {
    // Mounted secrets usually end with a newline that is not part of the password.
    const value = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    if (value === '') problems.push(`${name} points to an empty file (${path})`);
    return value;
  } catch (error) {
    problems.push(`${name} cannot be read (${path}): ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}`);
    return undefined;
  }
}

function readCaFile(path: string | undefined, problems: string[]): string | undefined {
  if (path === undefined) return undefined;
  try {
    const pem = readFileSync(path, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      problems.push(`VEEAM_CA_FILE (${path}) holds no PEM certificate`);
      return undefined;
    }
    return pem;
  } catch (error) {
    problems.push(`VEEAM_CA_FILE cannot be read (${path}): ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}`);
    return undefined;
  }
}

/** The keys file is read at start-up by the authenticator: a file it cannot use is a configuration problem. */
function checkApiKeysFile(path: string, problems: string[]): void {
  try {
    loadApiKeys(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // parseApiKeys' messages name the file and line, never a line's content.
    problems.push(code !== undefined ? `API_KEYS_FILE cannot be read (${path}): ${code}` : `API_KEYS_FILE: ${(error as Error).message}`);
  }
}

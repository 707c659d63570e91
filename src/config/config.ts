/**
 * Configuration: read from the environment once at start-up, validated into one typed object that
 * the rest of the code receives (nothing else reads process.env). Every mistake is reported at once,
 * each with the variable's name and what is expected. Secrets are read here and never echoed.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { readAuthSettings } from '../http/auth/settings';
import type { HttpSettings } from '../http/settings';
import type { LogLevel } from '../telemetry/logger';
import type { UpstreamConfig, UpstreamTuning } from '../upstream/options';
import { DEFAULTS, envSchema } from './env-schema';

export { DEFAULTS } from './env-schema';

export type { LogLevel, UpstreamConfig, UpstreamTuning };

/** The whole validated configuration: each layer's slice, plus what only the entry points use. */
export interface Config extends HttpSettings {
  logLevel: LogLevel;
  /** JSON lines for log shippers; pretty lines for people (the demo's default). */
  logFormat: 'json' | 'pretty';
  /** No VEEAM_BASE_URL: the gateway runs the embedded simulator and talks to it. */
  demo: { sessionCount: number } | undefined;
  /** The appliance; absent in demo mode (demo.ts points `tuning` at the simulator). */
  upstream: UpstreamConfig | undefined;
  tuning: UpstreamTuning;
  /** Grace period for in-flight requests on SIGTERM. */
  shutdownGraceMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}


type Env = Record<string, string | undefined>;

/** Reads and validates the environment. Throws ConfigError listing every problem. */
export function loadConfig(env: Env = process.env): Config {
  // Empty variables mean "unset": docker/compose files often declare FOO= to document a knob.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const tuning = readTuning(e);
  if (e.VEEAM_BASE_URL === undefined && e.VEEAM_API_VERSION === undefined) tuning.apiVersion = DEFAULTS.DEMO_API_VERSION;
  const upstream = e.VEEAM_BASE_URL === undefined ? undefined : readUpstream(e, e.VEEAM_BASE_URL, tuning, problems);
  if (e.VEEAM_BASE_URL === undefined) {
    for (const name of ['VEEAM_USERNAME', 'VEEAM_PASSWORD', 'VEEAM_PASSWORD_FILE', 'VEEAM_CA_FILE'] as const) {
      if (e[name] !== undefined) problems.push(`${name} is set but VEEAM_BASE_URL is not (without it the gateway runs in demo mode)`);
    }
  }
  const auth = readAuthSettings(present);
  problems.push(...auth.problems);
  if (auth.settings === undefined && auth.problems.length === 0 && upstream !== undefined) {
    problems.push('AUTH_MODE is required when VEEAM_BASE_URL is set: apikey, jwt, or none to run unprotected on purpose');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const demo = upstream === undefined;
  return {
    port: e.PORT ?? DEFAULTS.PORT,
    host: e.HOST ?? DEFAULTS.HOST,
    logLevel: e.LOG_LEVEL ?? DEFAULTS.LOG_LEVEL,
    logFormat: e.LOG_FORMAT ?? (upstream ? 'json' : 'pretty'),
    demo: demo ? { sessionCount: e.DEMO_SESSIONS ?? DEFAULTS.DEMO_SESSIONS } : undefined,
    upstream,
    tuning,
    maxPageLimit: e.MAX_PAGE_LIMIT ?? DEFAULTS.MAX_PAGE_LIMIT,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS ?? DEFAULTS.SHUTDOWN_GRACE_MS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS ?? DEFAULTS.REQUEST_TIMEOUT_MS,
    production: e.NODE_ENV === 'production',
    auth: auth.settings ?? { mode: 'none' },
    rateLimit: { ratePerSecond: e.RATE_LIMIT_RPS ?? DEFAULTS.RATE_LIMIT_RPS, burst: e.RATE_LIMIT_BURST ?? DEFAULTS.RATE_LIMIT_BURST },
    introspection: e.INTROSPECTION ?? demo,
    playground: e.PLAYGROUND ?? demo,
    corsOrigins: e.CORS_ORIGINS ?? [],
    maxBodyBytes: e.MAX_BODY_BYTES ?? DEFAULTS.MAX_BODY_BYTES,
    exportConcurrency: e.EXPORT_CONCURRENCY ?? DEFAULTS.EXPORT_CONCURRENCY,
    queryLimits: {
      maxDepth: e.MAX_QUERY_DEPTH ?? DEFAULTS.MAX_QUERY_DEPTH,
      maxAliases: e.MAX_QUERY_ALIASES ?? DEFAULTS.MAX_QUERY_ALIASES,
      maxTokens: e.MAX_QUERY_TOKENS ?? DEFAULTS.MAX_QUERY_TOKENS,
      maxCost: e.MAX_QUERY_COST ?? DEFAULTS.MAX_QUERY_COST,
    },
  };
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

function readUpstream(e: ParsedEnv, baseUrl: string, tuning: UpstreamTuning, problems: string[]): UpstreamConfig | undefined {
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
  if (problems.length > 0 || e.VEEAM_USERNAME === undefined || password === undefined) return undefined;
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

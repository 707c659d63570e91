/**
 * The environment variables the gateway reads, their defaults (each with the reason for it) and
 * their validation. config.ts turns the validated values into the typed Config.
 */
import { z } from 'zod';
import type { LogLevel } from '../telemetry/logger';

/** Defaults, each with the reason it is what it is. */
export const DEFAULTS = {
  /** Apollo's conventional port. */
  PORT: 4000,
  HOST: '0.0.0.0',
  /** The revision the seed documents name; appliances accept a rolling window, so it is configurable. */
  VEEAM_API_VERSION: '1.0-rev0',
  /** Demo mode asks the simulator for a recent revision so that names and extended types show. */
  DEMO_API_VERSION: '1.7-rev0',
  /** A reachable appliance connects in milliseconds; 5 s covers a slow VPN without hanging clients. */
  VEEAM_CONNECT_TIMEOUT_MS: 5_000,
  /** Large session lists take the appliance a while to produce. */
  VEEAM_HEADERS_TIMEOUT_MS: 30_000,
  VEEAM_BODY_TIMEOUT_MS: 30_000,
  /** Keep sockets warm between dashboard polls. */
  VEEAM_KEEPALIVE_TIMEOUT_MS: 10_000,
  /** The appliance is a small VM: a handful of parallel calls is what it serves well. */
  VEEAM_MAX_CONNECTIONS: 8,
  /** Limit's maximum is undocumented; 200 is what real clients page with. */
  VEEAM_PAGE_SIZE: 200,
  /** 1,000 sessions is several upstream pages: more belongs in an export, not a GraphQL page. */
  MAX_PAGE_LIMIT: 1_000,
  /** Enough waiting calls for several large dashboards; beyond it, waiting would outlast any deadline. */
  UPSTREAM_MAX_QUEUE: 1_000,
  /** Three attempts ride out a restart blip without tripling the load of a failing appliance. */
  UPSTREAM_RETRY_ATTEMPTS: 3,
  UPSTREAM_RETRY_BASE_MS: 100,
  UPSTREAM_RETRY_MAX_MS: 2_000,
  /** Five consecutive failures: more than a blip, fewer than a queue of doomed calls. */
  BREAKER_FAILURE_THRESHOLD: 5,
  BREAKER_OPEN_MS: 10_000,
  /** No GraphQL request should hang a dashboard for longer (graphql-hive/gateway#251). */
  REQUEST_TIMEOUT_MS: 30_000,
  /** Finished sessions' items never change: keep them a day. */
  CACHE_FINISHED_TTL_MS: 86_400_000,
  /** Off: live data is fetched fresh unless the operator accepts some staleness. */
  CACHE_LIVE_TTL_MS: 0,
  CACHE_MAX_ENTRIES: 10_000,
  /** 64 MiB of cached JSON keeps the gateway well under its memory budget. */
  CACHE_MAX_BYTES: 64 * 1024 * 1024,
  DEMO_SESSIONS: 3_000,
  /** A dashboard polls a few times a minute; 20/s with bursts of 40 only stops floods. */
  RATE_LIMIT_RPS: 20,
  RATE_LIMIT_BURST: 40,
  /** The deepest legitimate query (sessions → items → protectedItems → items → field) is 5 levels. */
  MAX_QUERY_DEPTH: 10,
  /** A dashboard comparing a few views needs a handful; hundreds are an attack on the parser. */
  MAX_QUERY_ALIASES: 30,
  /** Tokens parsed before giving up: the example queries have a few hundred. */
  MAX_QUERY_TOKENS: 5_000,
  /** Worst-case upstream calls of one query: a 50-session dashboard with items and logs costs 101. */
  MAX_QUERY_COST: 500,
  /** Enough to keep the stream ahead of a 10 ms appliance without crowding out dashboards. */
  EXPORT_CONCURRENCY: 4,
  /** A GraphQL document with variables is a few KiB; 1 MiB leaves room and stops abuse. */
  MAX_BODY_BYTES: 1024 * 1024,
  SHUTDOWN_GRACE_MS: 10_000,
  LOG_LEVEL: 'info' as LogLevel,
} as const;

const intIn = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' }))
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

export const envSchema = z.object({
  PORT: intIn(0, 65_535).optional(),
  HOST: z.string().trim().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'must be one of fatal, error, warn, info, debug, trace, silent',
  }).optional(),
  NODE_ENV: z.string().optional(),
  LOG_FORMAT: z.enum(['json', 'pretty'], { message: 'must be json or pretty' }).optional(),
  VEEAM_BASE_URL: z
    .string()
    .trim()
    .url('must be a URL such as https://backup.example.com:11005/api/v1')
    .refine((value) => !URL.canParse(value) || /^https?:$/.test(new URL(value).protocol), 'must start with https:// (or http:// for a local simulator)')
    .optional(),
  VEEAM_USERNAME: z.string().min(1, 'must not be empty').optional(),
  VEEAM_PASSWORD: z.string().min(1, 'must not be empty').optional(),
  VEEAM_PASSWORD_FILE: z.string().min(1, 'must not be empty').optional(),
  VEEAM_API_VERSION: z.string().trim().regex(/^\d+\.\d+-rev\d+$/, 'must look like 1.0-rev0').optional(),
  VEEAM_CA_FILE: z.string().min(1, 'must not be empty').optional(),
  VEEAM_TLS_INSECURE: bool.optional(),
  VEEAM_CONNECT_TIMEOUT_MS: intIn(1, 600_000).optional(),
  VEEAM_HEADERS_TIMEOUT_MS: intIn(1, 600_000).optional(),
  VEEAM_BODY_TIMEOUT_MS: intIn(1, 600_000).optional(),
  VEEAM_KEEPALIVE_TIMEOUT_MS: intIn(1, 600_000).optional(),
  VEEAM_MAX_CONNECTIONS: intIn(1, 256).optional(),
  VEEAM_PAGE_SIZE: intIn(1, 10_000).optional(),
  MAX_PAGE_LIMIT: intIn(1, 100_000).optional(),
  UPSTREAM_MAX_QUEUE: intIn(0, 1_000_000).optional(),
  UPSTREAM_RETRY_ATTEMPTS: intIn(1, 10).optional(),
  UPSTREAM_RETRY_BASE_MS: intIn(1, 60_000).optional(),
  UPSTREAM_RETRY_MAX_MS: intIn(1, 600_000).optional(),
  BREAKER_FAILURE_THRESHOLD: intIn(1, 1_000).optional(),
  BREAKER_OPEN_MS: intIn(1, 3_600_000).optional(),
  REQUEST_TIMEOUT_MS: intIn(100, 3_600_000).optional(),
  CACHE_FINISHED_TTL_MS: intIn(0, 31 * 86_400_000).optional(),
  CACHE_LIVE_TTL_MS: intIn(0, 86_400_000).optional(),
  CACHE_MAX_ENTRIES: intIn(1, 10_000_000).optional(),
  CACHE_MAX_BYTES: intIn(1024, 16 * 1024 * 1024 * 1024).optional(),
  DEMO_SESSIONS: intIn(1, 200_000).optional(),
  AUTH_MODE: z.string().optional(),
  API_KEYS_FILE: z.string().optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  JWT_JWKS_URL: z.string().optional(),
  RATE_LIMIT_RPS: intIn(0, 1_000_000).optional(),
  RATE_LIMIT_BURST: intIn(1, 1_000_000).optional(),
  INTROSPECTION: bool.optional(),
  PLAYGROUND: bool.optional(),
  CORS_ORIGINS: z
    .string()
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter((origin) => origin !== ''))
    .refine((origins) => origins.every((origin) => URL.canParse(origin) && new URL(origin).origin === origin), {
      message: 'must be a comma-separated list of origins such as https://dashboards.example.com',
    })
    .optional(),
  MAX_BODY_BYTES: intIn(1024, 64 * 1024 * 1024).optional(),
  MAX_QUERY_DEPTH: intIn(1, 100).optional(),
  MAX_QUERY_ALIASES: intIn(0, 10_000).optional(),
  MAX_QUERY_TOKENS: intIn(10, 1_000_000).optional(),
  MAX_QUERY_COST: intIn(1, 1_000_000).optional(),
  EXPORT_CONCURRENCY: intIn(1, 64).optional(),
  SHUTDOWN_GRACE_MS: intIn(0, 600_000).optional(),
});

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
  /** In front of an appliance the gateway runs in a container: every interface. */
  HOST: '0.0.0.0',
  /** Demo mode has no client authentication: reachable from this machine only unless HOST says otherwise. */
  DEMO_HOST: '127.0.0.1',
  /** Appliances accept a rolling window of revisions that moves with upgrades: negotiate, don't pin. */
  VEEAM_API_VERSION: 'auto',
  /** Demo mode asks the simulator for a recent revision so that names and extended types show. */
  DEMO_API_VERSION: '1.7-rev0',
  /** OTEL_SERVICE_NAME's default: what traces are filed under. */
  OTEL_SERVICE_NAME: 'veeam-graphql-gateway',
  /** A reachable appliance connects in milliseconds; 5 s covers a slow VPN without hanging clients. */
  VEEAM_CONNECT_TIMEOUT_MS: 5_000,
  /** Large session lists take the appliance a while to produce. */
  VEEAM_HEADERS_TIMEOUT_MS: 30_000,
  VEEAM_BODY_TIMEOUT_MS: 30_000,
  /** Keep sockets warm between dashboard polls. */
  VEEAM_KEEPALIVE_TIMEOUT_MS: 10_000,
  /**
   * Covers a dashboard's width in one wave: a default page of 50 sessions fans out to 50 item calls
   * (plus the list and a detail view's 3). With 8, those 50 calls went in 7 waves: a cold dashboard at
   * 10 ms per call took ~3× the uncapped floor; with 64, ~1.3× (bench/results). Still a bound that
   * protects a small appliance VM: identical calls in flight are shared, so 64 concurrent dashboards
   * kept at most 42 calls in flight, and the fair per-client queue keeps one client from taking it all.
   */
  VEEAM_MAX_CONNECTIONS: 64,
  /**
   * HTTP/1.1: Node 20's HTTP/2 client costs about twice the CPU per dashboard at c=1 (mostly garbage
   * collection, the floor's own calls alike) and answers slower; at c=64 it does as well on one
   * connection instead of 64. `auto` is for appliances that limit connections (README, bench/h2).
   */
  VEEAM_HTTP2: 'off',
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
  /**
   * Rows (list elements) one GraphQL answer may hold at worst, estimated before execution: about
   * 4 MB of JSON at ~400 bytes a row. Bigger reads belong in an export, which streams.
   */
  MAX_QUERY_ROWS: 10_000,
  /** GraphQL requests one client may have in progress: a dashboard's parallel panels (10-20 in Grafana), not a flood. */
  MAX_CLIENT_REQUESTS: 16,
  /** Exports one client may stream at once: one export already keeps EXPORT_CONCURRENCY calls in flight. */
  MAX_CLIENT_EXPORTS: 2,
  /** Ten minutes streams about a million sessions from a responsive appliance; longer is a stuck export. */
  EXPORT_TIMEOUT_MS: 600_000,
  /** New requests are refused (503) above this share of the V8 heap limit: dying would drop every request. */
  MAX_HEAP_USED_PERCENT: 85,
  /** A client has this long to send its request headers (slowloris). */
  HTTP_HEADERS_TIMEOUT_MS: 10_000,
  /** ...and this long to send its whole request, body included (a body dripped a byte at a time). */
  HTTP_REQUEST_TIMEOUT_MS: 30_000,
  /** Open client connections at once; beyond, new ones are closed at once (file descriptors, memory). */
  MAX_CONNECTIONS: 1_000,
  /** No proxy is trusted unless said: X-Forwarded-For is anyone's to write. */
  TRUST_PROXY: 0,
  /** Off: any valid query runs until a team ships a manifest of its clients' operations. */
  TRUSTED_DOCUMENTS: 'off' as 'off' | 'allow' | 'require',
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

/** Operation and client names kept as metric labels: GraphQL names, client names as sent. */
export const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

const nameList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  )
  .refine((names) => names.every((name) => LABEL_NAME.test(name)), {
    message: 'must be a comma-separated list of names (letters, digits, _ . -; at most 64 characters each)',
  });

const otlpUrl = z
  .string()
  .trim()
  .refine(
    (value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol),
    'must be an http:// or https:// URL such as http://otel-collector:4318',
  );

/** Where the appliance's REST API lives below its address. */
export const API_ROOT_PATH = '/api/v1';

/**
 * The appliance's address (`https://host:11005`) or its API root (`…/api/v1`, trailing slash
 * tolerated) as the API root; undefined for any other path (a typo the appliance would answer 404 to).
 */
export function normaliseBaseUrl(value: string): string | undefined {
  const url = new URL(value);
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') return undefined;
  const path = url.pathname.replace(/\/+$/, '');
  if (path !== '' && path.toLowerCase() !== API_ROOT_PATH) return undefined;
  return `${url.origin}${API_ROOT_PATH}`;
}

export const envSchema = z.object({
  PORT: intIn(0, 65_535).optional(),
  HOST: z.string().trim().min(1).optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .optional(),
  NODE_ENV: z.string().optional(),
  LOG_FORMAT: z.enum(['json', 'pretty'], { message: 'must be json or pretty' }).optional(),
  VEEAM_BASE_URL: z
    .string()
    .trim()
    .url('must be a URL such as https://backup.example.com:11005')
    .refine(
      (value) => !URL.canParse(value) || /^https?:$/.test(new URL(value).protocol),
      'must start with https:// (or http:// for a local simulator)',
    )
    .transform((value, context) => {
      const normalised = normaliseBaseUrl(value);
      if (normalised === undefined) {
        context.addIssue({
          code: 'custom',
          message: `must be the appliance's address (https://backup.example.com:11005) or its API root (…${API_ROOT_PATH}), without any other path, query or fragment`,
        });
        return z.NEVER;
      }
      return normalised;
    })
    .optional(),
  VEEAM_USERNAME: z.string().min(1, 'must not be empty').optional(),
  VEEAM_PASSWORD: z.string().min(1, 'must not be empty').optional(),
  VEEAM_PASSWORD_FILE: z.string().min(1, 'must not be empty').optional(),
  VEEAM_API_VERSION: z
    .string()
    .trim()
    .regex(/^(auto|\d+\.\d+-rev\d+)$/, 'must be auto or a revision such as 1.7-rev0')
    .optional(),
  VEEAM_CA_FILE: z.string().min(1, 'must not be empty').optional(),
  VEEAM_TLS_INSECURE: bool.optional(),
  VEEAM_CONNECT_TIMEOUT_MS: intIn(1, 600_000).optional(),
  VEEAM_HEADERS_TIMEOUT_MS: intIn(1, 600_000).optional(),
  VEEAM_BODY_TIMEOUT_MS: intIn(1, 600_000).optional(),
  VEEAM_KEEPALIVE_TIMEOUT_MS: intIn(1, 600_000).optional(),
  VEEAM_MAX_CONNECTIONS: intIn(1, 256).optional(),
  VEEAM_HTTP2: z.enum(['auto', 'off'], { message: 'must be auto or off' }).optional(),
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
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin !== ''),
    )
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
  MAX_QUERY_ROWS: intIn(1, 10_000_000).optional(),
  MAX_CLIENT_REQUESTS: intIn(1, 10_000).optional(),
  MAX_CLIENT_EXPORTS: intIn(1, 1_000).optional(),
  EXPORT_TIMEOUT_MS: intIn(100, 86_400_000).optional(),
  MAX_HEAP_USED_PERCENT: intIn(1, 100).optional(),
  HTTP_HEADERS_TIMEOUT_MS: intIn(100, 600_000).optional(),
  HTTP_REQUEST_TIMEOUT_MS: intIn(100, 3_600_000).optional(),
  MAX_CONNECTIONS: intIn(1, 1_000_000).optional(),
  TRUST_PROXY: intIn(0, 10).optional(),
  JWT_MAX_TOKEN_AGE_S: intIn(1, 31 * 86_400).optional(),
  TRUSTED_DOCUMENTS: z.enum(['off', 'allow', 'require'], { message: 'must be off, allow or require' }).optional(),
  TRUSTED_DOCUMENTS_FILE: z.string().min(1, 'must not be empty').optional(),
  SHUTDOWN_GRACE_MS: intIn(0, 600_000).optional(),
  // Live session updates (src/live/settings.ts has the defaults and their reasons).
  LIVE_POLL_MS: intIn(100, 3_600_000).optional(),
  LIVE_REPLAY_WINDOW: intIn(1, 1_000_000).optional(),
  LIVE_MAX_SUBSCRIPTIONS_PER_CLIENT: intIn(1, 1_000_000).optional(),
  LIVE_MAX_WEBSOCKETS_PER_CLIENT: intIn(1, 1_000_000).optional(),
  LIVE_HEARTBEAT_MS: intIn(1_000, 600_000).optional(),
  /** Demo mode on purpose (`npm run demo`); false refuses to fall back to it. */
  DEMO: bool.optional(),
  METRICS_OPERATION_NAMES: nameList.optional(),
  METRICS_CLIENT_NAMES: nameList.optional(),
  // The OpenTelemetry SDK reads its standard variables itself; these decide whether it is loaded.
  OTEL_SDK_DISABLED: bool.optional(),
  OTEL_TRACES_EXPORTER: z.string().trim().toLowerCase().optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpUrl.optional(),
  OTEL_SERVICE_NAME: z.string().trim().min(1).optional(),
});

/** Every variable the gateway reads (what "did you mean" suggests from). */
export const KNOWN_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

/**
 * Prefixes of the gateway's own variables: an unknown name with one of them is a typo, not someone
 * else's variable. OTEL_ belongs to the OpenTelemetry standard and is left to its SDK.
 */
export const GATEWAY_PREFIXES = [
  'VEEAM_',
  'AUTH_',
  'JWT_',
  'API_KEYS_',
  'CACHE_',
  'MAX_',
  'UPSTREAM_',
  'BREAKER_',
  'RATE_LIMIT_',
  'EXPORT_',
  'LOG_',
  'DEMO_',
  'CORS_',
  'METRICS_',
  'LIVE_',
] as const;

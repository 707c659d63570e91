/**
 * Structured JSON logs (pino). Secrets are redacted by configuration, not by luck: any field on
 * these paths is censored wherever a log call puts it.
 */
import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export const REDACTED_PATHS = [
  'password',
  '*.password',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
];

/**
 * Human-readable lines for a person watching a terminal (demo mode); the same redaction applies.
 * Synchronous, so that a line logged just before the process exits (a start-up failure) is seen.
 */
export function prettyDestination(): DestinationStream {
  return pretty({ colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service', sync: true });
}

/**
 * The active span's ids on every line logged inside a traced request, so that a log line leads to its
 * trace. Without tracing there is no active span and nothing is added.
 */
export function traceIds(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const ids = span.spanContext();
  return isSpanContextValid(ids) ? { trace_id: ids.traceId, span_id: ids.spanId } : {};
}

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'veeam-graphql-gateway' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      mixin: traceIds,
    },
    destination,
  );
}

export type { Logger };

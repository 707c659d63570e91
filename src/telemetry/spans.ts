/**
 * The gateway's own spans, written against the OpenTelemetry API only: without the SDK (tracing.ts,
 * loaded only when configured) every call here is a no-op on a non-recording span. A span per HTTP
 * request (continuing an incoming `traceparent`), per GraphQL phase, per DataLoader batch; the upstream
 * HTTP spans come from the undici instrumentation, and retries and cache outcomes are span events.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';

/** A client chooses its operation name: a 900 KB one must not become a 900 KB log line or span attribute. */
export const MAX_OPERATION_NAME_LENGTH = 128;
import type { UpstreamHooks } from '../upstream/index';

/** The instrumentation scope of the gateway's spans. */
export const TRACER_NAME = 'veeam-graphql-gateway';

const tracer = () => trace.getTracer(TRACER_NAME);

const headerGetter: TextMapGetter<IncomingHttpHeaders> = {
  keys: (headers) => Object.keys(headers),
  get: (headers, key) => headers[key.toLowerCase()],
};

export interface RequestSpan {
  readonly span: Span;
  /** The context to run the request in: its span active, so that child spans and log lines find it. */
  readonly context: Context;
}

/** A server span for one HTTP request, the child of the caller's span when it sent `traceparent`. */
export function startRequestSpan(method: string, route: string, path: string, headers: IncomingHttpHeaders): RequestSpan {
  const parent = propagation.extract(ROOT_CONTEXT, headers, headerGetter);
  const span = tracer().startSpan(
    `${method} ${route}`,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'http.route': route, 'url.path': path } },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

export function endRequestSpan(span: Span, status: number): void {
  span.setAttribute('http.response.status_code', status);
  // Server spans are errors for 5xx only: a 4xx is the client's mistake (OpenTelemetry HTTP conventions).
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

function endWith(span: Span, error: unknown): void {
  if (error !== undefined && error !== null) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}

/** Spans for parse, validate and execute, children of the request span, named as graphql-js's phases. */
export function useGraphQLSpans(): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      const parent = context.active();
      const start = (name: string) => tracer().startSpan(name, {}, parent);
      return {
        async parsingDidStart() {
          const span = start('graphql.parse');
          return async (error?: Error) => endWith(span, error);
        },
        async validationDidStart() {
          const span = start('graphql.validate');
          return async (errors?: readonly Error[]) => endWith(span, errors?.[0]);
        },
        async didResolveOperation({ operationName, operation }) {
          trace.getSpan(parent)?.setAttributes({
            ...(operation ? { 'graphql.operation.type': operation.operation } : {}),
            ...(operationName ? { 'graphql.operation.name': operationName.slice(0, MAX_OPERATION_NAME_LENGTH) } : {}),
          });
        },
        async executionDidStart({ operationName }) {
          const span = start('graphql.execute');
          if (operationName) span.setAttribute('graphql.operation.name', operationName.slice(0, MAX_OPERATION_NAME_LENGTH));
          return {
            async executionDidEnd(error?: Error) {
              endWith(span, error);
            },
          };
        },
      };
    },
  };
}

/** Runs one DataLoader batch in a span of its own: the upstream calls it makes become its children. */
export function traceBatch<T>(loader: string, size: number, run: () => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(
    `dataloader.batch ${loader}`,
    { attributes: { 'dataloader.name': loader, 'dataloader.batch.size': size } },
    (span) =>
      run().then(
        (result) => {
          span.end();
          return result;
        },
        (error: unknown) => {
          endWith(span, error);
          throw error;
        },
      ),
  );
}

/**
 * The upstream observers, plus events on the span active where they fire (the batch or request that
 * made the call): a retry, and the cache's answer (hit, miss, shared), which no HTTP span can show.
 */
export function withSpanEvents(hooks: UpstreamHooks): UpstreamHooks {
  return {
    ...hooks,
    onRetry(endpoint) {
      trace.getActiveSpan()?.addEvent('upstream.retry', { 'veeam.endpoint': endpoint });
      hooks.onRetry?.(endpoint);
    },
    cache(cache, result) {
      trace.getActiveSpan()?.addEvent('upstream.cache', { 'veeam.cache': cache, 'veeam.cache.result': result });
      hooks.cache?.(cache, result);
    },
  };
}

/**
 * One log line, one set of metrics and one span per request of the GraphQL and export routes:
 * request id, HTTP status, the authenticated client and the client application's name and version
 * (`apollographql-client-name`/`-version`), trace id, duration, and for GraphQL the operation,
 * outcome, error codes and upstream calls. Refusals (401, 429, 413, CSRF, limits, bad input) are
 * counted by reason. Variables and documents are not logged: they may carry identifiers a log
 * pipeline should not keep, and the operation name says what ran.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin, HTTPGraphQLResponse } from '@apollo/server';
import { context as otelContext, type Span } from '@opentelemetry/api';
import { Kind, parse } from 'graphql';
import type { Logger } from 'pino';
import { answeredInFull } from '../../errors/respond';
import type { GatewayContext } from '../../graphql/context';
import type { GatewayMetrics, ObservedRoute, RefusalReason } from '../../telemetry/metrics';
import { endRequestSpan, MAX_OPERATION_NAME_LENGTH, startRequestSpan } from '../../telemetry/spans';

export type Outcome = 'success' | 'partial' | 'error';

/** Client-supplied names and versions are cut to this length before they reach a log line. */
const MAX_CLIENT_HEADER_LENGTH = 64;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The refusal each public code stands for; a 401, 413 or 429 is recognised by its status alone. */
const REFUSAL_BY_CODE: Readonly<Record<string, RefusalReason>> = {
  QUERY_TOO_DEEP: 'query_too_deep',
  TOO_MANY_ALIASES: 'too_many_aliases',
  QUERY_TOO_COSTLY: 'query_too_costly',
  QUERY_TOO_LARGE: 'query_too_large',
  OPERATION_NOT_TRUSTED: 'not_trusted',
  OPERATION_NOT_SUPPORTED: 'bad_input',
  BAD_USER_INPUT: 'bad_input',
  BAD_REQUEST: 'bad_input',
  GRAPHQL_PARSE_FAILED: 'bad_input',
  GRAPHQL_VALIDATION_FAILED: 'bad_input',
  OPERATION_RESOLUTION_FAILURE: 'bad_input',
  PERSISTED_QUERY_NOT_FOUND: 'bad_input',
  PERSISTED_QUERY_NOT_SUPPORTED: 'bad_input',
  GATEWAY_OVERLOADED: 'overloaded',
};
/** 503 is also the appliance's failures: only the gateway's own shedding (GATEWAY_OVERLOADED) counts. */
const REFUSAL_BY_STATUS: Readonly<Record<number, RefusalReason>> = {
  401: 'unauthenticated',
  413: 'payload_too_large',
  429: 'rate_limited',
};

/** The operation names of the gateway's own documents (the playground's tabs): known metric labels. */
export function operationNamesOf(documents: readonly string[]): string[] {
  return documents.flatMap((document) =>
    parse(document).definitions.flatMap((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION && definition.name ? [definition.name.value] : [],
    ),
  );
}

/** What is known about one request while it runs. */
export interface ObservedRequest {
  /** Runs the route's work with the request's span active (child spans, trace ids in log lines). */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** The client the gate admitted. */
  admitted(clientId: string): void;
  /** Apollo's answer: when Apollo refused before any plugin ran (CSRF), its error code. */
  answered(response: HTTPGraphQLResponse): void;
  /** Binds the GraphQL context to this request, for the plugin. */
  bind(contextValue: GatewayContext): GatewayContext;
  /** The route's work is over (answered, refused or failed): the line may be written once the response closed. */
  done(): void;
}

/** The status logged for a client that went away before its answer was complete (nginx's convention). */
export const CLIENT_CLOSED_REQUEST = 499;

interface RequestFacts {
  client?: string;
  operation?: string | null;
  outcome?: Outcome;
  errorCodes?: string[];
  upstreamCalls?: number;
  csrf?: boolean;
}

function clientHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' && value !== '' ? value.slice(0, MAX_CLIENT_HEADER_LENGTH) : undefined;
}

function refusalOf(status: number, facts: RequestFacts): RefusalReason | undefined {
  const byStatus = REFUSAL_BY_STATUS[status];
  if (byStatus) return byStatus;
  if (facts.csrf) return 'csrf';
  // A GraphQL answer with data is not a refusal, whatever its errors.
  if (facts.outcome === 'success' || facts.outcome === 'partial') return undefined;
  for (const code of facts.errorCodes ?? []) {
    const reason = REFUSAL_BY_CODE[code];
    if (reason) return reason;
  }
  return status === 400 ? 'bad_input' : undefined;
}

export class RequestLog {
  /**
   * Keyed by the request's abort signal: Apollo hands plugins a shallow copy of the context object,
   * so the object itself is no key, while what it holds is the request's own.
   */
  private readonly facts = new WeakMap<AbortSignal, RequestFacts>();

  constructor(
    private readonly logger: Logger,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** Starts observing a request; the log line, metrics and span end when the response closes. */
  begin(req: IncomingMessage, res: ServerResponse, requestId: string, route: ObservedRoute, path: string): ObservedRequest {
    const started = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const { span, context: spanContext } = startRequestSpan(method, path, path, req.headers);
    const facts: RequestFacts = {};
    const clientName = clientHeader(req, 'apollographql-client-name');
    const clientVersion = clientHeader(req, 'apollographql-client-version');
    // The line waits for both the response's close and the end of the route's work: when the client
    // leaves first, the work's outcome (REQUEST_ABORTED, the calls made) is only known afterwards.
    let closedAt: number | undefined;
    let answered = false;
    let workDone = false;
    const finishWhenSettled = (): void => {
      if (closedAt === undefined || !workDone) return;
      const status = answered ? res.statusCode : CLIENT_CLOSED_REQUEST;
      endRequestSpan(span, status);
      this.finish({ route, method, path, requestId, status, clientName, clientVersion, span, req, facts, durationMs: closedAt - started });
    };
    res.once('close', () => {
      closedAt = performance.now();
      answered = answeredInFull(res);
      finishWhenSettled();
    });
    return {
      run: (work) => otelContext.with(spanContext, work),
      admitted: (clientId) => {
        facts.client = clientId;
      },
      answered: (response) => {
        // Apollo answers a CSRF-suspect request before any plugin runs: no operation was seen.
        if (facts.outcome === undefined && response.status === 400 && response.body.kind === 'complete') {
          facts.csrf = /Cross-Site Request Forgery/.test(response.body.string);
        }
      },
      bind: (contextValue) => {
        this.facts.set(contextValue.signal, facts);
        return contextValue;
      },
      done: () => {
        if (workDone) return;
        workDone = true;
        finishWhenSettled();
      },
    };
  }

  /** Fills the GraphQL facts (operation, outcome, error codes, upstream calls) of a bound request. */
  plugin(): ApolloServerPlugin<GatewayContext> {
    const facts = this.facts;
    return {
      async requestDidStart() {
        return {
          async willSendResponse({ contextValue, response, operationName, errors }) {
            const known = facts.get(contextValue.signal);
            if (!known) return;
            const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
            const allErrors = errors ?? result?.errors ?? [];
            // Partial: some root field has data despite the errors; all null is a failed request.
            const hasData = Object.values(result?.data ?? {}).some((value) => value !== null);
            known.outcome = allErrors.length === 0 ? 'success' : hasData ? 'partial' : 'error';
            known.operation = operationName?.slice(0, MAX_OPERATION_NAME_LENGTH) ?? null;
            known.errorCodes = [...new Set(allErrors.map((error) => String(error.extensions?.['code'] ?? 'UNKNOWN')))];
            known.upstreamCalls = contextValue.stats.upstreamCalls;
          },
        };
      },
    };
  }

  private finish(request: {
    route: ObservedRoute;
    method: string;
    path: string;
    requestId: string;
    status: number;
    clientName: string | undefined;
    clientVersion: string | undefined;
    span: Span;
    req: IncomingMessage;
    facts: RequestFacts;
    durationMs: number;
  }): void {
    const { route, status, facts, durationMs } = request;
    const { metrics } = this;
    metrics.httpResponses.inc({ route, status: String(status) });
    const refusal = refusalOf(status, facts);
    if (refusal) metrics.refused(route, refusal);
    if (route === 'graphql' && facts.outcome !== undefined) {
      const operation = metrics.operationLabel(facts.operation);
      metrics.graphqlRequests.inc({ operation, client: metrics.clientLabel(request.clientName), outcome: facts.outcome });
      metrics.graphqlDuration.observe({ operation }, durationMs / 1000);
    }
    const ids = request.span.spanContext();
    const traced = request.span.isRecording();
    // Without tracing, the caller's trace id still ties this line to the caller's trace.
    const callerTrace = traced ? undefined : TRACEPARENT.exec(String(request.req.headers['traceparent'] ?? ''))?.[1];
    const line = {
      requestId: request.requestId,
      method: request.method,
      path: request.path,
      status,
      client: facts.client ?? null,
      clientName: request.clientName ?? null,
      clientVersion: request.clientVersion ?? null,
      ...(traced ? { trace_id: ids.traceId, span_id: ids.spanId } : callerTrace ? { trace_id: callerTrace } : {}),
      durationMs: Math.round(durationMs * 10) / 10,
      ...(route === 'graphql'
        ? { operation: facts.operation ?? null, upstreamCalls: facts.upstreamCalls ?? 0, outcome: facts.outcome ?? 'error' }
        : {}),
      ...(facts.errorCodes && facts.errorCodes.length > 0 ? { errorCodes: facts.errorCodes } : {}),
      ...(refusal ? { refused: refusal } : {}),
    };
    // A CORS preflight is the browser's housekeeping, not a request anyone asked about.
    if (request.method === 'OPTIONS') this.logger.debug(line, `${route} request`);
    else this.logger.info(line, `${route} request`);
  }
}

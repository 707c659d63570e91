/**
 * One log line and one set of metrics per GraphQL request: request id, client, operation, duration,
 * upstream calls and outcome. Variables and documents are not logged: they may carry identifiers a
 * log pipeline should not keep, and the operation name says what ran.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from 'pino';
import type { GatewayContext } from '../../graphql/context';
import type { GatewayMetrics } from '../../telemetry/metrics';

export type Outcome = 'success' | 'partial' | 'error';

export function useRequestLog(logger: Logger, metrics: GatewayMetrics): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ contextValue, response, operationName, errors }) {
          const durationMs = performance.now() - started;
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const allErrors = errors ?? result?.errors ?? [];
          // Partial: some root field has data despite the errors; all null is a failed request.
          const hasData = Object.values(result?.data ?? {}).some((value) => value !== null);
          const outcome: Outcome = allErrors.length === 0 ? 'success' : hasData ? 'partial' : 'error';
          const operation = metrics.operationLabel(operationName);
          metrics.graphqlRequests.inc({ operation, outcome });
          metrics.graphqlDuration.observe({ operation }, durationMs / 1000);
          const codes = [...new Set(allErrors.map((error) => String(error.extensions?.['code'] ?? 'UNKNOWN')))];
          logger.info(
            {
              requestId: contextValue.requestId,
              client: contextValue.clientId,
              operation: operationName ?? null,
              durationMs: Math.round(durationMs * 10) / 10,
              upstreamCalls: contextValue.stats.upstreamCalls,
              outcome,
              ...(codes.length > 0 ? { errorCodes: codes } : {}),
            },
            'graphql request',
          );
        },
      };
    },
  };
}

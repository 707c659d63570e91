/**
 * Live sessions: one poller of the appliance's update sequence numbers feeding every subscription
 * of the process (hub.ts), the checks a subscription document passes (operation.ts) and its per-event
 * execution (execute.ts). The transports (SSE, WebSocket) live in src/http and use only this.
 */
import { trustedDocumentFor, type TrustedDocuments, type TrustedDocumentsMode } from '../graphql/plugins/trusted-documents';
import { ErrorCode } from '../errors/catalogue';
import type { ApolloServerPlugin } from '@apollo/server';
import type { ExecutionResult, FormattedExecutionResult, GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { GatewayContext, GatewayServices } from '../graphql/context';
import { publicError } from '../graphql/errors';
import { LiveExecutor, type LiveStream, type Subscribing } from './execute';
import { LiveHub, type LiveStats } from './hub';
import { checkOperation, OperationRefused, type OperationLimits, type OperationParams } from './operation';
import { intervalTrigger, type PollTrigger } from './poller';
import type { LiveSettings } from './settings';

export { EVENT_ID, type LiveResult, type LiveStream } from './execute';
export { OperationRefused, type OperationParams } from './operation';
export { ManualTrigger, type PollTrigger } from './poller';
export { LIVE_DEFAULTS, type LiveSettings } from './settings';
export type { ConnectionBinding, LiveStats } from './hub';

export interface LiveOptions {
  services: GatewayServices;
  settings: LiveSettings;
  limits: OperationLimits;
  /** Deadline of one poll and of one event's execution (REQUEST_TIMEOUT_MS). */
  requestTimeoutMs: number;
  logger: Logger;
  /** When to poll; default every `settings.pollMs`. Tests pass a ManualTrigger. */
  trigger?: PollTrigger;
  /** The gateway's error masking (the same as for queries). */
  formatError: (error: GraphQLError) => GraphQLFormattedError;
  /** TRUSTED_DOCUMENTS, enforced for subscriptions as for queries; absent when off. */
  trustedDocuments?: { mode: Exclude<TrustedDocumentsMode, 'off'>; documents: TrustedDocuments } | undefined;
}

export class Live {
  readonly hub: LiveHub;
  readonly settings: LiveSettings;
  private readonly executor: LiveExecutor;
  private schema: GraphQLSchema | undefined;

  constructor(private readonly options: LiveOptions) {
    this.settings = options.settings;
    this.hub = new LiveHub({
      client: options.services.client,
      settings: options.settings,
      pageSize: options.services.limits.upstreamPageSize,
      pollTimeoutMs: options.requestTimeoutMs,
      trigger: options.trigger ?? intervalTrigger(options.settings.pollMs),
      logger: options.logger,
    });
    this.executor = new LiveExecutor(options.services, options.requestTimeoutMs);
  }

  /** Hands the live transports the schema Apollo built (one schema, the same resolvers, for both). */
  schemaPlugin(): ApolloServerPlugin<GatewayContext> {
    return {
      serverWillStart: async () => ({
        schemaDidLoadOrUpdate: ({ apiSchema }) => {
          this.schema = apiSchema;
        },
      }),
    };
  }

  /** Checks a subscription request; throws OperationRefused with the errors to answer. */
  check(params: OperationParams): ReturnType<typeof checkOperation> {
    if (!this.schema)
      throw new OperationRefused([publicError(ErrorCode.UPSTREAM_UNAVAILABLE, 'The gateway is starting; try again shortly.')]);
    const trusted = this.options.trustedDocuments;
    if (!trusted) return checkOperation(this.schema, params, this.options.limits);
    const decision = trustedDocumentFor(trusted.mode, trusted.documents, params);
    if ('refuse' in decision) throw new OperationRefused([decision.refuse]);
    return checkOperation(this.schema, { ...params, query: decision.query }, this.options.limits);
  }

  run(operation: ReturnType<typeof checkOperation>, who: Subscribing): Promise<LiveStream | ExecutionResult> {
    return this.executor.run(operation, who);
  }

  /** A result as clients receive it: errors masked like query errors, no internal fields. */
  format(result: ExecutionResult): FormattedExecutionResult {
    return {
      ...(result.data !== undefined ? { data: result.data } : {}),
      ...(result.errors ? { errors: result.errors.map((error) => this.options.formatError(error)) } : {}),
    };
  }

  stats(): LiveStats {
    return this.hub.stats();
  }

  close(): void {
    this.hub.close();
  }
}

/**
 * The Apollo Server instance: schema-first SDL + resolvers, the gateway's error masking, no CDN
 * landing page (the offline playground replaces it), HTTP drain on shutdown, CSRF prevention that
 * counts the gateway's credential headers as preflighted, refusal of operation types the schema
 * lacks, and trusted documents when configured.
 */
import type { Server } from 'node:http';
import {
  ApolloServer,
  HeaderMap,
  type ApolloServerOptions,
  type ApolloServerPlugin,
  type HTTPGraphQLRequest,
  type HTTPGraphQLResponse,
} from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import type { GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { GatewayContext } from '../graphql/context';
import { ErrorCode, PUBLIC_ERROR_CODES } from '../errors/catalogue';
import { describeFailure } from '../errors/public-error';
import { createExecutor } from '../graphql/executor';
import { buildGatewaySchema } from '../graphql/schema';
import { useCacheControl } from '../graphql/plugins/cache-control';
import { useOperationTypes } from '../graphql/plugins/operation-types';
import {
  loadTrustedDocuments,
  trustedDocumentRefusal,
  useTrustedDocuments,
  type TrustedDocuments,
  type TrustedDocumentsMode,
} from '../graphql/plugins/trusted-documents';
import type { HttpSettings } from './settings';

export interface ApolloOptions {
  httpServer: Server;
  logger: Logger;
  production: boolean;
  introspection: boolean;
  /** Tokens the parser reads before refusing a document. */
  maxTokens: number;
  plugins?: ApolloServerPlugin<GatewayContext>[];
  /** Persisted operations (TRUSTED_DOCUMENTS): the manifest is read and checked at start-up. */
  /** The loaded manifest and how it is enforced; absent when TRUSTED_DOCUMENTS is off. */
  trustedDocuments?: LoadedTrustedDocuments | undefined;
}

/**
 * Headers whose presence proves a request was preflighted (a browser sends none of them
 * cross-origin without CORS' consent): Apollo's two recommended ones, and the gateway's credential
 * headers, so that authenticated GET clients (urql and graphql-request send short queries as plain
 * GETs) pass without an extra header. Cookies are never a credential here, so CSRF has nothing to ride on.
 */
export const CSRF_PREFLIGHT_HEADERS = ['x-apollo-operation-name', 'apollo-require-preflight', 'x-api-key', 'authorization'];

/** Codes whose message is written for clients; anything else is masked in production. */
const CLIENT_SAFE_CODES = new Set<string>(PUBLIC_ERROR_CODES.filter((code) => code !== ErrorCode.INTERNAL_SERVER_ERROR));

/** In production a client learns the upstream status and code, not which internal endpoint failed. */
function withoutInternals(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const upstream = formatted.extensions?.['upstream'];
  if (typeof upstream !== 'object' || upstream === null || !('endpoint' in upstream)) return formatted;
  const { endpoint: _endpoint, ...rest } = upstream as Record<string, unknown>;
  return { ...formatted, extensions: { ...formatted.extensions, upstream: rest } };
}

export function formatError(production: boolean, logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = typeof formatted.extensions?.['code'] === 'string' ? formatted.extensions['code'] : undefined;
    if (code !== undefined && CLIENT_SAFE_CODES.has(code)) return production ? withoutInternals(formatted) : formatted;
    // A failure of the layers below that reached Apollo unwrapped still gets its public code.
    const failure = describeFailure(unwrapResolverError(error));
    if (failure) {
      const { code: publicCode, message, argument, upstream } = failure;
      const mapped = {
        ...formatted,
        message,
        extensions: { code: publicCode, ...(argument ? { argument } : {}), ...(upstream ? { upstream } : {}) },
      };
      return production ? withoutInternals(mapped) : mapped;
    }
    logger.error({ err: error, path: formatted.path }, 'unexpected error in a GraphQL request');
    if (!production) return formatted;
    return {
      message: 'Unexpected error.',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

type Refusal = (request: HTTPGraphQLRequest) => GraphQLError | undefined;

interface TrustedDocumentsSetup {
  plugins: ApolloServerPlugin<GatewayContext>[];
  refusal: Refusal | undefined;
}

export interface LoadedTrustedDocuments {
  mode: Exclude<TrustedDocumentsMode, 'off'>;
  documents: TrustedDocuments;
}

/** The manifest, read once at start-up (a missing or malformed one fails it), or nothing when off. */
export function loadTrustedDocumentsSetting(settings: HttpSettings['trustedDocuments']): LoadedTrustedDocuments | undefined {
  if (!settings || settings.mode === 'off') return undefined;
  if (settings.file === undefined) throw new Error(`TRUSTED_DOCUMENTS=${settings.mode} needs TRUSTED_DOCUMENTS_FILE`);
  return { mode: settings.mode, documents: loadTrustedDocuments(settings.file) };
}

function trustedDocumentsSetup(loaded: LoadedTrustedDocuments | undefined): TrustedDocumentsSetup {
  if (!loaded) return { plugins: [], refusal: undefined };
  const { mode, documents } = loaded;
  return {
    plugins: [useTrustedDocuments<GatewayContext>(mode, documents)],
    refusal: (request) => trustedDocumentRefusal(mode, documents, request),
  };
}

/**
 * Apollo with the refusals that must come before its pipeline: an error thrown by a plugin before
 * parsing becomes a 500, so a request refused for its document is answered here, unparsed.
 */
class GatewayApolloServer extends ApolloServer<GatewayContext> {
  constructor(
    config: ApolloServerOptions<GatewayContext>,
    private readonly refusal: Refusal | undefined,
  ) {
    super(config);
  }

  override async executeHTTPGraphQLRequest(
    request: Parameters<ApolloServer<GatewayContext>['executeHTTPGraphQLRequest']>[0],
  ): Promise<HTTPGraphQLResponse> {
    const error = this.refusal?.(request.httpGraphQLRequest);
    if (!error) return super.executeHTTPGraphQLRequest(request);
    const { http, ...extensions } = error.extensions as { http?: { status?: number } } & Record<string, unknown>;
    return {
      status: http?.status ?? 400,
      headers: new HeaderMap([['content-type', 'application/json; charset=utf-8']]),
      body: { kind: 'complete', string: JSON.stringify({ errors: [{ message: error.message, extensions }] }) },
    };
  }
}

/**
 * The schema and its executor, handed to Apollo through its executor interface (the one Apollo
 * Federation's gateway uses): the only way to run a query on something other than graphql-js's
 * `execute` while keeping Apollo's pipeline (parse and validation caches, plugins, error formatting).
 */
function compilingExecutor(schema: GraphQLSchema): GatewayInterface {
  const execute = createExecutor(schema);
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    load: async () => ({
      executor: (request) =>
        execute({
          document: request.document,
          operation: request.operation,
          operationName: request.request.operationName,
          variables: request.request.variables,
          contextValue: request.context,
        }),
    }),
    stop: async () => undefined,
  };
}

export function createApolloServer(options: ApolloOptions): ApolloServer<GatewayContext> {
  const log = options.logger.child({ component: 'apollo' });
  const trusted = trustedDocumentsSetup(options.trustedDocuments);
  return new GatewayApolloServer(
    {
      gateway: compilingExecutor(buildGatewaySchema()),
      introspection: options.introspection,
      parseOptions: { maxTokens: options.maxTokens },
      csrfPrevention: { requestHeaders: CSRF_PREFLIGHT_HEADERS },
      // main.ts owns SIGTERM/SIGINT: Apollo's own handler (on outside NODE_ENV=test) raced it and held
      // an idle shutdown for the drain's whole 10 s grace.
      stopOnTerminationSignals: false,
      // Stack traces belong in the log (formatError logs unexpected errors), never in an answer: not
      // even in demo mode, which people show to others and sometimes expose.
      includeStacktraceInErrorResponses: false,
      // Apollo pretty-prints by default: a third more bytes and CPU on every response, for no reader.
      stringifyResult: (value) => JSON.stringify(value),
      formatError: formatError(options.production, log),
      logger: {
        debug: (message: string) => log.debug(message),
        info: (message: string) => log.info(message),
        warn: (message: string) => log.warn(message),
        error: (message: string) => log.error(message),
      },
      plugins: [
        ApolloServerPluginDrainHttpServer({ httpServer: options.httpServer }),
        ApolloServerPluginLandingPageDisabled(),
        // Replaced by useCacheControl: same header, no per-field hook on every resolver.
        ApolloServerPluginCacheControlDisabled(),
        useCacheControl(),
        // First among ours: a refused document costs nothing, not even a parse.
        ...trusted.plugins,
        useOperationTypes<GatewayContext>(),
        ...(options.plugins ?? []),
      ],
    },
    trusted.refusal,
  );
}

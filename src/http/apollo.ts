/**
 * The Apollo Server instance: schema-first SDL + resolvers, the gateway's error masking, no CDN
 * landing page (the offline playground replaces it), HTTP drain on shutdown.
 */
import type { Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import type { GatewayContext } from '../graphql/context';
import { PUBLIC_ERROR_CODES } from '../errors/catalogue';
import { describeFailure } from '../errors/public-error';
import { resolvers } from '../graphql/resolvers/index';
import { loadTypeDefs } from '../graphql/schema';
import { useCacheControl } from '../graphql/plugins/cache-control';

export interface ApolloOptions {
  httpServer: Server;
  logger: Logger;
  production: boolean;
  introspection: boolean;
  /** Tokens the parser reads before refusing a document. */
  maxTokens: number;
  plugins?: ApolloServerPlugin<GatewayContext>[];
}

/** Codes whose message is written for clients; anything else is masked in production. */
const CLIENT_SAFE_CODES = new Set<string>(PUBLIC_ERROR_CODES.filter((code) => code !== 'INTERNAL_SERVER_ERROR'));

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
      const mapped = { ...formatted, message, extensions: { code: publicCode, ...(argument ? { argument } : {}), ...(upstream ? { upstream } : {}) } };
      return production ? withoutInternals(mapped) : mapped;
    }
    logger.error({ err: error, path: formatted.path }, 'unexpected error in a GraphQL request');
    if (!production) return formatted;
    return {
      message: 'Unexpected error.',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

export function createApolloServer(options: ApolloOptions): ApolloServer<GatewayContext> {
  const log = options.logger.child({ component: 'apollo' });
  return new ApolloServer<GatewayContext>({
    typeDefs: loadTypeDefs(),
    resolvers,
    introspection: options.introspection,
    parseOptions: { maxTokens: options.maxTokens },
    csrfPrevention: true,
    includeStacktraceInErrorResponses: !options.production,
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
      ...(options.plugins ?? []),
    ],
  });
}

/**
 * Writes the request's Cache-Control header from the hints its resolvers gave (graphql/cache-hints).
 * A response with errors is never cacheable.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context';

export function useCacheControl(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const cacheable = result !== undefined && !result.errors;
          response.http.headers.set('cache-control', cacheable ? contextValue.cachePolicy.header() : 'no-store');
        },
      };
    },
  };
}

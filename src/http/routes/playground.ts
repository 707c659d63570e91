/** The offline GraphiQL playground, when enabled. Built only then: it reads and gzips ~4 MB of assets. */
import { createPlayground, DEFAULT_TABS } from '../playground/index';
import type { Route } from '../route';
import { GRAPHQL_PATH } from './graphql';
import { STREAM_PATH } from './stream';

export const PLAYGROUND_ASSETS_PATH = '/playground';

export function playgroundRoute(): Route {
  const playground = createPlayground({
    graphqlPath: GRAPHQL_PATH,
    // Subscriptions over SSE: same origin, so the page's CSP stays connect-src 'self'.
    subscriptionPath: STREAM_PATH,
    assetsPath: PLAYGROUND_ASSETS_PATH,
    title: 'Veeam Backup for AWS · GraphQL',
    tabs: DEFAULT_TABS,
  });
  return { name: 'playground', handle: ({ req, res }) => playground.handle(req, res) };
}

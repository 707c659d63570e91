/**
 * The playground's public types, apart from the code (as Apollo keeps its `externalTypes/`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** One preloaded example: what GraphiQL 3 calls a `TabDefinition` (query, variables). */
export interface PlaygroundTab {
  /**
   * The title the tab is expected to show. GraphiQL 3 titles a tab with the query's operation name
   * and nothing else (its `TabDefinition` has no title), so when given, `createPlayground` checks
   * that the query's operation name is exactly this: the example cannot silently drift from its label.
   */
  name?: string;
  /** The query editor's contents. */
  query: string;
  /** The variables editor's contents: JSON text, as the user would type it. */
  variables?: string;
}

export interface PlaygroundOptions {
  /**
   * The GraphQL endpoint, e.g. `/graphql`: the page is served there to browsers, and GraphiQL posts
   * to it (same origin, so the page's CSP can keep `connect-src 'self'`).
   */
  graphqlPath: string;
  /**
   * Where GraphiQL sends subscriptions, e.g. `/graphql/stream`: a same-origin endpoint speaking GraphQL
   * over Server-Sent Events (the graphql-sse protocol, distinct connections mode), so the page's CSP
   * keeps `connect-src 'self'` (no ws: scheme) and streams pass proxies. Queries and mutations still
   * go to `graphqlPath`. When absent, GraphiQL has no subscription transport.
   */
  subscriptionPath?: string;
  /**
   * Where the static files are served, e.g. `/playground`, under content-hashed names. A request
   * for any other name there is not taken (`handle` returns false): the caller's 404 answers it.
   */
  assetsPath: string;
  /** The page's `<title>`. */
  title: string;
  /** Preloaded example queries, first one active. At least one. */
  tabs: PlaygroundTab[];
}

export interface Playground {
  /**
   * Handles GET/HEAD for the page and its assets; returns false (and writes nothing) when the
   * request is not for it, so the caller routes it on (to Apollo, health checks, …).
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

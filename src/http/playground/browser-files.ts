/**
 * The two small files the gateway writes for the browser itself. Served as files, not inlined, so
 * the page's Content-Security-Policy can forbid inline scripts; the settings come from a JSON block
 * in the page (`#playground-config`), which is data and never executed.
 *
 * Kept as ES5 text rather than compiled TypeScript: it runs as-is in the browser next to the UMD
 * globals `React`, `ReactDOM`, `GraphiQL` (graphiql's `src/cdn.ts`) and `graphqlSse` (graphql-sse's
 * `umd/` build), with no bundler in between.
 */

/** The id of the `<script type="application/json">` element holding {@link PlaygroundConfig}. */
export const CONFIG_ELEMENT_ID = 'playground-config';

/** The id of the element GraphiQL is rendered into. */
export const ROOT_ELEMENT_ID = 'graphiql';

/** What the page hands the start-up script: GraphiQL's own option names and shapes. */
export interface PlaygroundConfig {
  /** Same-origin URL GraphiQL posts to (`createFetcher({ url })`). */
  endpoint: string;
  /**
   * Same-origin GraphQL-over-SSE URL (graphql-sse protocol) subscriptions are sent to; absent when
   * the page has no subscription transport (GraphiQL's fetcher then sends everything to `endpoint`).
   */
  subscriptionEndpoint?: string;
  /** GraphiQL 3 `TabDefinition`s: `{ query, variables? }`. */
  tabs: Array<{ query: string; variables?: string }>;
}

/**
 * Starts GraphiQL. `defaultTabs` only apply on a first visit: afterwards GraphiQL restores the
 * user's own tabs from localStorage, as it always does. Headers (which may hold a bearer token)
 * are not persisted. If a script did not load, the page says so instead of staying blank.
 *
 * Subscriptions: GraphiQL's own fetcher only subscribes over WebSocket, which would need a ws:/wss:
 * source in `connect-src` (`'self'` does not cover it in every browser). So the fetcher here sends
 * an operation that is a subscription (the one GraphiQL names, in the query text it sends) to
 * `subscriptionEndpoint` with the graphql-sse client, one connection per subscription (the
 * protocol's distinct connections mode) carrying the headers of GraphiQL's headers editor, and
 * returns it as the Observable GraphiQL expects: each event replaces the result pane, and the
 * stop button unsubscribes, which closes the connection. Everything else goes to GraphiQL's fetcher.
 * No retries: a refused subscription shows the gateway's JSON error at once (read from the
 * response, as for a refused query) and a dropped stream shows its error; the user runs it again.
 */
export const INIT_SCRIPT = `'use strict';
(function () {
  var root = document.getElementById(${JSON.stringify(ROOT_ELEMENT_ID)});
  if (typeof React === 'undefined' || typeof ReactDOM === 'undefined' || typeof GraphiQL === 'undefined' || typeof graphqlSse === 'undefined') {
    var message = document.createElement('p');
    message.className = 'playground-message';
    message.textContent = 'The playground could not load its scripts from this server. Reload the page; if it persists, check the gateway logs.';
    root.replaceChildren(message);
    return;
  }
  var config = JSON.parse(document.getElementById(${JSON.stringify(CONFIG_ELEMENT_ID)}).textContent);

  /**
   * Whether GraphiQL is running a subscription. Read from the query text it sends, parsed with its
   * own graphql (GraphiQL.GraphQL), rather than from options.documentAST: GraphiQL updates
   * that 100 ms after an edit or a tab switch, so a quick Run would see the previous tab's AST.
   * A query that does not parse goes to the endpoint, which answers with the syntax error.
   */
  function isSubscription(query, operationName) {
    var ast;
    try {
      ast = GraphiQL.GraphQL.parse(query);
    } catch (error) {
      return false;
    }
    var operation = GraphiQL.GraphQL.getOperationAST(ast, operationName || undefined);
    return operation !== null && operation !== undefined && operation.operation === 'subscription';
  }

  /** A subscription over SSE, as the Observable GraphiQL takes: subscribe(sink) returns { unsubscribe }. */
  function sseObservable(url, params, headers) {
    return {
      subscribe: function (sink) {
        // The user pressed stop (or GraphiQL moved on), or the stream ended: no more calls to sink.
        var stopped = false;
        var client = graphqlSse.createClient({ url: url, headers: headers || {}, retryAttempts: 0 });
        var unsubscribe = client.subscribe(params, {
          next: function (result) {
            if (!stopped) sink.next(result);
          },
          complete: function () {
            if (stopped) return;
            stopped = true;
            client.dispose();
            sink.complete();
          },
          error: function (error) {
            if (stopped) return;
            stopped = true;
            var response = error && error.response;
            if (!response || typeof response.json !== 'function') {
              client.dispose();
              sink.error(error);
              return;
            }
            // Refused before streaming (bad operation, no credential, rate limit): the gateway's
            // own JSON error body, shown as GraphiQL shows a refused query's. Read before the
            // client is disposed, which aborts the request and with it the body.
            response.json().then(
              function (body) {
                client.dispose();
                if (body !== null && typeof body === 'object') {
                  sink.next(body);
                  sink.complete();
                } else {
                  sink.error(error);
                }
              },
              function () {
                client.dispose();
                sink.error(error);
              }
            );
          }
        });
        return {
          unsubscribe: function () {
            if (stopped) return;
            stopped = true;
            unsubscribe();
            client.dispose();
          }
        };
      }
    };
  }

  var httpFetcher = GraphiQL.createFetcher({ url: config.endpoint });
  function fetcher(params, options) {
    if (config.subscriptionEndpoint && isSubscription(params.query, params.operationName)) {
      return sseObservable(config.subscriptionEndpoint, params, options && options.headers);
    }
    return httpFetcher(params, options);
  }

  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: config.tabs,
      defaultEditorToolsVisibility: true,
      shouldPersistHeaders: false
    })
  );
})();
`;

/** The page's own layout: GraphiQL fills the window. A file, so styles need no inline `<style>`. */
export const PAGE_CSS = `html, body, #${ROOT_ELEMENT_ID} { height: 100%; margin: 0; }
#${ROOT_ELEMENT_ID} > .playground-message { font: 14px/1.5 system-ui, sans-serif; padding: 2rem; }
`;

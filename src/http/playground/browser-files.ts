/**
 * The two small files the gateway writes for the browser itself. Served as files, not inlined, so
 * the page's Content-Security-Policy can forbid inline scripts; the settings come from a JSON block
 * in the page (`#playground-config`), which is data and never executed.
 *
 * Kept as ES5 text rather than compiled TypeScript: it runs as-is in the browser next to the UMD
 * globals `React`, `ReactDOM` and `GraphiQL` (graphiql's `src/cdn.ts`), with no bundler in between.
 */

/** The id of the `<script type="application/json">` element holding {@link PlaygroundConfig}. */
export const CONFIG_ELEMENT_ID = 'playground-config';

/** The id of the element GraphiQL is rendered into. */
export const ROOT_ELEMENT_ID = 'graphiql';

/** What the page hands the start-up script: GraphiQL's own option names and shapes. */
export interface PlaygroundConfig {
  /** Same-origin URL GraphiQL posts to (`createFetcher({ url })`). */
  endpoint: string;
  /** GraphiQL 3 `TabDefinition`s: `{ query, variables? }`. */
  tabs: Array<{ query: string; variables?: string }>;
}

/**
 * Starts GraphiQL. `defaultTabs` only apply on a first visit: afterwards GraphiQL restores the
 * user's own tabs from localStorage, as it always does. Headers (which may hold a bearer token)
 * are not persisted. If a script did not load, the page says so instead of staying blank.
 */
export const INIT_SCRIPT = `'use strict';
(function () {
  var root = document.getElementById(${JSON.stringify(ROOT_ELEMENT_ID)});
  if (typeof React === 'undefined' || typeof ReactDOM === 'undefined' || typeof GraphiQL === 'undefined') {
    var message = document.createElement('p');
    message.className = 'playground-message';
    message.textContent = 'The playground could not load its scripts from this server. Reload the page; if it persists, check the gateway logs.';
    root.replaceChildren(message);
    return;
  }
  var config = JSON.parse(document.getElementById(${JSON.stringify(CONFIG_ELEMENT_ID)}).textContent);
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({ url: config.endpoint }),
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

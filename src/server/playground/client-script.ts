/**
 * The script that starts GraphiQL in the browser. Served as a file (not inline) so the page's
 * Content-Security-Policy can forbid inline scripts; its settings come from a JSON data block.
 */
export const INIT_SCRIPT = `'use strict';
(function () {
  var config = JSON.parse(document.getElementById('playground-config').textContent);
  var fetcher = GraphiQL.createFetcher({ url: config.endpoint });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: config.tabs,
      defaultEditorToolsVisibility: true,
      shouldPersistHeaders: false
    })
  );
})();
`;

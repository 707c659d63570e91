/**
 * The offline playground: GraphiQL served entirely by the gateway — React, GraphiQL, its fonts and
 * the start-up script — so it works in air-gapped networks and under a strict Content-Security-Policy,
 * where Apollo's CDN landing page stays blank (apollographql/apollo-server#7628).
 *
 * Routes, for GET and HEAD only:
 * - `<graphqlPath>` asked for as HTML by a browser (see `isBrowserVisit`): the page. Anything else
 *   there (GraphQL GETs with `?query=`, JSON clients, POSTs) is left to the caller.
 * - `<assetsPath>/<name>.<hash>.<ext>`: a static file, cached for a year, 304 on If-None-Match.
 *   An unknown name there (a stale or mistyped URL) is not taken either: the caller's own 404
 *   answers it, in the gateway's one error shape, rather than a second 404 format of ours.
 */
import { isBrowserVisit } from './accepts-html';
import { loadAssets, type Asset } from './assets';
import { checkPlaygroundOptions } from './options';
import { renderPage } from './page';
import { ASSET_SECURITY_HEADERS, PAGE_SECURITY_HEADERS } from './security-headers';
import { IMMUTABLE_CACHE_CONTROL, prepareBody, sendPrepared } from './send';
import type { Playground, PlaygroundOptions } from './types';

export type { Playground, PlaygroundOptions, PlaygroundTab } from './types';
export { DEFAULT_TABS } from './tabs';
export { PLAYGROUND_CSP } from './security-headers';

const PAGE_HEADERS: Readonly<Record<string, string>> = {
  ...PAGE_SECURITY_HEADERS,
  // Revalidated on every visit (cheap, thanks to the ETag) so a new gateway version's asset URLs
  // are picked up at once; the page differs by Accept at the same URL.
  'cache-control': 'no-cache',
  vary: 'Accept, Accept-Encoding',
};

const ASSET_HEADERS: Readonly<Record<string, string>> = {
  ...ASSET_SECURITY_HEADERS,
  'cache-control': IMMUTABLE_CACHE_CONTROL,
};

/** Splits `req.url` without normalising it: only an exact path is ours. */
function splitUrl(url: string): { pathname: string; search: URLSearchParams } {
  const question = url.indexOf('?');
  return question === -1
    ? { pathname: url, search: new URLSearchParams() }
    : { pathname: url.slice(0, question), search: new URLSearchParams(url.slice(question + 1)) };
}

/**
 * Reads the assets and renders the page once; throws a TypeError naming the bad value when the
 * options are invalid (see `options.ts`).
 *
 * @example
 * const playground = createPlayground({ graphqlPath: '/graphql', assetsPath: '/playground', title: 'API', tabs: [{ query: '{ __typename }' }] });
 * http.createServer((req, res) => { if (!playground.handle(req, res)) routeToApollo(req, res); });
 */
export function createPlayground(options: PlaygroundOptions): Playground {
  const { graphqlPath, subscriptionPath, assetsPath, title, tabs } = checkPlaygroundOptions(options);
  const assets = loadAssets();
  const assetPrefix = `${assetsPath}/`;
  const html = renderPage({
    title,
    // Only what GraphiQL's TabDefinition knows: `name` is checked at creation, not sent.
    config: {
      endpoint: graphqlPath,
      ...(subscriptionPath === undefined ? {} : { subscriptionEndpoint: subscriptionPath }),
      tabs: tabs.map((tab) => (tab.variables === undefined ? { query: tab.query } : { query: tab.query, variables: tab.variables })),
    },
    href: (asset: Asset) => `${assetPrefix}${asset.name}`,
    stylesheets: assets.stylesheets,
    scripts: assets.scripts,
  });
  const page = prepareBody('text/html; charset=utf-8', Buffer.from(html, 'utf8'));

  return {
    handle(req, res) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const { pathname, search } = splitUrl(req.url ?? '/');
      if (pathname === graphqlPath) {
        if (!isBrowserVisit(req, search)) return false;
        sendPrepared(req, res, page, PAGE_HEADERS);
        return true;
      }
      if (!pathname.startsWith(assetPrefix)) return false;
      const asset = assets.byName.get(pathname.slice(assetPrefix.length));
      if (asset === undefined) return false;
      sendPrepared(req, res, asset, ASSET_HEADERS);
      return true;
    },
  };
}

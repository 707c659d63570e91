/**
 * The offline playground: GraphiQL served entirely by the gateway (no CDN), so it works in
 * air-gapped networks and under a strict Content-Security-Policy (apollographql/apollo-server#7628).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadAssets, type Asset } from './assets';
import type { PlaygroundTab } from './tabs';

export { DEFAULT_TABS, type PlaygroundTab } from './tabs';

export interface PlaygroundOptions {
  /** The endpoint GraphiQL posts to, and where the page is served to browsers. */
  graphqlPath: string;
  /** Where its static files are served. */
  assetsPath: string;
  title: string;
  tabs: PlaygroundTab[];
}

export interface Playground {
  /** Handles GET/HEAD for the page and its assets; returns false, writing nothing, otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

/**
 * No inline script and nothing remote. GraphiQL sets inline styles (CodeMirror, its resizers), so
 * styles need 'unsafe-inline'; fonts and icons are data: URLs inside its CSS.
 */
export const PLAYGROUND_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** JSON inside <script type="application/json">: `<` escaped so `</script>` cannot close the block. */
const jsonForScript = (value: unknown): string =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

function wantsHtml(req: IncomingMessage, url: URL): boolean {
  if (url.searchParams.has('query')) return false; // a GraphQL GET request, not a browser visit
  return (req.headers.accept ?? '').includes('text/html');
}

function sendAsset(req: IncomingMessage, res: ServerResponse, asset: Asset): void {
  const headers: Record<string, string> = {
    'content-type': asset.contentType,
    'cache-control': 'public, max-age=31536000, immutable',
    etag: asset.etag,
    vary: 'accept-encoding',
    'x-content-type-options': 'nosniff',
  };
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? asset.gzipped : asset.body;
  res.writeHead(200, { ...headers, ...(gzip ? { 'content-encoding': 'gzip' } : {}), 'content-length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export function createPlayground(options: PlaygroundOptions): Playground {
  const assets = loadAssets();
  const src = (asset: Asset): string => `${options.assetsPath}/${asset.name}`;
  const html = Buffer.from(
    `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<link rel="stylesheet" href="${src(assets.graphiqlCss)}">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading the playground…</div>
<script type="application/json" id="playground-config">${jsonForScript({ endpoint: options.graphqlPath, tabs: options.tabs })}</script>
<script src="${src(assets.react)}"></script>
<script src="${src(assets.reactDom)}"></script>
<script src="${src(assets.graphiqlJs)}"></script>
<script src="${src(assets.init)}"></script>
</body>
</html>
`,
    'utf8',
  );
  const prefix = `${options.assetsPath}/`;

  return {
    handle(req, res) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const url = new URL(req.url ?? '/', 'http://playground.invalid');
      if (url.pathname === options.graphqlPath) {
        if (!wantsHtml(req, url)) return false;
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'content-length': String(html.length),
          'content-security-policy': PLAYGROUND_CSP,
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
          'cache-control': 'no-cache',
        });
        res.end(req.method === 'HEAD' ? undefined : html);
        return true;
      }
      if (!url.pathname.startsWith(prefix)) return false;
      const asset = assets.byName.get(url.pathname.slice(prefix.length));
      if (!asset) {
        // Under the assets path, an unknown name is this module's 404, not someone else's route.
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
        res.end('Not found');
        return true;
      }
      sendAsset(req, res, asset);
      return true;
    },
  };
}

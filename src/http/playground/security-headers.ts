/**
 * The playground's response headers that are about safety rather than content.
 */

/**
 * The page's Content-Security-Policy: nothing remote, no inline script, no eval.
 *
 * - `script-src 'self'`: the start-up code is a served file; its settings are a JSON data block.
 * - `style-src 'self' 'unsafe-inline'`: GraphiQL's dialogs (Radix, via react-remove-scroll) inject
 *   `<style>` elements, and their nonce can only come from webpack's private `__webpack_require__.nc`
 *   inside the UMD bundle, so neither a nonce nor a hash can allow them. Inline *styles* cannot run
 *   code; everything else stays strict.
 * - `img-src`/`font-src` allow `data:` because GraphiQL's CSS embeds its fonts (Roboto, Fira Code)
 *   as data: URLs, and the page's empty favicon is one (so browsers do not request /favicon.ico).
 * - `connect-src 'self'`: GraphiQL posts to the same-origin endpoint only, and subscribes over SSE
 *   (a same-origin fetch too), so no ws:/wss: source is needed.
 */
export const PLAYGROUND_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** On the HTML page. `X-Frame-Options` repeats `frame-ancestors` for browsers without CSP 2. */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': PLAYGROUND_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** On every static file: no MIME sniffing, and no embedding by other sites' pages. */
export const ASSET_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'cross-origin-resource-policy': 'same-origin',
};

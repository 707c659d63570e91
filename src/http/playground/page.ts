/**
 * The playground's HTML page, rendered once at creation. It holds no code: scripts and styles are
 * served files, and the settings travel as JSON in a `<script type="application/json">` block.
 */
import type { Asset } from './assets';
import { CONFIG_ELEMENT_ID, ROOT_ELEMENT_ID, type PlaygroundConfig } from './browser-files';

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** For text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * JSON safe inside a `<script>` element. The HTML parser ends the element at the first `</script`
 * and treats `<!--` specially, whatever the JSON means, so every `<` is written as `\u003c` (the
 * same string to JSON.parse); `>` and `&` likewise, for good measure. U+2028/U+2029 are escaped
 * because older JavaScript engines reject them in string literals.
 */
export function jsonForScriptElement(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface PageParts {
  title: string;
  config: PlaygroundConfig;
  /** Asset URL for a file: `<assetsPath>/<hashed name>`. */
  href(asset: Asset): string;
  stylesheets: readonly Asset[];
  scripts: readonly Asset[];
}

export function renderPage(parts: PageParts): string {
  const links = parts.stylesheets.map((a) => `<link rel="stylesheet" href="${escapeHtml(parts.href(a))}">`);
  const scripts = parts.scripts.map((a) => `<script src="${escapeHtml(parts.href(a))}"></script>`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(parts.title)}</title>
<link rel="icon" href="data:,">
${links.join('\n')}
</head>
<body>
<div id="${ROOT_ELEMENT_ID}"><p class="playground-message">Loading the GraphQL playground…</p></div>
<noscript><p class="playground-message">The GraphQL playground needs JavaScript.</p></noscript>
<script type="application/json" id="${CONFIG_ELEMENT_ID}">${jsonForScriptElement(parts.config)}</script>
${scripts.join('\n')}
</body>
</html>
`;
}

/**
 * The playground's static files, read from node_modules once at creation (no disk reads on the hot
 * path), gzipped once, and named by a hash of their content so browsers may cache them for a year.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { INIT_SCRIPT, PAGE_CSS } from './browser-files';
import { prepareBody, type PreparedBody } from './send';

export interface Asset extends PreparedBody {
  /** File name under the assets path, with the content hash: `graphiql.3f9a1c2e4b5d.js`. */
  name: string;
}

export interface PlaygroundAssets {
  /** In the order the page loads them: React, ReactDOM, GraphiQL, the graphql-sse client, then the start-up script. */
  scripts: readonly Asset[];
  stylesheets: readonly Asset[];
  byName: ReadonlyMap<string, Asset>;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

function packageFile(packageName: string, file: string): Buffer {
  return readFileSync(join(dirname(require.resolve(`${packageName}/package.json`)), file));
}

/**
 * The published bundles end with a `sourceMappingURL` to a map we do not serve; left in, every
 * browser with devtools open would ask for it and log a 404.
 */
function withoutSourceMapComment(body: Buffer): Buffer {
  return Buffer.from(
    body.toString('utf8').replace(/\n?(?:\/\/# sourceMappingURL=[^\n]*|\/\*# sourceMappingURL=[^*]*\*\/)\s*$/, '\n'),
    'utf8',
  );
}

function asset(baseName: string, extension: 'js' | 'css', body: Buffer): Asset {
  const prepared = prepareBody(extension === 'js' ? JS : CSS, body);
  return { ...prepared, name: `${baseName}.${prepared.hash}.${extension}` };
}

/**
 * React 18 production UMD builds (React 18 is the last with UMD files, which GraphiQL 3's bundle
 * expects as the globals `React` and `ReactDOM`), GraphiQL's own UMD bundle and stylesheet, and
 * graphql-sse's minified UMD client (the global `graphqlSse`, 9.5 kB, no dependencies), which the
 * start-up script uses for subscriptions. graphql-sse is the gateway's own dependency (its server
 * protocol), so the client the page runs is the version the server was tested with.
 */
export function loadAssets(): PlaygroundAssets {
  const scripts = [
    asset('react', 'js', packageFile('react', 'umd/react.production.min.js')),
    asset('react-dom', 'js', packageFile('react-dom', 'umd/react-dom.production.min.js')),
    asset('graphiql', 'js', withoutSourceMapComment(packageFile('graphiql', 'graphiql.min.js'))),
    asset('graphql-sse', 'js', withoutSourceMapComment(packageFile('graphql-sse', 'umd/graphql-sse.min.js'))),
    asset('playground', 'js', Buffer.from(INIT_SCRIPT, 'utf8')),
  ];
  const stylesheets = [
    asset('graphiql', 'css', withoutSourceMapComment(packageFile('graphiql', 'graphiql.min.css'))),
    asset('playground', 'css', Buffer.from(PAGE_CSS, 'utf8')),
  ];
  return { scripts, stylesheets, byName: new Map([...scripts, ...stylesheets].map((a) => [a.name, a])) };
}

/**
 * The playground's static files, read from node_modules once at start-up (no disk reads on the hot
 * path), gzipped once, and served under content-hashed names so browsers may cache them for a year.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { INIT_SCRIPT } from './client-script';

export interface Asset {
  /** URL file name with a content hash, e.g. `graphiql.3f9a1c2e.js`. */
  name: string;
  contentType: string;
  body: Buffer;
  gzipped: Buffer;
  etag: string;
}

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

function asset(baseName: string, extension: string, contentType: string, body: Buffer): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return {
    name: `${baseName}.${hash}.${extension}`,
    contentType,
    body,
    gzipped: gzipSync(body, { level: 9 }),
    etag: `"${hash}"`,
  };
}

export interface PlaygroundAssets {
  react: Asset;
  reactDom: Asset;
  graphiqlJs: Asset;
  graphiqlCss: Asset;
  init: Asset;
  byName: ReadonlyMap<string, Asset>;
}

/** Production UMD builds: React 18 is the last React with UMD files, which GraphiQL 3 expects. */
export function loadAssets(): PlaygroundAssets {
  const js = 'text/javascript; charset=utf-8';
  const react = asset('react', 'js', js, readFileSync(join(packageDir('react'), 'umd/react.production.min.js')));
  const reactDom = asset('react-dom', 'js', js, readFileSync(join(packageDir('react-dom'), 'umd/react-dom.production.min.js')));
  const graphiqlJs = asset('graphiql', 'js', js, readFileSync(join(packageDir('graphiql'), 'graphiql.min.js')));
  const graphiqlCss = asset('graphiql', 'css', 'text/css; charset=utf-8', readFileSync(join(packageDir('graphiql'), 'graphiql.min.css')));
  const init = asset('init', 'js', js, Buffer.from(INIT_SCRIPT, 'utf8'));
  const all = [react, reactDom, graphiqlJs, graphiqlCss, init];
  return { react, reactDom, graphiqlJs, graphiqlCss, init, byName: new Map(all.map((a) => [a.name, a])) };
}

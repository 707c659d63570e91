/**
 * What was built: the gateway's version from its package.json, found from src/ (ts) or dist/src/
 * (built); the Docker image copies package.json beside dist/ for this.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const PACKAGE_NAME = 'veeam-aws-graphql-gateway';

/** The package.json version, or `unknown` when the file is not where a build puts it. */
export function gatewayVersion(): string {
  for (const dir of [resolve(__dirname, '../..'), resolve(__dirname, '../../..')]) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
    if (manifest.name === PACKAGE_NAME && typeof manifest.version === 'string') return manifest.version;
  }
  return 'unknown';
}

/**
 * The Dockerfile builds from a clean clone: every file it copies from the build context is in the
 * repository (there is no Docker engine here to try it), and the dependencies it installs get the
 * same patches as `npm ci` (patches/, applied by the postinstall).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

/** Sources of each `COPY` from the build context (not `--from=` another stage). */
function contextSources(): string[] {
  return dockerfile
    .split('\n')
    .filter((line) => /^COPY\s/.test(line) && !/--from=/.test(line))
    .flatMap((line) => {
      const words = line
        .trim()
        .split(/\s+/)
        .slice(1)
        .filter((word) => !word.startsWith('--'));
      return words.slice(0, -1);
    });
}

describe('the Dockerfile', () => {
  it('copies only files that are in the repository', () => {
    const sources = contextSources();
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'patches', 'src', 'schema']));
    for (const source of sources) expect([source, existsSync(join(ROOT, source))]).toEqual([source, true]);
  });

  it('installs with the patches in place in every stage that runs npm ci', () => {
    const stages = dockerfile.split(/^FROM /m).slice(1);
    const installing = stages.filter((stage) => /^RUN .*npm ci/m.test(stage));
    expect(installing.length).toBeGreaterThan(0);
    for (const stage of installing) {
      const lines = stage.split('\n');
      const patches = lines.findIndex((line) => /^COPY .*patches/.test(line));
      const install = lines.findIndex((line) => /^RUN .*npm ci/.test(line));
      expect(patches).toBeGreaterThan(-1);
      expect(patches).toBeLessThan(install);
    }
  });

  it('runs patch-package on every install, production-only ones too, and every patch names a locked dependency at its locked version', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
    };
    expect(manifest.scripts['postinstall']).toMatch(/^patch-package --error-on-fail/);
    // npm runs the postinstall on a production-only install too (`npm ci --omit=dev`, the image's).
    expect(manifest.dependencies['patch-package']).toBeDefined();
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
    const patches = readdirSync(join(ROOT, 'patches')).filter((file) => file.endsWith('.patch'));
    expect(patches.length).toBeGreaterThan(0);
    for (const file of patches) {
      const [, name, version] = /^(.+)\+(\d[^+]*)\.patch$/.exec(file) ?? [];
      const lockedName = (name ?? '').replace('+', '/');
      expect([file, lock.packages[`node_modules/${lockedName}`]?.version]).toEqual([file, version]);
    }
  });
});

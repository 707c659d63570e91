/**
 * The layer rules of .dependency-cruiser.cjs can fail: run on a fixture tree with an upward import and
 * a cycle, they refuse both and pass the downward import. (`npm test` runs the same rules on src/.)
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

function cruise(cwd: string): { status: number | null; violations: Violation[] } {
  const run = spawnSync(DEPCRUISE, ['src', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'], {
    cwd,
    encoding: 'utf8',
  });
  const report = JSON.parse(run.stdout) as { summary: { violations: Violation[] } };
  return { status: run.status, violations: report.summary.violations };
}

describe('layer rules', () => {
  it('refuse an import that runs up a layer and an import cycle, and nothing else', () => {
    const { violations } = cruise(join(ROOT, 'test', 'fixtures', 'layering'));
    const found = violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
    expect(found).toEqual([
      'layer-upstream: src/upstream/reaches-up.ts → src/graphql/schema-binding.ts',
      'no-circular: src/sessions/cycle-a.ts → src/sessions/cycle-b.ts',
    ]);
  });

  it('exit non-zero on a violation (what makes `npm test` fail)', () => {
    const run = spawnSync(DEPCRUISE, ['src', '--config', join(ROOT, '.dependency-cruiser.cjs')], {
      cwd: join(ROOT, 'test', 'fixtures', 'layering'),
      encoding: 'utf8',
    });
    expect(run.status).not.toBe(0);
    expect(run.stdout).toMatch(/layer-upstream/);
  });

  it('find no violation in src/', () => {
    expect(cruise(ROOT).violations).toEqual([]);
  });
});

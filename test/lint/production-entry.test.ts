/**
 * The production entry never loads the fake appliance: walking the static import graph from
 * src/main.ts reaches no simulator module. Demo mode is reached only by main.ts's dynamic import of
 * demo.ts, taken when no appliance is configured.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

interface Module {
  source: string;
  dependencies: Array<{ resolved: string; dynamic: boolean }>;
}

function graph(): Map<string, Module> {
  const run = spawnSync(
    join(ROOT, 'node_modules', '.bin', 'depcruise'),
    ['src/main.ts', '--no-config', '--ts-pre-compilation-deps', '--do-not-follow', 'node_modules', '--output-type', 'json'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  const report = JSON.parse(run.stdout) as { modules: Module[] };
  return new Map(report.modules.map((module) => [module.source, module]));
}

function staticClosure(modules: Map<string, Module>, entry: string): Set<string> {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  for (let source = queue.pop(); source !== undefined; source = queue.pop()) {
    for (const dependency of modules.get(source)?.dependencies ?? []) {
      if (dependency.dynamic || seen.has(dependency.resolved)) continue;
      seen.add(dependency.resolved);
      queue.push(dependency.resolved);
    }
  }
  return seen;
}

describe('the production entry', () => {
  const modules = graph();

  it('statically imports no simulator module (and not demo.ts)', () => {
    const reached = [...staticClosure(modules, 'src/main.ts')].filter((source) => source.startsWith('src/'));
    expect(reached.length).toBeGreaterThan(30); // the walk saw the gateway itself
    expect(reached.filter((source) => source.startsWith('src/simulator/') || source === 'src/demo.ts')).toEqual([]);
  });

  it('reaches demo mode only through a dynamic import', () => {
    const toDemo = modules.get('src/main.ts')?.dependencies.filter((dependency) => dependency.resolved === 'src/demo.ts');
    expect(toDemo).toEqual([expect.objectContaining({ dynamic: true })]);
    expect(staticClosure(modules, 'src/demo.ts').has('src/simulator/index.ts')).toBe(true);
  });
});

/**
 * The graphql-codegen client preset over the schema with the README's scalar configuration: the
 * generated types compile, type Long and DateTime as strings and durations as numbers, and the
 * persisted-documents.json it writes runs on a gateway with TRUSTED_DOCUMENTS=require.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import ts from 'typescript';
import { startStack } from '../helpers/stack';

const ROOT = resolve(__dirname, '../..');
/** Inside node_modules so that generated imports resolve, and outside tsc's and eslint's view. */
const CACHE = join(ROOT, 'node_modules/.cache');

/** The README's client-preset configuration (the snippet is kept in step with this object). */
const README_CODEGEN_CONFIG = {
  scalars: { DateTime: 'string', Long: 'string' },
  enumsAsTypes: true,
};

const APP = `import { graphql } from './gql';
import type { DetailQuery } from './gql/graphql';

export const Detail = graphql(\`
  query Detail($id: ID!) {
    session(id: $id) {
      id usn startTime durationMs status
      protectedItems(page: { limit: 10 }) { items { id instanceId status } }
    }
  }
\`);

declare const data: DetailQuery;
export const usn: string | undefined = data.session?.usn;
export const startTime: string | null | undefined = data.session?.startTime;
export const durationMs: number | null | undefined = data.session?.durationMs;
export const status: 'SUCCEEDED' | 'FAILED' | 'WARNING' | 'RUNNING' | 'NEVER_EXECUTED' | 'CANCELED' | 'UNKNOWN' | undefined = data.session?.status;
// @ts-expect-error Long is a string on the wire, never a number
export const usnAsNumber: number | undefined = data.session?.usn;
`;

let dir: string;

beforeAll(() => {
  mkdirSync(CACHE, { recursive: true });
  dir = mkdtempSync(join(CACHE, 'codegen-client-'));
  writeFileSync(join(dir, 'app.ts'), APP);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the client preset with the README scalars', () => {
  it('generates types that compile, with Long and DateTime as strings and durations as numbers, and a manifest the gateway runs', async () => {
    // The CLI as users run it (its ESM dependencies do not load inside jest's module system).
    const config = join(dir, 'codegen.json');
    writeFileSync(
      config,
      JSON.stringify({
        schema: join(ROOT, 'schema/*.graphql'),
        documents: [join(dir, 'app.ts')],
        generates: {
          [`${join(dir, 'gql')}/`]: { preset: 'client', config: README_CODEGEN_CONFIG, presetConfig: { persistedDocuments: true } },
        },
      }),
    );
    await promisify(execFile)(join(ROOT, 'node_modules/.bin/graphql-codegen'), ['--config', config, '--silent'], { cwd: ROOT });
    const program = ts.createProgram([join(dir, 'app.ts')], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      types: [],
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(problems).toEqual([]);

    const manifest = JSON.parse(readFileSync(join(dir, 'gql/persisted-documents.json'), 'utf8')) as Record<string, string>;
    const [hash] = Object.keys(manifest);
    const file = join(dir, 'persisted-documents.json');
    writeFileSync(file, JSON.stringify(manifest));
    const stack = await startStack({ env: { TRUSTED_DOCUMENTS: 'require', TRUSTED_DOCUMENTS_FILE: file } });
    try {
      const id = stack.sim.data.sessions[0]?.id;
      const response = await request(`${stack.gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ documentId: hash, variables: { id } }),
      });
      const body = (await response.body.json()) as { data?: { session: { id: string; usn: string } } };
      expect(response.statusCode).toBe(200);
      expect(body.data?.session.id).toBe(id);
      expect(typeof body.data?.session.usn).toBe('string');
    } finally {
      await stack.close();
    }
  });
});

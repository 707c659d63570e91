/**
 * The catalogue is the one list of public codes: the README's table is rendered from it, Apollo's
 * masking lets exactly its codes through, and every code answers with its status.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CATALOGUE, PUBLIC_ERROR_CODES, statusOf } from '../../src/errors/catalogue';

const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

/** The README's error table as the catalogue renders it (between the `errors` markers). */
export function renderErrorTable(): string {
  const rows = PUBLIC_ERROR_CODES.map((code) => `| \`${code}\` | ${statusOf(code)} | ${ERROR_CATALOGUE[code].meaning} |`);
  return ['| `extensions.code` | HTTP status | Meaning |', '|---|---|---|', ...rows].join('\n');
}

describe('the public error catalogue', () => {
  it('is what the README lists, row for row', () => {
    const match = /<!-- errors:start -->\n([\s\S]*?)\n<!-- errors:end -->/.exec(README);
    expect(match?.[1]).toBe(renderErrorTable());
  });

  it('gives every code a 4xx or 5xx status and a meaning', () => {
    for (const code of PUBLIC_ERROR_CODES) {
      expect(statusOf(code)).toBeGreaterThanOrEqual(400);
      expect(statusOf(code)).toBeLessThan(600);
      expect(ERROR_CATALOGUE[code].meaning.length).toBeGreaterThan(10);
    }
  });

  it('spells codes as SCREAMING_SNAKE_CASE, each once', () => {
    expect(new Set(PUBLIC_ERROR_CODES).size).toBe(PUBLIC_ERROR_CODES.length);
    for (const code of PUBLIC_ERROR_CODES) expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
  });
});

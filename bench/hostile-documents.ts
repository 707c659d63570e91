/**
 * The adversarial review's documents (issue 12), one definition for the regression tests
 * (test/e2e/hostile.test.ts) and the hostile-mix benchmark (bench/hostile.ts).
 */

/** Every scalar field of a Session: the widest row a list can return. */
export const SESSION_SCALARS =
  'id name type rawType extendedType status rawStatus result rawResult reason usn startTime stopTime durationMs';

/** `levels` fragments on `type`, each spreading the next twice; the last selects `last`. */
export function doubling(prefix: string, type: string, levels: number, last: string): string {
  const fragments: string[] = [];
  for (let i = 0; i < levels - 1; i += 1) fragments.push(`fragment ${prefix}${i} on ${type} { ...${prefix}${i + 1} ...${prefix}${i + 1} }`);
  fragments.push(`fragment ${prefix}${levels - 1} on ${type} { ${last} }`);
  return fragments.join('\n');
}

/** The review's 1.1 KB document: 2^12 × 2^12 fields when expanded naively. */
export const FRAGMENT_BOMB = [
  '{ sessions(page: {limit: 1}) { items { ...S0 } } }',
  doubling('S', 'Session', 12, 'protectedItems { items { ...P0 } }'),
  doubling('P', 'ProtectedItem', 12, 'id'),
].join('\n');

/** 30 aliases of 1,000 sessions with every scalar: an 11 MB answer at cost 150. */
export const WIDE_ALIASES = `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: sessions(page: {limit: 1000}) { items { ${SESSION_SCALARS} } }`).join(' ')} }`;

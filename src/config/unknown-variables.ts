/**
 * Typos in variable names: a name with one of the gateway's prefixes that the gateway does not read
 * is an error (it would otherwise be ignored, and a mistyped VEEAM_BASE_URL starts demo mode), named
 * with the closest known variable.
 */
import { GATEWAY_PREFIXES, KNOWN_VARIABLES } from './env-schema';

/** Beyond this many edits a suggestion is a guess, not a correction. */
const MAX_SUGGESTION_DISTANCE = 3;

/** Edit distance (insertions, deletions, substitutions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const left = a.toUpperCase();
  const right = b.toUpperCase();
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= right.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (left[i - 1] === right[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

/** The known variable closest to `name`, if it is close enough to be what was meant. */
export function closestVariable(name: string, known: readonly string[] = KNOWN_VARIABLES): string | undefined {
  // Underscores are where typos cluster (VEEAM_BASEURL, VEEAM_BASE__URL): compare without them too.
  const bare = (value: string): string => value.replaceAll('_', '');
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = Math.min(editDistance(name, candidate), editDistance(bare(name), bare(candidate)));
    if (distance <= MAX_SUGGESTION_DISTANCE && (best === undefined || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** One problem per set variable that looks like the gateway's but is not one it reads. */
export function unknownVariableProblems(names: Iterable<string>): string[] {
  const known = new Set(KNOWN_VARIABLES);
  const problems: string[] = [];
  for (const name of names) {
    const upper = name.toUpperCase();
    if (known.has(name) || !GATEWAY_PREFIXES.some((prefix) => upper.startsWith(prefix))) continue;
    const suggestion = closestVariable(name);
    problems.push(
      `${name} is not a variable the gateway reads${suggestion ? `; did you mean ${suggestion}?` : ' (see the configuration table in README.md)'}`,
    );
  }
  return problems;
}

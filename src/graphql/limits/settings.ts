/**
 * The query limits from the environment, validated once at start-up. Every mistake is reported at
 * once, each naming the variable and the accepted range; an unset or empty variable takes its default.
 */
import { DEFAULT_LIMIT_SETTINGS, type QueryLimitSettings } from './defaults';

interface Range {
  variable: string;
  setting: keyof QueryLimitSettings;
  min: number;
  max: number;
}

/**
 * Each minimum is the smallest value that still serves the product: a depth of 1 admits only
 * scalar root fields, 0 aliases forbids them, 200 tokens still admit GraphiQL's introspection query
 * (184 tokens). The maximums are past any sane use, where a typo (an extra zero or two) is likelier.
 */
const RANGES: readonly Range[] = [
  { variable: 'MAX_QUERY_DEPTH', setting: 'maxDepth', min: 1, max: 100 },
  { variable: 'MAX_QUERY_ALIASES', setting: 'maxAliases', min: 0, max: 1_000 },
  { variable: 'MAX_QUERY_TOKENS', setting: 'maxTokens', min: 200, max: 1_000_000 },
  { variable: 'MAX_QUERY_COST', setting: 'maxCost', min: 1, max: 100_000 },
];

const WHOLE_NUMBER = /^\d+$/;

export function readLimitSettings(env: Record<string, string | undefined>): { settings: QueryLimitSettings; problems: string[] } {
  const settings: QueryLimitSettings = { ...DEFAULT_LIMIT_SETTINGS };
  const problems: string[] = [];
  for (const { variable, setting, min, max } of RANGES) {
    const raw = env[variable]?.trim();
    if (raw === undefined || raw === '') continue;
    const value = WHOLE_NUMBER.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${variable} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw.slice(0, 32))}`);
      continue;
    }
    settings[setting] = value;
  }
  return { settings, problems };
}

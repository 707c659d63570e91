/**
 * The query limits and their defaults, each with the reason it is what it is.
 */

/** The four limits an operator can set (MAX_QUERY_DEPTH, MAX_QUERY_ALIASES, MAX_QUERY_TOKENS, MAX_QUERY_COST). */
export interface QueryLimitSettings {
  /** Deepest field nesting of an operation, fragments followed through. */
  maxDepth: number;
  /** Aliases in one operation, fragments counted where they are spread. */
  maxAliases: number;
  /** Lexical tokens the parser reads before giving up. */
  maxTokens: number;
  /** Worst-case upstream calls of one operation. */
  maxCost: number;
}

/**
 * The deepest legitimate query (sessions → items → protectedItems → items → name) is 5 levels;
 * twice that leaves room for fragments and `__typename` without admitting runaway nesting.
 */
export const DEFAULT_MAX_DEPTH = 10;

/**
 * A dashboard comparing a few views of the same data needs a handful; dozens are a batching attack
 * (one request standing in for many, past the rate limit).
 */
export const DEFAULT_MAX_ALIASES = 30;

/**
 * The largest example query has a few hundred tokens and GraphiQL's introspection query under 200;
 * 5,000 stops parser-exhaustion documents long before they cost CPU.
 */
export const DEFAULT_MAX_TOKENS = 5_000;

/**
 * Worst-case upstream calls: a 50-session dashboard with protected items and logs costs 101, so
 * 500 admits it and a few neighbours; one query of thousands of calls would swamp a small appliance.
 */
export const DEFAULT_MAX_COST = 500;

/** PageInput's default `limit` (schema/common.graphql, src/graphql/inputs.ts). */
export const DEFAULT_PAGE_LIMIT = 50;

export const DEFAULT_LIMIT_SETTINGS: Readonly<QueryLimitSettings> = Object.freeze({
  maxDepth: DEFAULT_MAX_DEPTH,
  maxAliases: DEFAULT_MAX_ALIASES,
  maxTokens: DEFAULT_MAX_TOKENS,
  maxCost: DEFAULT_MAX_COST,
});

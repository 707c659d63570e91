/**
 * The refusals of the query limits: one code per limit, each message stating the figure and the
 * limit and what to do instead. `extensions.http` makes Apollo Server answer 400 (and is stripped
 * from the response); other servers ignore it.
 */
import { GraphQLError, type ASTNode } from 'graphql';

export const LimitErrorCode = {
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  TOO_MANY_ALIASES: 'TOO_MANY_ALIASES',
  QUERY_TOO_COSTLY: 'QUERY_TOO_COSTLY',
} as const;
export type LimitErrorCode = (typeof LimitErrorCode)[keyof typeof LimitErrorCode];

const BAD_REQUEST = { status: 400 } as const;

export function queryTooDeep(depth: number, maxDepth: number, path: readonly string[], nodes?: readonly ASTNode[]): GraphQLError {
  return new GraphQLError(
    `This query is ${depth} levels deep (${path.join(' → ')}); the limit is ${maxDepth}. Ask for less nesting.`,
    { nodes, extensions: { code: LimitErrorCode.QUERY_TOO_DEEP, depth, maxDepth, http: BAD_REQUEST } },
  );
}

export function tooManyAliases(aliases: number, maxAliases: number, nodes?: readonly ASTNode[]): GraphQLError {
  return new GraphQLError(
    `This query uses ${aliases} aliases; the limit is ${maxAliases}. Send several smaller queries instead.`,
    { nodes, extensions: { code: LimitErrorCode.TOO_MANY_ALIASES, aliases, maxAliases, http: BAD_REQUEST } },
  );
}

export function queryTooCostly(cost: number, maxCost: number): GraphQLError {
  return new GraphQLError(
    `This query could make ${cost} upstream calls; the budget is ${maxCost}. Ask for smaller pages or fewer nested fields.`,
    { extensions: { code: LimitErrorCode.QUERY_TOO_COSTLY, cost, maxCost, http: BAD_REQUEST } },
  );
}

export function tokenLimitMessage(maxTokens: number): string {
  return `This query is longer than ${maxTokens} tokens (names, values and punctuation), the gateway's limit. Send a shorter query.`;
}

/**
 * Refuses operations before any resolver runs: too deep, too many aliases, a worst-case upstream
 * cost over the budget (graphql/query-cost.ts), or an invalid argument anywhere in the operation
 * (graphql/preflight.ts). Each refusal is a 400 with a stable code and a message that says why.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { getVariableValues, GraphQLError, Kind, type FragmentDefinitionNode } from 'graphql';
import { statusOf, type PublicErrorCode } from '../../errors/catalogue';
import type { GatewayLimits } from '../../sessions/limits';
import { preflight } from '../analysis/preflight';
import { operationShape } from '../analysis/query-cost';
import { InvalidInputError } from '../../sessions/errors';
import { publicError } from '../errors';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  upstreamPageSize: number;
  /** For the argument preflight (page limits). */
  gatewayLimits: GatewayLimits;
}

/** A refusal before execution: the whole response is an error, so it carries the code's HTTP status. */
function refuse(code: PublicErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return publicError(code, message, { ...extra, http: { status: statusOf(code) } });
}

export function useQueryLimits<TContext extends object>(limits: QueryLimits): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, schema }) {
          if (!operation) return;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const definition of document.definitions) {
            if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
          }
          // Variables as execution will see them; if they do not coerce, execution answers 400 itself.
          const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
          if (coerced.errors) return;
          const variables = coerced.coerced;
          const shape = operationShape(schema, operation, {
            variables,
            fragments,
            upstreamPageSize: limits.upstreamPageSize,
          });
          if (shape.depth > limits.maxDepth) {
            throw refuse('QUERY_TOO_DEEP', `This query is ${shape.depth} levels deep; the limit is ${limits.maxDepth}.`, {
              depth: shape.depth,
              maxDepth: limits.maxDepth,
            });
          }
          if (shape.aliases > limits.maxAliases) {
            throw refuse('TOO_MANY_ALIASES', `This query uses ${shape.aliases} aliases; the limit is ${limits.maxAliases}.`, {
              aliases: shape.aliases,
              maxAliases: limits.maxAliases,
            });
          }
          if (shape.cost > limits.maxCost) {
            throw refuse(
              'QUERY_TOO_COSTLY',
              `This query could make ${shape.cost} upstream calls; the budget is ${limits.maxCost}. Ask for smaller pages or fewer nested fields.`,
              { cost: shape.cost, maxCost: limits.maxCost },
            );
          }
          try {
            preflight(schema, operation, { variables, fragments }, limits.gatewayLimits);
          } catch (error) {
            if (!(error instanceof InvalidInputError)) throw error;
            throw refuse('BAD_USER_INPUT', error.message, error.argument ? { argument: error.argument } : {});
          }
        },
      };
    },
  };
}

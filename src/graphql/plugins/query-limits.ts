/**
 * Refuses operations before any resolver runs: too deep, too many aliases, a worst-case upstream
 * cost over the budget (graphql/query-cost.ts), or an invalid argument anywhere in the operation
 * (graphql/preflight.ts). Each refusal is a 400 with a stable code and a message that says why.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { getVariableValues, GraphQLError, Kind, type FragmentDefinitionNode } from 'graphql';
import type { GatewayLimits } from '../context';
import { preflight } from '../analysis/preflight';
import { operationShape } from '../analysis/query-cost';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  upstreamPageSize: number;
  /** For the argument preflight (page limits). */
  gatewayLimits: GatewayLimits;
}

function refuse(code: string, message: string, extra: Record<string, number>): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra, http: { status: 400 } } });
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
            if (error instanceof GraphQLError) {
              throw new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 400 } } });
            }
            throw error;
          }
        },
      };
    },
  };
}

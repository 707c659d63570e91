/**
 * Refuses operations that ask too much before any resolver runs: too deep, too many aliases, or a
 * worst-case upstream cost over the budget (see graphql/query-cost.ts). Each refusal is a 400 with a
 * stable code and a message that states the figure and the limit.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type FragmentDefinitionNode } from 'graphql';
import { operationShape } from '../../graphql/query-cost';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  upstreamPageSize: number;
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
          const shape = operationShape(schema, operation, {
            variables: request.variables ?? {},
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
        },
      };
    },
  };
}

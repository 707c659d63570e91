/**
 * Refuses an operation type the schema has no root type for (a mutation; a subscription while the
 * schema has none) with OPERATION_NOT_SUPPORTED and a 400, before anything runs. Without it,
 * graphql-js fails at execution and the client reads INTERNAL_SERVER_ERROR for its own mistake.
 * Asks the schema, so an operation type gains support the day its root type is added.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLObjectType, GraphQLSchema, OperationTypeNode } from 'graphql';
import { ErrorCode, statusOf } from '../../errors/catalogue';
import { publicError } from '../errors';

function rootType(schema: GraphQLSchema, operation: OperationTypeNode): GraphQLObjectType | null | undefined {
  if (operation === 'mutation') return schema.getMutationType();
  if (operation === 'subscription') return schema.getSubscriptionType();
  return schema.getQueryType();
}

export function useOperationTypes<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, schema }) {
          if (!operation || rootType(schema, operation.operation)) return;
          throw publicError(
            ErrorCode.OPERATION_NOT_SUPPORTED,
            `This API does not support ${operation.operation} operations: it is read-only. Send a query.`,
            { operationType: operation.operation, http: { status: statusOf(ErrorCode.OPERATION_NOT_SUPPORTED) } },
          );
        },
      };
    },
  };
}

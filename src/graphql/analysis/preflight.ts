/**
 * Argument validation for the whole operation before anything executes. Root fields run in parallel
 * and nested fields after their parents' upstream calls, so validating in resolvers alone would let
 * a valid `sessions` call go out before an invalid `session(id)` or `protectedItems(search)` fails.
 * The validators are the resolvers' own (inputs.ts): one definition of what is valid.
 */
import type { GraphQLObjectType, GraphQLSchema, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import type { GatewayLimits } from '../../sessions/limits';
import {
  normalisePage,
  protectedItemsArgs,
  requireUuid,
  sessionFilter,
  sessionSort,
} from '../../sessions/normalise';
import type { PageInput, ProtectedItemSort, SessionFilter, SessionSort } from '../generated/resolvers-types';
import { argumentsOf, collectFields, itemsSelections, type WalkOptions } from './operation-fields';

function checkSessionSelections(sessionType: GraphQLObjectType, sets: SelectionSetNode[], options: WalkOptions, limits: GatewayLimits): void {
  for (const { node } of sets.flatMap((set) => collectFields(set, options))) {
    const field = sessionType.getFields()[node.name.value];
    if (!field || node.name.value !== 'protectedItems') continue;
    const args = argumentsOf(field, node, options.variables);
    if (args) {
      protectedItemsArgs(
        args as { search?: string | null; sort?: ProtectedItemSort[] | null; page?: PageInput | null },
        limits,
      );
    }
  }
}

/** Throws the first BAD_USER_INPUT the resolvers would throw, before any of them runs. */
export function preflight(schema: GraphQLSchema, operation: OperationDefinitionNode, options: WalkOptions, limits: GatewayLimits): void {
  const query = schema.getQueryType();
  const sessionType = schema.getType('Session') as GraphQLObjectType | undefined;
  if (!query || !sessionType || operation.operation !== 'query') return;
  for (const { node } of collectFields(operation.selectionSet, options)) {
    const field = query.getFields()[node.name.value];
    if (!field) continue;
    const args = argumentsOf(field, node, options.variables);
    if (!args) continue; // coercion fails at execution, before any resolver
    if (node.name.value === 'sessions') {
      normalisePage(args['page'] as PageInput | null | undefined, limits, 'page');
      sessionFilter(args['filter'] as SessionFilter | null | undefined);
      sessionSort(args['sort'] as SessionSort[] | null | undefined);
      checkSessionSelections(sessionType, itemsSelections(node.selectionSet, options), options, limits);
    } else if (node.name.value === 'sessionStats' || node.name.value === 'topFailingItems') {
      sessionFilter(args['filter'] as SessionFilter | null | undefined);
    } else if (node.name.value === 'session') {
      requireUuid(String(args['id']), 'id');
      checkSessionSelections(sessionType, node.selectionSet ? [node.selectionSet] : [], options, limits);
    }
  }
}

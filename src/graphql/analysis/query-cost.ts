/**
 * How much one operation may ask of the appliance, known before anything runs: its depth, its
 * aliases, and its cost = the worst-case number of upstream calls, computed from the document AND
 * the variables (a page size passed as a variable counts: ChilliCream/graphql-platform#7697).
 *
 * The model follows the resolvers: `sessions(page)` costs ceil(limit / upstream page size) list calls
 * and yields up to `limit` sessions; `session(id)` one call and one session; per session, each
 * distinct `protectedItems(args)` costs ceil(limit / page size) calls and `log` one call (DataLoader
 * shares identical ones). Whether a session is a backup session is unknown in advance: worst case.
 */
import type { GraphQLObjectType, GraphQLSchema, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import { DEFAULT_PAGE_LIMIT } from '../../sessions/limits';
import { argumentsOf, collectFields, itemsSelections, type WalkOptions } from './operation-fields';

export interface CostOptions extends WalkOptions {
  upstreamPageSize: number;
}

export interface OperationShape {
  /** Worst-case upstream calls. */
  cost: number;
  /** Deepest field nesting (a root field is depth 1). */
  depth: number;
  aliases: number;
}

function pageLimit(args: Record<string, unknown>): number {
  const page = args['page'] as { limit?: unknown } | null | undefined;
  const limit = typeof page?.limit === 'number' ? page.limit : DEFAULT_PAGE_LIMIT;
  return Math.max(0, limit);
}

const callsFor = (limit: number, pageSize: number): number => Math.ceil(Math.max(limit, 1) / pageSize);

/**
 * Depth and aliases of a selection set. Introspection (`__schema`, `__type`) is not measured: its
 * type-reference nesting is deep by design, costs no upstream call, and INTROSPECTION switches it off.
 */
function measure(selectionSet: SelectionSetNode, options: CostOptions, depth: number): { depth: number; aliases: number } {
  let deepest = depth;
  let aliases = 0;
  for (const { node } of collectFields(selectionSet, options)) {
    if (node.name.value.startsWith('__')) continue;
    if (node.alias) aliases += 1;
    if (node.selectionSet) {
      const inner = measure(node.selectionSet, options, depth + 1);
      deepest = Math.max(deepest, inner.depth);
      aliases += inner.aliases;
    } else {
      deepest = Math.max(deepest, depth + 1);
    }
  }
  return { depth: deepest, aliases };
}

/** Calls made per session for the fields selected on it, over every selection of it (distinct arguments only). */
function perSessionCost(sessionType: GraphQLObjectType, selectionSets: SelectionSetNode[], options: CostOptions): number {
  const distinct = new Map<string, number>();
  for (const { node } of selectionSets.flatMap((set) => collectFields(set, options))) {
    const field = sessionType.getFields()[node.name.value];
    if (!field) continue;
    if (node.name.value === 'log') distinct.set('log', 1);
    if (node.name.value === 'protectedItems') {
      const args = argumentsOf(field, node, options.variables) ?? {};
      distinct.set(`items:${JSON.stringify(args)}`, callsFor(pageLimit(args), options.upstreamPageSize));
    }
  }
  return [...distinct.values()].reduce((sum, calls) => sum + calls, 0);
}

export function operationShape(schema: GraphQLSchema, operation: OperationDefinitionNode, options: CostOptions): OperationShape {
  const { depth, aliases } = measure(operation.selectionSet, options, 0);
  const query = schema.getQueryType();
  const sessionType = schema.getType('Session') as GraphQLObjectType | undefined;
  let cost = 0;
  if (query && sessionType && operation.operation === 'query') {
    for (const { node } of collectFields(operation.selectionSet, options)) {
      const field = query.getFields()[node.name.value];
      if (!field) continue;
      const args = argumentsOf(field, node, options.variables) ?? {};
      const perSession = (sets: SelectionSetNode[]): number => perSessionCost(sessionType, sets, options);
      if (node.name.value === 'sessions') {
        const limit = pageLimit(args);
        cost += callsFor(limit, options.upstreamPageSize) + limit * perSession(itemsSelections(node.selectionSet, options));
      } else if (node.name.value === 'session') {
        cost += 1 + perSession(node.selectionSet ? [node.selectionSet] : []);
      }
    }
  }
  return { cost, depth, aliases };
}

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
import {
  getArgumentValues,
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export interface CostOptions {
  variables: Record<string, unknown>;
  fragments: Record<string, FragmentDefinitionNode>;
  upstreamPageSize: number;
}

export interface OperationShape {
  /** Worst-case upstream calls. */
  cost: number;
  /** Deepest field nesting (a root field is depth 1). */
  depth: number;
  aliases: number;
}

interface Collected {
  node: FieldNode;
  responseName: string;
}

const DEFAULT_PAGE_LIMIT = 50;

/** The fields of a selection set, fragments flattened, @skip/@include applied. */
function collectFields(selectionSet: SelectionSetNode, options: CostOptions, seen = new Set<string>()): Collected[] {
  const fields: Collected[] = [];
  for (const selection of selectionSet.selections) {
    if (!included(selection, options.variables)) continue;
    if (selection.kind === Kind.FIELD) {
      fields.push({ node: selection, responseName: selection.alias?.value ?? selection.name.value });
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      fields.push(...collectFields(selection.selectionSet, options, seen));
    } else {
      const name = selection.name.value;
      const fragment = options.fragments[name];
      if (!fragment || seen.has(name)) continue; // unknown or cyclic: validation reports it
      fields.push(...collectFields(fragment.selectionSet, options, new Set([...seen, name])));
    }
  }
  return fields;
}

function included(node: Parameters<typeof getDirectiveValues>[1], variables: Record<string, unknown>): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, node, variables);
  if (skip?.['if'] === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, variables);
  return include?.['if'] !== false;
}

function argumentsOf(field: GraphQLField<unknown, unknown>, node: FieldNode, variables: Record<string, unknown>): Record<string, unknown> {
  try {
    return getArgumentValues(field, node, variables);
  } catch {
    return {}; // invalid arguments fail at execution with BAD_USER_INPUT; the default limit is assumed here
  }
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
      const args = argumentsOf(field, node, options.variables);
      distinct.set(`items:${JSON.stringify(args)}`, callsFor(pageLimit(args), options.upstreamPageSize));
    }
  }
  return [...distinct.values()].reduce((sum, calls) => sum + calls, 0);
}

/** The selection on `items` of a page field, merged over aliases of `items`. */
function itemsSelections(selectionSet: SelectionSetNode | undefined, options: CostOptions): SelectionSetNode[] {
  if (!selectionSet) return [];
  return collectFields(selectionSet, options)
    .filter(({ node }) => node.name.value === 'items' && node.selectionSet)
    .map(({ node }) => node.selectionSet as SelectionSetNode);
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
      const args = argumentsOf(field, node, options.variables);
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

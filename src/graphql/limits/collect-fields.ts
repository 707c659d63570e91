/**
 * Collecting the fields of a selection set the way graphql-js execution does (its `collectFields`
 * is not public in graphql 16): @skip/@include evaluated with the coerced variables, fragments and
 * inline fragments flattened when their type condition applies, each named fragment once per
 * selection set (so fragment cycles and repeats cannot blow up), fields grouped by response name.
 */
import {
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  Kind,
  typeFromAST,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type InlineFragmentNode,
  type SelectionSetNode,
} from 'graphql';

export interface CollectContext {
  schema: GraphQLSchema;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  /** Coerced variable values (graphql's getVariableValues). */
  variables: Record<string, unknown>;
}

export function fragmentsOf(definitions: readonly { kind: Kind }[]): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      const fragment = definition as FragmentDefinitionNode;
      fragments.set(fragment.name.value, fragment);
    }
  }
  return fragments;
}

/** Response name → the field nodes merged under it, in document order. */
export function collectFields(
  context: CollectContext,
  type: GraphQLObjectType,
  selectionSet: SelectionSetNode,
  visited = new Set<string>(),
  fields = new Map<string, FieldNode[]>(),
): Map<string, FieldNode[]> {
  for (const selection of selectionSet.selections) {
    if (!isIncluded(context, selection)) continue;
    if (selection.kind === Kind.FIELD) {
      const name = selection.alias?.value ?? selection.name.value;
      const group = fields.get(name);
      if (group) group.push(selection);
      else fields.set(name, [selection]);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (conditionApplies(context, selection, type)) collectFields(context, type, selection.selectionSet, visited, fields);
    } else {
      const name = selection.name.value;
      if (visited.has(name)) continue;
      visited.add(name);
      const fragment = context.fragments.get(name);
      // An unknown fragment fails validation; nothing of it runs.
      if (fragment && conditionApplies(context, fragment, type)) collectFields(context, type, fragment.selectionSet, visited, fields);
    }
  }
  return fields;
}

function isIncluded(context: CollectContext, node: FieldNode | InlineFragmentNode | FragmentSpreadNode): boolean {
  try {
    if (getDirectiveValues(GraphQLSkipDirective, node, context.variables)?.['if'] === true) return false;
    return getDirectiveValues(GraphQLIncludeDirective, node, context.variables)?.['if'] !== false;
  } catch {
    // A directive argument that does not coerce fails execution; counting the field is the safe side.
    return true;
  }
}

function conditionApplies(context: CollectContext, fragment: InlineFragmentNode | FragmentDefinitionNode, type: GraphQLObjectType): boolean {
  if (!fragment.typeCondition) return true;
  const condition = typeFromAST(context.schema, fragment.typeCondition);
  if (condition === type) return true;
  return condition !== undefined && isAbstractType(condition) && context.schema.isSubType(condition, type);
}

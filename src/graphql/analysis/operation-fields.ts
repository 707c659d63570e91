/**
 * Walking an operation the way execution will: fields collected through fragments and inline
 * fragments with @skip/@include applied, arguments coerced from the variables. Shared by the checks
 * that run before execution (cost, depth, argument preflight).
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
  type SelectionSetNode,
} from 'graphql';

export interface WalkOptions {
  variables: Record<string, unknown>;
  fragments: Record<string, FragmentDefinitionNode>;
}

export interface Collected {
  node: FieldNode;
  responseName: string;
}

/** The fields of a selection set, fragments flattened, @skip/@include applied. */
export function collectFields(selectionSet: SelectionSetNode, options: WalkOptions, seen = new Set<string>()): Collected[] {
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

/** The field's coerced arguments, or undefined when they do not coerce (execution reports that). */
export function argumentsOf(
  field: GraphQLField<unknown, unknown>,
  node: FieldNode,
  variables: Record<string, unknown>,
): Record<string, unknown> | undefined {
  try {
    return getArgumentValues(field, node, variables);
  } catch {
    return undefined;
  }
}

/** The selection on `items` of a page field, merged over aliases of `items`. */
export function itemsSelections(selectionSet: SelectionSetNode | undefined, options: WalkOptions): SelectionSetNode[] {
  if (!selectionSet) return [];
  return collectFields(selectionSet, options)
    .filter(({ node }) => node.name.value === 'items' && node.selectionSet)
    .map(({ node }) => node.selectionSet as SelectionSetNode);
}


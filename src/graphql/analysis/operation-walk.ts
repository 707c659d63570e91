/**
 * One walk of an operation, shared by every check made before execution (depth, aliases, rows,
 * upstream cost, argument preflight), in time linear in the document:
 *   - fields are collected through fragments and inline fragments with @skip/@include applied and
 *     merged by response name, as graphql-js executes them (a fragment spread twice in one selection
 *     is expanded once: graphql-js's `visitedFragmentNames`);
 *   - a merged field is identified by its set of field nodes, and each such set is expanded once and
 *     shared wherever it recurs (the operation becomes a DAG, not a tree that doubles per fragment);
 *   - no recursion: explicit stacks, so 2^17 fields or 2,000 nested fragments cannot overflow the stack;
 *   - every step is counted, and the walk stops at `maxVisits` (AnalysisTooLargeError).
 */
import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { InvalidInputError } from '../../sessions/errors';

/**
 * Steps of analysis allowed for one operation. A linear walk of a MAX_QUERY_TOKENS (5,000) document
 * takes a few times its tokens; 100,000 is far past any legitimate document and still a few ms.
 */
export const MAX_ANALYSIS_VISITS = 100_000;

export interface WalkOptions {
  variables: Record<string, unknown>;
  fragments: Record<string, FragmentDefinitionNode>;
  /** Default MAX_ANALYSIS_VISITS. */
  maxVisits?: number;
}

/** The operation needs more analysis steps than allowed: it expands far beyond its text. */
export class AnalysisTooLargeError extends Error {
  constructor(readonly maxVisits: number) {
    super(`This query expands to more than ${maxVisits} fields to analyse; simplify its fragments.`);
    this.name = 'AnalysisTooLargeError';
  }
}

/** All the field nodes execution merges under one response name, with what the schema says of them. */
export interface MergedField {
  readonly responseName: string;
  /** The schema field's name. */
  readonly name: string;
  /** True when the response name is an alias. */
  readonly aliased: boolean;
  readonly nodes: readonly FieldNode[];
  readonly parentType: GraphQLCompositeType;
  /** undefined for a field the schema does not have (validation reports it). */
  readonly definition: GraphQLField<unknown, unknown> | undefined;
  /** The named type the field returns (undefined with the definition). */
  readonly returnType: GraphQLNamedType | undefined;
  /** Whether the field returns a list. */
  readonly isList: boolean;
  /** Coerced arguments of the field (its nodes agree, validation ensures it); undefined when they do not coerce. */
  readonly args: Record<string, unknown> | undefined;
  /** The merged sub-fields, in response order; empty for a leaf. Shared by every place the same nodes recur. */
  readonly children: readonly MergedField[];
}

export interface OperationWalk {
  /** The merged root fields. */
  readonly root: readonly MergedField[];
  /** Every distinct merged field, each once, children before their parents. */
  readonly postOrder: readonly MergedField[];
  /** Analysis steps taken (selections read, fields merged): linear in the document. */
  readonly visits: number;
}

interface MutableField extends Omit<MergedField, 'children'> {
  children: MergedField[] | undefined;
}

function fieldDefinition(schema: GraphQLSchema, parent: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
  if (parent === schema.getQueryType()) {
    if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  }
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

function included(node: SelectionNode, variables: Record<string, unknown>): boolean {
  if (!node.directives || node.directives.length === 0) return true;
  const skip = directiveCondition(GraphQLSkipDirective, node, variables);
  if (skip === true) return false;
  return directiveCondition(GraphQLIncludeDirective, node, variables) !== false;
}

/**
 * A directive's `if`. graphql-js throws when it is null (a nullable variable with a default, given
 * null): the client's input, so a refusal with its message, not an internal error.
 */
function directiveCondition(directive: typeof GraphQLSkipDirective, node: SelectionNode, variables: Record<string, unknown>): unknown {
  try {
    return getDirectiveValues(directive, node, variables)?.['if'];
  } catch (error) {
    throw new InvalidInputError(error instanceof Error ? error.message : String(error), `@${directive.name}(if:)`);
  }
}

class Walker {
  visits = 0;
  private readonly ids = new Map<FieldNode, number>();
  private readonly merged = new Map<string, MutableField>();
  private readonly maxVisits: number;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly options: WalkOptions,
  ) {
    this.maxVisits = options.maxVisits ?? MAX_ANALYSIS_VISITS;
  }

  private step(count = 1): void {
    this.visits += count;
    if (this.visits > this.maxVisits) throw new AnalysisTooLargeError(this.maxVisits);
  }

  private idOf(node: FieldNode): number {
    let id = this.ids.get(node);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(node, id);
    }
    return id;
  }

  /** Field nodes by response name, through (inline) fragments, each named fragment once per collection. */
  collect(selectionSets: readonly SelectionSetNode[]): Map<string, FieldNode[]> {
    const byName = new Map<string, FieldNode[]>();
    const seenNodes = new Set<FieldNode>();
    const visitedFragments = new Set<string>();
    // Explicit stack of selection lists, walked in document order.
    const stack: Array<{ selections: readonly SelectionNode[]; index: number }> = selectionSets
      .map((set) => ({ selections: set.selections, index: 0 }))
      .reverse();
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { selections: readonly SelectionNode[]; index: number };
      if (top.index >= top.selections.length) {
        stack.pop();
        continue;
      }
      const selection = top.selections[top.index] as SelectionNode;
      top.index += 1;
      this.step();
      if (!included(selection, this.options.variables)) continue;
      if (selection.kind === Kind.FIELD) {
        if (seenNodes.has(selection)) continue;
        seenNodes.add(selection);
        const responseName = selection.alias?.value ?? selection.name.value;
        const nodes = byName.get(responseName);
        if (nodes) nodes.push(selection);
        else byName.set(responseName, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        stack.push({ selections: selection.selectionSet.selections, index: 0 });
      } else {
        const name = selection.name.value;
        const fragment = this.options.fragments[name];
        if (!fragment || visitedFragments.has(name)) continue; // unknown: validation reports it
        visitedFragments.add(name);
        stack.push({ selections: fragment.selectionSet.selections, index: 0 });
      }
    }
    return byName;
  }

  /** The merged field for these nodes under this parent type: created once, shared after. */
  fieldFor(parentType: GraphQLCompositeType, responseName: string, nodes: FieldNode[]): MutableField {
    this.step();
    const ids = nodes.map((node) => this.idOf(node)).sort((a, b) => a - b);
    const key = `${parentType.name}:${ids.join(',')}`;
    const known = this.merged.get(key);
    if (known) return known;
    const first = nodes[0] as FieldNode;
    const definition = fieldDefinition(this.schema, parentType, first.name.value);
    let args: Record<string, unknown> | undefined;
    if (definition) {
      try {
        args = getArgumentValues(definition, first, this.options.variables);
      } catch {
        args = undefined; // execution reports arguments that do not coerce
      }
    }
    const field: MutableField = {
      responseName,
      name: first.name.value,
      aliased: responseName !== first.name.value,
      nodes,
      parentType,
      definition,
      returnType: definition ? getNamedType(definition.type) : undefined,
      isList: definition ? isListType(getNullableType(definition.type)) : false,
      args,
      children: undefined,
    };
    this.merged.set(key, field);
    return field;
  }

  childrenOf(parentType: GraphQLCompositeType | undefined, selectionSets: readonly SelectionSetNode[]): MutableField[] {
    if (!parentType || selectionSets.length === 0) return [];
    return [...this.collect(selectionSets)].map(([responseName, nodes]) => this.fieldFor(parentType, responseName, nodes));
  }
}

/** Walks the operation once; throws AnalysisTooLargeError past the visit cap. */
export function walkOperation(schema: GraphQLSchema, operation: OperationDefinitionNode, options: WalkOptions): OperationWalk {
  const walker = new Walker(schema, options);
  const rootType = schema.getRootType(operation.operation) ?? undefined;
  const root = walker.childrenOf(rootType, [operation.selectionSet]);
  const postOrder: MergedField[] = [];
  const done = new Set<MutableField>();
  const stack: MutableField[] = [...root].reverse();
  while (stack.length > 0) {
    const field = stack[stack.length - 1] as MutableField;
    if (done.has(field)) {
      stack.pop();
      continue;
    }
    if (field.children === undefined) {
      const sets = field.nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
      const type = field.returnType && isCompositeType(field.returnType) ? field.returnType : undefined;
      const children = walker.childrenOf(type, sets);
      field.children = children.map((child) => child as MergedField);
      // Children not yet done go on top; one still in progress would mean a fragment cycle (invalid).
      for (let i = children.length - 1; i >= 0; i -= 1) {
        const child = children[i] as MutableField;
        if (!done.has(child) && child.children === undefined) stack.push(child);
      }
      continue;
    }
    stack.pop();
    done.add(field);
    postOrder.push(field as MergedField);
  }
  return { root: root.map((field) => field as MergedField), postOrder, visits: walker.visits };
}

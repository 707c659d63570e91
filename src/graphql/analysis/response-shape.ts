/**
 * The shape of the worst-case response, from the operation walk: how deep it nests, how many aliases
 * it uses and how many rows (list elements) it may hold. Rows bound memory: every row is objects on
 * the heap while the response is built, and bytes on the wire after.
 */
import {
  buildSchema,
  DirectiveLocation,
  getIntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  Kind,
  parse,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { DEFAULT_PAGE_LIMIT } from '../../sessions/limits';
import { walkOperation, type MergedField, type OperationWalk } from './operation-walk';

/**
 * A session log's entries are not paged; a policy run logs a line or two per instance. 50 is a
 * generous typical figure (the simulator writes 3 to 12).
 */
export const LOG_ROWS_ESTIMATE = 50;
/** A list the model knows nothing about (figures per status or type, …) is counted as a default page. */
export const OTHER_LIST_ROWS = DEFAULT_PAGE_LIMIT;

export interface ResponseShape {
  /** Deepest nesting of data fields (a root field is depth 1). */
  depth: number;
  /** Deepest nesting under `__schema` / `__type`, checked against its own allowance. */
  introspectionDepth: number;
  /** Aliases in the response, counted at every place a fragment puts them. */
  aliases: number;
  /** List elements the response may hold at most. */
  rows: number;
}

interface Figures {
  depth: number;
  aliases: number;
  rows: number;
  /** Rows under one element of this field (for a page's `items`). */
  inner: number;
}

const pageLimitOf = (field: MergedField): number | undefined => {
  if (!field.definition?.args.some((arg) => arg.name === 'page')) return undefined;
  const page = field.args?.['page'] as { limit?: unknown } | null | undefined;
  return typeof page?.limit === 'number' ? Math.max(0, page.limit) : DEFAULT_PAGE_LIMIT;
};

/**
 * The most elements each introspection list can have in this schema (`__Type.fields`: the most
 * fields of any type, …). Bounding each list by its own kind keeps the standard introspection query
 * (GraphiQL's) at its true size, a few thousand rows, while nested `type { fields { … } }` chains
 * still multiply as they do at execution.
 */
export function introspectionListBounds(schema: GraphQLSchema): (parentType: string, field: string) => number {
  let bounds = boundsBySchema.get(schema);
  if (!bounds) {
    bounds = computeIntrospectionBounds(schema);
    boundsBySchema.set(schema, bounds);
  }
  return bounds;
}

/** Computed once per schema: the figures do not change while it serves. */
const boundsBySchema = new WeakMap<GraphQLSchema, (parentType: string, field: string) => number>();

function computeIntrospectionBounds(schema: GraphQLSchema): (parentType: string, field: string) => number {
  const types = Object.values(schema.getTypeMap());
  const directives = schema.getDirectives();
  const most = { fields: 0, args: 0, interfaces: 0, possibleTypes: 0, enumValues: 0, inputFields: 0 };
  for (const type of types) {
    if (isObjectType(type) || isInterfaceType(type)) {
      const fields = Object.values(type.getFields());
      most.fields = Math.max(most.fields, fields.length);
      for (const field of fields) most.args = Math.max(most.args, field.args.length);
      most.interfaces = Math.max(most.interfaces, type.getInterfaces().length);
    }
    if (isInterfaceType(type) || isUnionType(type)) most.possibleTypes = Math.max(most.possibleTypes, schema.getPossibleTypes(type).length);
    if (isEnumType(type)) most.enumValues = Math.max(most.enumValues, type.getValues().length);
    if (isInputObjectType(type)) most.inputFields = Math.max(most.inputFields, Object.keys(type.getFields()).length);
  }
  for (const directive of directives) most.args = Math.max(most.args, directive.args.length);
  const bounds: Record<string, number> = {
    '__Schema.types': types.length,
    '__Schema.directives': directives.length,
    '__Type.fields': most.fields,
    '__Type.interfaces': most.interfaces,
    '__Type.possibleTypes': most.possibleTypes,
    '__Type.enumValues': most.enumValues,
    '__Type.inputFields': most.inputFields,
    '__Field.args': most.args,
    '__Directive.args': most.args,
    '__Directive.locations': Object.keys(DirectiveLocation).length,
  };
  const anyList = Math.max(...Object.values(bounds));
  return (parentType, field) => bounds[`${parentType}.${field}`] ?? anyList;
}

function listRows(field: MergedField, introspection: (parentType: string, field: string) => number): number {
  if (field.name.startsWith('__') || field.parentType.name.startsWith('__')) return introspection(field.parentType.name, field.name);
  if (typeof field.args?.['first'] === 'number') return Math.max(0, field.args['first']);
  if (field.name === 'log') return LOG_ROWS_ESTIMATE;
  return OTHER_LIST_ROWS;
}

/** Depth, aliases and rows of every merged field, children first (each shared field computed once). */
export function responseShape(schema: GraphQLSchema, walk: OperationWalk): ResponseShape {
  const introspection = introspectionListBounds(schema);
  const figures = new Map<MergedField, Figures>();
  for (const field of walk.postOrder) {
    let depth = 0;
    let aliases = 0;
    let inner = 0;
    let paged = 0;
    const limit = pageLimitOf(field);
    for (const child of field.children) {
      const f = figures.get(child) ?? { depth: 0, aliases: 0, rows: 0, inner: 0 };
      depth = Math.max(depth, f.depth);
      aliases += f.aliases + (child.aliased ? 1 : 0);
      if (limit !== undefined && child.name === 'items' && child.isList) paged += limit * (1 + f.inner);
      else inner += f.rows;
    }
    const rows = field.isList ? listRows(field, introspection) * (1 + inner) : inner + paged;
    figures.set(field, { depth: depth + 1, aliases, rows, inner });
  }
  const shape: ResponseShape = { depth: 0, introspectionDepth: 0, aliases: 0, rows: 0 };
  for (const field of walk.root) {
    const f = figures.get(field) ?? { depth: 0, aliases: 0, rows: 0, inner: 0 };
    if (field.name.startsWith('__')) shape.introspectionDepth = Math.max(shape.introspectionDepth, f.depth);
    else shape.depth = Math.max(shape.depth, f.depth);
    shape.aliases += f.aliases + (field.aliased ? 1 : 0);
    shape.rows += f.rows;
  }
  return shape;
}

/**
 * How deep the standard introspection query (GraphiQL's, graphql-js's getIntrospectionQuery) nests:
 * introspection is allowed this depth even when MAX_QUERY_DEPTH is lower, so the playground works.
 */
export const STANDARD_INTROSPECTION_DEPTH: number = (() => {
  const schema = buildSchema('type Query { ok: Boolean }');
  const document = parse(getIntrospectionQuery());
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation) return 0;
  const fragments = Object.fromEntries(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d]] : [])),
  );
  return responseShape(schema, walkOperation(schema, operation, { variables: {}, fragments })).introspectionDepth;
})();

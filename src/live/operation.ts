/**
 * A subscription document, checked before anything runs: parse (token limit), validate against the
 * gateway's schema, only subscription operations, variables, then the same limits as queries
 * (depth, aliases, argument preflight) and the upstream cost of ONE event, which is what the same
 * selection costs under `session(id)` minus that session's own read (the poller already has it).
 */
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
} from 'graphql';
import { ErrorCode, type PublicErrorCode } from '../errors/catalogue';
import { publicError } from '../graphql/errors';
import { AnalysisTooLargeError } from '../graphql/analysis/operation-walk';
import { preflight } from '../graphql/analysis/preflight';
import { operationShape } from '../graphql/analysis/query-cost';
import { InvalidInputError } from '../sessions/errors';
import type { GatewayLimits } from '../sessions/limits';

export interface OperationLimits {
  maxTokens: number;
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  /** Most list elements one event's answer may hold (MAX_QUERY_ROWS), as for a query. */
  maxRows?: number;
  gateway: GatewayLimits;
}

export interface OperationParams {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
  /** A trusted document's id: `extensions.persistedQuery.sha256Hash` or `documentId`. */
  extensions?: unknown;
  documentId?: unknown;
}

export interface CheckedOperation {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName: string | undefined;
  variableValues: Record<string, unknown>;
  /** Worst-case upstream calls of one event. */
  costPerEvent: number;
}

export class OperationRefused extends Error {
  constructor(readonly errors: readonly GraphQLError[]) {
    super(errors[0]?.message ?? 'refused');
    this.name = 'OperationRefused';
  }
}

/** Stands in for the changed session's id when the event's selection is costed as a `session(id)` query. */
const ANY_SESSION_ID = '00000000-0000-4000-8000-000000000000';

const refuse = (code: PublicErrorCode, message: string, extensions: Record<string, unknown> = {}): OperationRefused =>
  new OperationRefused([publicError(code, message, extensions)]);

function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  return fragments;
}

/** `query { session(id) { …what each event selects under sessionUpdates.session… } }`. */
function eventAsQuery(selections: SelectionNode[]): OperationDefinitionNode {
  return {
    kind: Kind.OPERATION_DEFINITION,
    operation: 'query' as OperationDefinitionNode['operation'],
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: [
        {
          kind: Kind.FIELD,
          name: { kind: Kind.NAME, value: 'session' },
          arguments: [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'id' }, value: { kind: Kind.STRING, value: ANY_SESSION_ID } }],
          selectionSet: { kind: Kind.SELECTION_SET, selections },
        },
      ],
    },
  };
}

/** Throws OperationRefused with the errors a query endpoint would answer for the same mistakes. */
export function checkOperation(schema: GraphQLSchema, params: OperationParams, limits: OperationLimits): CheckedOperation {
  if (typeof params.query !== 'string' || params.query === '') throw refuse(ErrorCode.BAD_REQUEST, 'The request has no GraphQL query.');
  const operationName = typeof params.operationName === 'string' ? params.operationName : undefined;
  let document: DocumentNode;
  try {
    document = parse(params.query, { maxTokens: limits.maxTokens });
  } catch (error) {
    throw refuse(ErrorCode.GRAPHQL_PARSE_FAILED, error instanceof GraphQLError ? error.message : 'Syntax error.');
  }
  const invalid = validate(schema, document);
  if (invalid.length > 0) {
    throw new OperationRefused(invalid.map((error) => publicError(ErrorCode.GRAPHQL_VALIDATION_FAILED, error.message)));
  }
  const operation = getOperationAST(document, operationName);
  if (!operation) throw refuse(ErrorCode.OPERATION_RESOLUTION_FAILURE, 'Name the operation to run (operationName).');
  if (operation.operation !== 'subscription') {
    throw refuse(
      ErrorCode.OPERATION_NOT_SUPPORTED,
      `Only subscriptions are served here; send ${operation.operation} operations to POST /graphql.`,
    );
  }
  const rawVariables =
    typeof params.variables === 'object' && params.variables !== null ? (params.variables as Record<string, unknown>) : {};
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables);
  if (coerced.errors) throw new OperationRefused(coerced.errors.map((error) => publicError(ErrorCode.BAD_USER_INPUT, error.message)));
  const variableValues = coerced.coerced;
  const fragments = fragmentsOf(document);
  const walkOptions = { variables: variableValues, fragments, upstreamPageSize: limits.gateway.upstreamPageSize };

  const shapeOf = (definition: OperationDefinitionNode): ReturnType<typeof operationShape> => {
    try {
      return operationShape(schema, definition, walkOptions);
    } catch (error) {
      if (error instanceof AnalysisTooLargeError) throw refuse(ErrorCode.QUERY_TOO_LARGE, error.message, { maxVisits: error.maxVisits });
      throw error;
    }
  };
  const shape = shapeOf(operation);
  if (shape.depth > limits.maxDepth) {
    throw refuse(ErrorCode.QUERY_TOO_DEEP, `This subscription is ${shape.depth} levels deep; the limit is ${limits.maxDepth}.`, {
      depth: shape.depth,
      maxDepth: limits.maxDepth,
    });
  }
  if (shape.aliases > limits.maxAliases) {
    throw refuse(ErrorCode.TOO_MANY_ALIASES, `This subscription uses ${shape.aliases} aliases; the limit is ${limits.maxAliases}.`, {
      aliases: shape.aliases,
      maxAliases: limits.maxAliases,
    });
  }
  const sessionSelections = shape.walk.root
    .flatMap((root) => root.children)
    .filter((field) => field.name === 'session')
    .flatMap((field) => field.nodes.flatMap((node) => node.selectionSet?.selections ?? []));
  const event = shapeOf(eventAsQuery(sessionSelections));
  if (limits.maxRows !== undefined && event.rows > limits.maxRows) {
    throw refuse(
      ErrorCode.QUERY_TOO_LARGE,
      `Each event of this subscription could hold ${event.rows} rows; the limit is ${limits.maxRows}. Ask for smaller pages or fewer aliases.`,
      { rows: event.rows, maxRows: limits.maxRows },
    );
  }
  const costPerEvent = Math.max(0, event.cost - 1);
  if (costPerEvent > limits.maxCost) {
    throw refuse(
      ErrorCode.QUERY_TOO_COSTLY,
      `Each event of this subscription could make ${costPerEvent} upstream calls; the budget is ${limits.maxCost}. Ask for smaller pages or fewer nested fields.`,
      { cost: costPerEvent, maxCost: limits.maxCost },
    );
  }
  try {
    preflight(event.walk, limits.gateway);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    throw refuse(ErrorCode.BAD_USER_INPUT, error.message, error.argument ? { argument: error.argument } : {});
  }
  return { schema, document, operationName, variableValues, costPerEvent };
}

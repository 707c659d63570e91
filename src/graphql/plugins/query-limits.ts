/**
 * Refuses operations before any resolver runs, from one walk of the document (analysis/): too large
 * to analyse, too deep, too many aliases, more rows than the memory budget, a worst-case upstream
 * cost over the budget, or an invalid argument anywhere in the operation. Reports whose cost depends
 * on how many sessions match are settled last, with one count probe each, and summed with the rest.
 * Each refusal is a 400 with a stable code and a message that gives the figure and the limit.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { getVariableValues, type OperationDefinitionNode, GraphQLError, Kind, type FragmentDefinitionNode } from 'graphql';
import { ErrorCode, type PublicErrorCode, statusOf } from '../../errors/catalogue';
import { InvalidInputError } from '../../sessions/errors';
import type { GatewayLimits } from '../../sessions/limits';
import { AnalysisTooLargeError, MAX_ANALYSIS_VISITS } from '../analysis/operation-walk';
import { preflight } from '../analysis/preflight';
import { operationShape, type CountProbe, type OperationShape } from '../analysis/query-cost';
import { STANDARD_INTROSPECTION_DEPTH } from '../analysis/response-shape';
import type { GatewayContext } from '../context';
import { publicError } from '../errors';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  /** List elements (sessions, items, log entries, …) one answer may hold at worst: the memory budget. */
  maxRows: number;
  upstreamPageSize: number;
  /** For the argument preflight (page limits). */
  gatewayLimits: GatewayLimits;
  /** Analysis steps allowed per operation; default MAX_ANALYSIS_VISITS. */
  maxVisits?: number;
}

/** A refusal before execution: the whole response is an error, so it carries the code's HTTP status. */
function refuse(code: PublicErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return publicError(code, message, { ...extra, http: { status: statusOf(code) } });
}

function checkShape(shape: OperationShape, limits: QueryLimits): void {
  if (shape.depth > limits.maxDepth) {
    throw refuse(ErrorCode.QUERY_TOO_DEEP, `This query is ${shape.depth} levels deep; the limit is ${limits.maxDepth}.`, {
      depth: shape.depth,
      maxDepth: limits.maxDepth,
    });
  }
  // Introspection nests type references by design: it may go as deep as the standard introspection query.
  const introspectionLimit = Math.max(limits.maxDepth, STANDARD_INTROSPECTION_DEPTH);
  if (shape.introspectionDepth > introspectionLimit) {
    throw refuse(
      ErrorCode.QUERY_TOO_DEEP,
      `This introspection query is ${shape.introspectionDepth} levels deep; the limit is ${introspectionLimit}.`,
      {
        depth: shape.introspectionDepth,
        maxDepth: introspectionLimit,
      },
    );
  }
  if (shape.aliases > limits.maxAliases) {
    throw refuse(ErrorCode.TOO_MANY_ALIASES, `This query uses ${shape.aliases} aliases; the limit is ${limits.maxAliases}.`, {
      aliases: shape.aliases,
      maxAliases: limits.maxAliases,
    });
  }
  if (shape.rows > limits.maxRows) {
    throw refuse(
      ErrorCode.QUERY_TOO_LARGE,
      `This query could return ${shape.rows} rows; the limit is ${limits.maxRows}. Ask for smaller pages, fewer aliases, or use an export.`,
      { rows: shape.rows, maxRows: limits.maxRows },
    );
  }
  checkCost(shape.cost, limits.maxCost);
}

function checkCost(cost: number, maxCost: number, why = ''): void {
  if (cost > maxCost) {
    throw refuse(
      ErrorCode.QUERY_TOO_COSTLY,
      `This query could make ${cost} upstream calls${why}; the budget is ${maxCost}. Ask for smaller pages or fewer nested fields.`,
      { cost, maxCost },
    );
  }
}

/**
 * The calls that depend on counts: one probe per report (DataLoader: the resolvers reuse the answer).
 * A probe that fails is left to the resolver, which meets the same failure and reports it in place.
 */
async function probedCost(probes: readonly CountProbe[], context: GatewayContext): Promise<number> {
  const counts = await Promise.all(
    probes.map((probe) =>
      context.loaders.sessionCount.load(probe.params).then(
        (count) => probe.callsFor(count),
        () => 0,
      ),
    ),
  );
  return counts.reduce((sum, calls) => sum + calls, 0);
}

/** Variable sets remembered per document: a dashboard polls with a handful; more are computed afresh. */
const SHAPES_PER_DOCUMENT = 16;

/**
 * The analysis of an operation depends only on the document (Apollo's document store hands back the
 * same parsed node for the same text) and the coerced variables: computed once per pair, not per request.
 */
const shapes = new WeakMap<OperationDefinitionNode, Map<string, OperationShape>>();

function memoisedShape(
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  compute: () => OperationShape,
): OperationShape {
  let byVariables = shapes.get(operation);
  if (!byVariables) {
    byVariables = new Map();
    shapes.set(operation, byVariables);
  }
  const key = JSON.stringify(variables);
  let shape = byVariables.get(key);
  if (!shape) {
    shape = compute();
    if (byVariables.size >= SHAPES_PER_DOCUMENT) byVariables.delete(byVariables.keys().next().value as string);
    byVariables.set(key, shape);
  }
  return shape;
}

export function useQueryLimits(limits: QueryLimits): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, schema, contextValue }) {
          if (!operation) return;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const definition of document.definitions) {
            if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
          }
          // Variables as execution will see them; if they do not coerce, execution answers 400 itself.
          const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
          if (coerced.errors) return;
          let shape: OperationShape;
          try {
            shape = memoisedShape(operation, coerced.coerced, () =>
              operationShape(schema, operation, {
                variables: coerced.coerced,
                fragments,
                upstreamPageSize: limits.upstreamPageSize,
                maxVisits: limits.maxVisits ?? MAX_ANALYSIS_VISITS,
              }),
            );
          } catch (error) {
            if (error instanceof InvalidInputError) {
              throw refuse(ErrorCode.BAD_USER_INPUT, error.message, error.argument ? { argument: error.argument } : {});
            }
            if (!(error instanceof AnalysisTooLargeError)) throw error;
            throw refuse(ErrorCode.QUERY_TOO_LARGE, error.message, { maxVisits: error.maxVisits });
          }
          checkShape(shape, limits);
          try {
            preflight(shape.walk, limits.gatewayLimits);
          } catch (error) {
            if (!(error instanceof InvalidInputError)) throw error;
            throw refuse(ErrorCode.BAD_USER_INPUT, error.message, error.argument ? { argument: error.argument } : {});
          }
          if (shape.probes.length > 0) {
            const counted = await probedCost(shape.probes, contextValue);
            checkCost(
              shape.cost + counted,
              limits.maxCost,
              ` (reports read every matching session: ${shape.probes.map((p) => p.field).join(', ')})`,
            );
          }
        },
      };
    },
  };
}

/**
 * Query execution. graphql-js interprets a document field by field (argument coercion, completion
 * and a promise check per field); graphql-jit compiles it once into a function that does only what
 * that document needs. On the dashboard (50 sessions × 20 items) that is ~6 ms of CPU against ~1 ms
 * (bench/results/latest.md). Compiling costs a few ms, so a document is compiled when it comes back:
 * a one-off (or hostile) document runs on graphql-js and never pays for a compile.
 *
 * Compiled queries are kept per parsed document (Apollo keeps one DocumentNode per query text in its
 * bounded document store), so the cache grows and shrinks with that store and needs no bound of its own.
 */
import {
  execute,
  getVariableValues,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

export interface ExecutionRequest {
  document: DocumentNode;
  /** The operation Apollo selected from the document (none when the name matches none: graphql-js says so). */
  operation: OperationDefinitionNode | undefined;
  operationName: string | null | undefined;
  variables: Record<string, unknown> | undefined;
  contextValue: unknown;
}

export interface ExecutorOptions {
  /** Runs of one (document, operation) on graphql-js before it is compiled. @default 1 */
  interpretedRuns?: number;
  /** Told of each compile, with how long it took (logs, tests). */
  onCompile?: (operationName: string, compiled: boolean, ms: number) => void;
}

/** A document's state: how often it ran interpreted, then its compiled form (or why it cannot be). */
type Plan = { runs: number } | { compiled: CompiledQuery } | { interpretOnly: true };

export type Executor = (request: ExecutionRequest) => Promise<ExecutionResult>;

export function createExecutor(schema: GraphQLSchema, options: ExecutorOptions = {}): Executor {
  const interpretedRuns = options.interpretedRuns ?? 1;
  const plans = new WeakMap<DocumentNode, Map<string, Plan>>();

  const planOf = (document: DocumentNode, operation: OperationDefinitionNode | undefined, operationName: string): Plan => {
    // Only queries are compiled: subscriptions run on their own path (src/live), the schema has no mutations.
    if (operation?.operation !== 'query') return { interpretOnly: true };
    let byOperation = plans.get(document);
    if (!byOperation) plans.set(document, (byOperation = new Map()));
    const plan = byOperation.get(operationName) ?? { runs: 0 };
    if ('runs' in plan && plan.runs >= interpretedRuns) {
      const started = performance.now();
      const compiled = compileQuery(schema, document, operationName || undefined, { disablingCapturingStackErrors: true });
      const next: Plan = isCompiledQuery(compiled) ? { compiled } : { interpretOnly: true };
      options.onCompile?.(operationName, 'compiled' in next, performance.now() - started);
      byOperation.set(operationName, next);
      return next;
    }
    byOperation.set(operationName, plan);
    return plan;
  };

  return async ({ document, operation, operationName, variables, contextValue }) => {
    const plan = planOf(document, operation, operationName ?? '');
    if ('compiled' in plan && operation) {
      // graphql-js's coercion first, for its messages (which say why a value is wrong, e.g. "Long must
      // be an integer") and its error nodes (which make Apollo answer 400 BAD_USER_INPUT).
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 50 });
      if (coerced.errors) return { errors: coerced.errors };
      return plan.compiled.query(undefined, contextValue, variables ?? {});
    }
    if ('runs' in plan) plan.runs += 1;
    return execute({ schema, document, operationName, variableValues: variables, contextValue });
  };
}

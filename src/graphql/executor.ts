/**
 * Query execution. graphql-js interprets a document field by field (argument coercion, an info
 * object, completion and a promise check per field); graphql-jit compiles it once into a function
 * that does only what that document needs: on the dashboard (50 sessions × 20 items) about 5 ms of
 * CPU against 1 (bench/results/latest.md).
 *
 * graphql-jit writes JavaScript source from the document, and two adversarial reviews of 0.8.9
 * found it unsafe on arbitrary documents: a string literal starting with its internal date marker is
 * spliced into the code unquoted (remote code execution); fragment chains compile in exponential
 * time; `$__proto__` and aliases with `_` are lost or collide; a `@skip`ped selection merged with
 * a kept one of the same name comes back (past the query limits, which skip it); defaults of
 * variables are ignored. So only documents of a plain shape are compiled (`compilable` below) and
 * everything else runs on graphql-js, as does any document on its first run: a one-off (or
 * hostile) document never pays for a compile. Frontends built with codegen send their values as
 * variables, which graphql-js coerces first and graphql-jit never turns into code.
 */
import {
  BREAK,
  execute,
  getVariableValues,
  GraphQLError,
  Kind,
  visit,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';

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
  /** Compiled operations kept (a plan of MAX_COMPILED_FIELDS fields is ~200 KB of source at most). @default 100 */
  maxCompiled?: number;
  /** Told of each compile, with how long it took (logs, tests). */
  onCompile?: (operationName: string, compiled: boolean, ms: number) => void;
}

/** A document's state: how often it ran interpreted, then its compiled form (or that it is never compiled). */
type Plan = { runs: number } | { compiled: CompiledQuery } | { interpretOnly: true };

export type Executor = (request: ExecutionRequest) => Promise<ExecutionResult>;

/** Fields a compiled document may have: compile time grows with them (a dashboard has ~20). */
export const MAX_COMPILED_FIELDS = 128;
/** Aliases and variable names that cannot collide with graphql-jit's own names (`__proto__`, `idx0`, `a_b`). */
const PLAIN_NAME = /^(?!idx\d)[A-Za-z][A-Za-z0-9]*$/;

/**
 * Whether graphql-jit may compile this document: a query of fields, aliases, arguments and variables
 * only. Refused, each for a finding of the reviews: string and float literals (spliced into code),
 * named and inline fragments and directives (exponential expansion, `@skip` leaks, shared nodes),
 * variable defaults (ignored), a nullable variable inside a list or object literal (omitted, it
 * becomes null instead of the field's default), names graphql-jit uses itself, introspection, and
 * more than MAX_COMPILED_FIELDS fields (compile time).
 */
export function compilable(document: DocumentNode): boolean {
  let fields = 0;
  let plain = true;
  const refuse = (): typeof BREAK => {
    plain = false;
    return BREAK;
  };
  const nullableVariables = new Set<string>();
  let literalDepth = 0;
  visit(document, {
    OperationDefinition: (node) => (node.operation === 'query' ? undefined : refuse()),
    VariableDefinition: (node) => {
      if (node.defaultValue !== undefined || !PLAIN_NAME.test(node.variable.name.value)) return refuse();
      if (node.type.kind !== Kind.NON_NULL_TYPE) nullableVariables.add(node.variable.name.value);
      return false; // its Variable node is a definition, not a use
    },
    FragmentDefinition: refuse,
    FragmentSpread: refuse,
    InlineFragment: refuse,
    Directive: refuse,
    StringValue: refuse,
    FloatValue: refuse,
    ListValue: { enter: () => void (literalDepth += 1), leave: () => void (literalDepth -= 1) },
    ObjectValue: { enter: () => void (literalDepth += 1), leave: () => void (literalDepth -= 1) },
    Variable: (node) => {
      if (!PLAIN_NAME.test(node.name.value)) return refuse();
      return literalDepth > 0 && nullableVariables.has(node.name.value) ? refuse() : undefined;
    },
    Field: (node) => {
      fields += 1;
      if (fields > MAX_COMPILED_FIELDS) return refuse();
      if (node.alias && !PLAIN_NAME.test(node.alias.value)) return refuse();
      if (node.name.value.startsWith('__') && node.name.value !== '__typename') return refuse();
      return undefined;
    },
  });
  return plain;
}

/**
 * graphql-jit's errors are its own objects, without `extensions` when it raised them itself (a null
 * in a non-null field): Apollo cannot format those. Each becomes a graphql-js error with the same
 * message, path, locations and original error (whose extensions carry the gateway's codes).
 */
function asGraphQLError(error: GraphQLError): GraphQLError {
  const original = error.originalError ?? undefined;
  const normalised = new GraphQLError(error.message, { path: error.path, originalError: original });
  if (error.locations) Object.defineProperty(normalised, 'locations', { value: error.locations, enumerable: true });
  return normalised;
}

export function createExecutor(schema: GraphQLSchema, options: ExecutorOptions = {}): Executor {
  const interpretedRuns = options.interpretedRuns ?? 1;
  // Run counts live as long as Apollo's document store keeps the document; compiled plans, which are
  // larger, are also bounded here (an evicted one is compiled again if its document comes back).
  const states = new WeakMap<DocumentNode, Map<string, Plan>>();
  // An evicted plan is forgotten by its document too: it starts over (interpreted, then compiled).
  const compiledPlans = new LRUCache<CompiledQuery, () => void>({ max: options.maxCompiled ?? 100, dispose: (forget) => forget() });

  const planOf = (document: DocumentNode, operation: OperationDefinitionNode | undefined, operationName: string): Plan => {
    if (operation?.operation !== 'query') return { interpretOnly: true };
    let byOperation = states.get(document);
    if (!byOperation) states.set(document, (byOperation = new Map()));
    const known = byOperation;
    const plan = known.get(operationName) ?? { runs: 0 };
    if ('compiled' in plan) compiledPlans.get(plan.compiled); // most recently used
    if ('runs' in plan && plan.runs >= interpretedRuns) {
      const next = compile(document, operationName);
      known.set(operationName, next);
      if ('compiled' in next) compiledPlans.set(next.compiled, () => known.set(operationName, { runs: 0 }));
      return next;
    }
    known.set(operationName, plan);
    return plan;
  };

  const compile = (document: DocumentNode, operationName: string): Plan => {
    if (!compilable(document)) return { interpretOnly: true };
    const started = performance.now();
    const compiled = compileQuery(schema, document, operationName || undefined, { disablingCapturingStackErrors: true });
    const plan: Plan = isCompiledQuery(compiled) ? { compiled } : { interpretOnly: true };
    options.onCompile?.(operationName, 'compiled' in plan, performance.now() - started);
    return plan;
  };

  return async ({ document, operation, operationName, variables, contextValue }) => {
    const plan = planOf(document, operation, operationName ?? '');
    if ('compiled' in plan && operation) {
      // graphql-js's coercion first, for its messages (which say why a value is wrong, e.g. "Long must
      // be an integer") and its error nodes (which make Apollo answer 400 BAD_USER_INPUT).
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 50 });
      if (coerced.errors) return { errors: coerced.errors };
      const result = await plan.compiled.query(undefined, contextValue, variables ?? {});
      return result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
    }
    if ('runs' in plan) plan.runs += 1;
    return execute({ schema, document, operationName, variableValues: variables, contextValue });
  };
}

/**
 * How much one operation may ask of the appliance and of the gateway's memory, known before anything
 * runs, from ONE walk of the document (operation-walk.ts) and the variables (a page size passed as a
 * variable counts: ChilliCream/graphql-platform#7697): depth, aliases, rows (response-shape.ts) and
 * cost = the worst-case number of upstream calls.
 *
 * The model follows the resolvers: `sessions(page)` costs ceil(limit / upstream page size) list calls
 * and yields up to `limit` sessions; `session(id)` one call and one session; per session, each
 * distinct `protectedItems(args)` costs ceil(limit / page size) calls, plus one when that is more
 * than one (a page spanning several slices is read again in a total order: sessions/pages.ts), and
 * `log` one call (DataLoader shares identical ones). Whether a session is a backup session is unknown in advance: worst case.
 * Reports are costed in report-cost.ts; what depends on a count is left as probes for the caller.
 */
import type { GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { DEFAULT_PAGE_LIMIT } from '../../sessions/limits';
import { walkOperation, type MergedField, type OperationWalk, type WalkOptions } from './operation-walk';
import { sessionStatsCost, topFailingItemsCost, type CountProbe } from './report-cost';
import { responseShape, type ResponseShape } from './response-shape';

export type { CountProbe };

export interface CostOptions extends WalkOptions {
  upstreamPageSize: number;
}

export interface OperationShape extends ResponseShape {
  /** Worst-case upstream calls known from the document (each count probe counted as one call). */
  cost: number;
  /** Report fields whose calls depend on a session count: settle them before execution. */
  probes: CountProbe[];
  /** Analysis steps taken: linear in the document. */
  visits: number;
  /** The walk itself, for the argument preflight. */
  walk: OperationWalk;
}

function pageLimit(args: Record<string, unknown> | undefined): number {
  const page = args?.['page'] as { limit?: unknown } | null | undefined;
  const limit = typeof page?.limit === 'number' ? page.limit : DEFAULT_PAGE_LIMIT;
  return Math.max(0, limit);
}

const callsFor = (limit: number, pageSize: number): number => Math.ceil(Math.max(limit, 1) / pageSize);

/** An items page of several slices is read once as asked, then all again in a total order. */
const itemCallsFor = (limit: number, pageSize: number): number => {
  const slices = callsFor(limit, pageSize);
  return slices > 1 ? slices + 1 : slices;
};

/** Calls made per session for the fields selected on it (distinct arguments only). */
function perSessionCost(fields: readonly MergedField[], pageSize: number): number {
  const distinct = new Map<string, number>();
  for (const field of fields) {
    if (!field.definition) continue;
    if (field.name === 'log') distinct.set('log', 1);
    if (field.name === 'protectedItems')
      distinct.set(`items:${JSON.stringify(field.args ?? {})}`, itemCallsFor(pageLimit(field.args), pageSize));
  }
  return [...distinct.values()].reduce((sum, calls) => sum + calls, 0);
}

const itemsOf = (field: MergedField): MergedField[] =>
  field.children.filter((child) => child.name === 'items').flatMap((items) => [...items.children]);

export function operationShape(schema: GraphQLSchema, operation: OperationDefinitionNode, options: CostOptions): OperationShape {
  const walk = walkOperation(schema, operation, options);
  const shape = responseShape(schema, walk);
  const pageSize = options.upstreamPageSize;
  let cost = 0;
  const probes: CountProbe[] = [];
  if (operation.operation === 'query') {
    for (const field of walk.root) {
      if (!field.definition || field.parentType !== schema.getQueryType()) continue;
      if (field.name === 'sessions') {
        const limit = pageLimit(field.args);
        cost += callsFor(limit, pageSize) + limit * perSessionCost(itemsOf(field), pageSize);
      } else if (field.name === 'session') {
        cost += 1 + perSessionCost(field.children, pageSize);
      } else if (field.name === 'sessionStats' || field.name === 'topFailingItems') {
        const report = field.name === 'sessionStats' ? sessionStatsCost(field, pageSize) : topFailingItemsCost(field, pageSize);
        cost += report.calls;
        probes.push(...report.probes);
      }
    }
  }
  return { ...shape, cost, probes, visits: walk.visits, walk };
}

/**
 * Argument validation for the whole operation before anything executes. Root fields run in parallel
 * and nested fields after their parents' upstream calls, so validating in resolvers alone would let
 * a valid `sessions` call go out before an invalid `session(id)` or `protectedItems(search)` fails.
 * The validators are the resolvers' own (sessions/normalise.ts): one definition of what is valid.
 * Reads the operation walk (operation-walk.ts) that the limits and the cost model read too.
 */
import type { GatewayLimits } from '../../sessions/limits';
import { normalisePage, protectedItemsArgs, requireUuid, sessionFilter, sessionSort } from '../../sessions/normalise';
import type { PageInput, ProtectedItemSort, SessionFilter, SessionSort } from '../generated/resolvers-types';
import type { MergedField, OperationWalk } from './operation-walk';

function checkSessionFields(fields: readonly MergedField[], limits: GatewayLimits): void {
  for (const field of fields) {
    if (field.name !== 'protectedItems' || !field.args) continue;
    protectedItemsArgs(field.args as { search?: string | null; sort?: ProtectedItemSort[] | null; page?: PageInput | null }, limits);
  }
}

/** Throws the first InvalidInputError (BAD_USER_INPUT) the resolvers would throw, before any of them runs. */
export function preflight(walk: OperationWalk, limits: GatewayLimits): void {
  for (const field of walk.root) {
    const args = field.args;
    if (!field.definition || !args) continue; // coercion fails at execution, before any resolver
    if (field.name === 'sessions') {
      normalisePage(args['page'] as PageInput | null | undefined, limits, 'page');
      sessionFilter(args['filter'] as SessionFilter | null | undefined);
      sessionSort(args['sort'] as SessionSort[] | null | undefined);
      for (const items of field.children) if (items.name === 'items') checkSessionFields(items.children, limits);
    } else if (field.name === 'sessionStats' || field.name === 'topFailingItems') {
      sessionFilter(args['filter'] as SessionFilter | null | undefined);
    } else if (field.name === 'session') {
      requireUuid(String(args['id']), 'id');
      checkSessionFields(field.children, limits);
    }
  }
}

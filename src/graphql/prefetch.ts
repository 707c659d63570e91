/**
 * One round trip where the keys are known. A query such as `session(id: X) { log { … }
 * protectedItems { … } }` names every upstream key in its arguments, so the session, its log and its
 * items can be asked for at once instead of the session first and its children one round trip later.
 *
 * Before the parent resolves, the session resolver calls `prefetchSessionChildren`: it looks ahead in
 * the selection set (fragments, @skip/@include, aliases, arguments coerced as execution will coerce
 * them) and `load`s the per-request loaders with exactly the keys the nested resolvers will ask for,
 * so DataLoader hands them the same promise. When the session turns out not to exist, no nested
 * resolver runs and the extra answers (or their failures) are dropped here.
 */
import {
  getArgumentValues,
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isObjectType,
  Kind,
  type DirectiveNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type InlineFragmentNode,
  type SelectionSetNode,
} from 'graphql';
import { protectedItemsArgs, type ProtectedItemsArgs } from '../sessions/normalise';
import { isFinished, protectsNothing } from '../sessions/rules';
import type { GatewayContext } from './context';
import type { ProtectedItemsKey } from './loaders';
import type { SessionModel } from './models';
import { MAX_RUNNING_PER_LIST } from './list-memory';
import type { CallStats } from '../upstream/veeam-client';

type LookAheadInfo = Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments' | 'variableValues' | 'schema'>;

/** The sub-fields of the field being resolved, as execution will collect them for its object type. */
export function collectSubFields(info: LookAheadInfo, type: GraphQLObjectType): FieldNode[] {
  const fields: FieldNode[] = [];
  const visited = new Set<string>();
  const included = (node: { readonly directives?: readonly DirectiveNode[] }): boolean => {
    // Same rule as execution's shouldIncludeNode; a missing variable makes getDirectiveValues throw,
    // and then the field is not looked ahead (execution reports the error).
    const skip = getDirectiveValues(GraphQLSkipDirective, node, info.variableValues);
    if (skip?.['if'] === true) return false;
    const include = getDirectiveValues(GraphQLIncludeDirective, node, info.variableValues);
    return include?.['if'] !== false;
  };
  const applies = (fragment: InlineFragmentNode | FragmentDefinitionNode): boolean => {
    const condition = fragment.typeCondition?.name.value;
    if (condition === undefined || condition === type.name) return true;
    const conditionType = info.schema.getType(condition);
    return conditionType !== undefined && isAbstractType(conditionType) && info.schema.isSubType(conditionType, type);
  };
  const visit = (set: SelectionSetNode | undefined): void => {
    for (const selection of set?.selections ?? []) {
      if (!included(selection)) continue;
      if (selection.kind === Kind.FIELD) fields.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (applies(selection)) visit(selection.selectionSet);
      } else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        const fragment = info.fragments[selection.name.value];
        if (fragment && applies(fragment)) visit(fragment.selectionSet);
      }
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet);
  return fields;
}

/** Runs `start` for a field's arguments as execution will coerce them; invalid ones are left to execution. */
function withArguments(
  field: GraphQLField<unknown, unknown> | undefined,
  node: FieldNode,
  info: LookAheadInfo,
  start: (args: Record<string, unknown>) => void,
): void {
  if (!field) return;
  let args: Record<string, unknown>;
  try {
    args = getArgumentValues(field, node, info.variableValues);
  } catch {
    return;
  }
  start(args);
}

const drop = (): undefined => undefined;

/**
 * The normalised arguments of every `protectedItems` among a Session's collected sub-fields: the
 * object execution will pass the nested resolver. Invalid ones are left to the resolver to report.
 */
function selectedItemsArgs(
  sessionFields: readonly FieldNode[],
  info: LookAheadInfo,
  sessionType: GraphQLObjectType,
  context: GatewayContext,
): ProtectedItemsArgs[] {
  const field = sessionType.getFields()['protectedItems'];
  const found: ProtectedItemsArgs[] = [];
  for (const node of sessionFields) {
    if (node.name.value !== 'protectedItems') continue;
    withArguments(field, node, info, (args) => {
      try {
        found.push(protectedItemsArgs(args as Parameters<typeof protectedItemsArgs>[0], context.limits));
      } catch {
        // the nested resolver reports it
      }
    });
  }
  return found;
}

/**
 * Starts the log and protected-items calls of the session `id` (already validated and normalised as
 * the session loader's key) when the selection asks for them. Never throws; returns how many loads it
 * started (for tests).
 */
export function prefetchSessionChildren(id: string, info: LookAheadInfo, context: GatewayContext): number {
  const sessionType = info.schema.getType('Session');
  if (!isObjectType(sessionType)) return 0;
  let started = 0;
  try {
    const sessionFields = collectSubFields(info, sessionType);
    if (sessionFields.some((node) => node.name.value === 'log')) {
      context.loaders.sessionLog.load(id).catch(drop);
      started += 1;
    }
    // Whether the session has finished decides how long its items may be kept, and it is not known
    // yet: with the finished-item cache on, the items wait for the session (see the README).
    if (context.cacheHints.finishedItemsSeconds > 0) return started;
    for (const args of selectedItemsArgs(sessionFields, info, sessionType, context)) {
      context.loaders.protectedItems.load({ sessionId: id, sessionFinished: false, ...args }).catch(drop);
      started += 1;
    }
  } catch {
    // Looking ahead is an optimisation: whatever it cannot read, execution will.
  }
  return started;
}

/** The normalised arguments of every `items { protectedItems(…) }` selected on a sessions list field. */
function listedItemsArgs(info: LookAheadInfo, context: GatewayContext): ProtectedItemsArgs[] {
  const pageType = info.schema.getType('SessionPage');
  const sessionType = info.schema.getType('Session');
  if (!isObjectType(pageType) || !isObjectType(sessionType)) return [];
  const itemsNodes = collectSubFields(info, pageType).filter((node) => node.name.value === 'items');
  if (itemsNodes.length === 0) return [];
  const itemsInfo = { ...info, fieldNodes: itemsNodes };
  return selectedItemsArgs(collectSubFields(itemsInfo, sessionType), itemsInfo, sessionType, context);
}

/**
 * Starts, with a sessions list, the items of the sessions its last answer showed running
 * (list-memory.ts), with the arguments every `items { protectedItems(…) }` of the selection
 * gives. Returns the keys it loaded, at most MAX_RUNNING_PER_LIST; never throws.
 */
export function prefetchRunningItems(running: readonly string[], info: LookAheadInfo, context: GatewayContext): ProtectedItemsKey[] {
  const started: ProtectedItemsKey[] = [];
  if (running.length === 0) return started;
  try {
    for (const args of listedItemsArgs(info, context)) {
      for (const sessionId of running) {
        if (started.length === MAX_RUNNING_PER_LIST) return started;
        const key: ProtectedItemsKey = { sessionId, sessionFinished: false, ...args };
        context.loaders.protectedItems.load(key).catch(drop);
        started.push(key);
      }
    }
  } catch {
    // Looking ahead is an optimisation: whatever it cannot read, execution will.
  }
  return started;
}

/**
 * Resolves once the calls started since `callsBefore` are on the wire, when any was started. undici
 * writes a request on a reused keep-alive socket only in the event loop's check phase (its idle-socket
 * check, GHSA-35p6-xmwp-9g52, is a setImmediate), after whatever else this turn runs: walking a
 * 50-session page (0.15–0.3 ms) would delay every item call by that much. Resuming after those writes
 * lets the calls leave first, and the walk overlaps with the appliance's work.
 */
export function untilCallsWritten(stats: CallStats, callsBefore: number): Promise<void> {
  return new Promise((resolve) => {
    // The loaders dispatch at the next microtask (loaders.ts); this one runs after theirs.
    queueMicrotask(() => {
      if (stats.upstreamCalls > callsBefore) setImmediate(resolve);
      else resolve();
    });
  });
}

/**
 * Starts, as soon as a sessions list has arrived, the items of every session in it that the
 * selection asks items of, with the keys `Session.protectedItems` will load: the calls leave before
 * execution has walked the page (50 sessions' fields) instead of after it. Sessions known to protect
 * nothing are skipped, as the resolver skips them. Returns the keys it loaded; never throws.
 */
export function prefetchListedItems(sessions: readonly SessionModel[], info: LookAheadInfo, context: GatewayContext): ProtectedItemsKey[] {
  const started: ProtectedItemsKey[] = [];
  if (sessions.length === 0) return started;
  try {
    for (const args of listedItemsArgs(info, context)) {
      for (const { id, dto } of sessions) {
        if (protectsNothing(dto)) continue;
        const key: ProtectedItemsKey = { sessionId: id, sessionFinished: isFinished(dto), ...args };
        context.loaders.protectedItems.load(key).catch(drop);
        started.push(key);
      }
    }
  } catch {
    // Looking ahead is an optimisation: whatever it cannot read, execution will.
  }
  return started;
}

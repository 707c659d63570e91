/**
 * Report figures: counts from the appliance's totalCount (a handful of one-row calls), durations
 * folded over streamed pages, and the instances that failed most over a range.
 */
import { FailureTally } from '../../sessions/failing-items';
import { DurationFolder } from '../../sessions/durations';
import { SESSION_STATUS, SESSION_TYPE } from '../../sessions/enums';
import { forEachSessionItems } from '../../sessions/items';
import { sessionFilter, type SessionFilterParams } from '../../sessions/normalise';
import { BACKUP_TYPES, FINISHED_STATUSES, STREAM_ORDER, NOT_SUCCEEDED, RESULT_NAMES, RESULT_OF_STATUS } from '../../sessions/rules';
import { sessionPages } from '../../sessions/session-stream';
import type { GatewayContext } from '../context';
import { badUserInput, publicError, upstreamCall, validated } from '../errors';
import type { QueryResolvers, SessionStatsResolvers, SessionStatus, SessionType } from '../generated/resolvers-types';
import type { SessionStatsModel } from '../models';

/** Pages (and item calls) in flight while a report streams: enough to hide latency, small for the appliance. */
const REPORT_CONCURRENCY = 4;

type Named<E extends string> = Record<Exclude<E, 'UNKNOWN'>, string>;
type CountKey = SessionFilterParams;

/** One count per enum value the filter allows; values it excludes are 0 without a call. */
async function countsBy<E extends string>(
  table: Named<E>,
  allowed: readonly string[] | undefined,
  key: (upstream: string) => CountKey,
  context: GatewayContext,
): Promise<Array<{ name: E; count: number }>> {
  const entries = Object.entries(table) as Array<[E, string]>;
  return upstreamCall(
    Promise.all(
      entries.map(async ([name, upstream]) => ({
        name,
        count: allowed && !allowed.includes(upstream) ? 0 : await context.loaders.sessionCount.load(key(upstream)),
      })),
    ),
  );
}

const statusCounts = (model: SessionStatsModel, context: GatewayContext) =>
  countsBy<SessionStatus>(SESSION_STATUS, model.params.status, (status) => ({ ...model.params, status: [status] }), context);

const intersect = (given: readonly string[] | undefined, wanted: readonly string[]): string[] =>
  given ? wanted.filter((value) => given.includes(value)) : [...wanted];

export const StatsQuery: Pick<QueryResolvers, 'sessionStats' | 'topFailingItems'> = {
  sessionStats: (_parent, args) => ({ params: validated(() => sessionFilter(args.filter)) }),

  async topFailingItems(_parent, args, context) {
    const first = args.first ?? 10;
    if (first < 1 || first > 100) throw badUserInput(`first must be from 1 to 100, got ${first}`, 'first');
    const base = validated(() => sessionFilter(args.filter));
    const params: CountKey = { ...base, types: intersect(base.types, BACKUP_TYPES), status: intersect(base.status, NOT_SUCCEEDED) };
    if (params.types?.length === 0 || params.status?.length === 0) return [];
    const sessions = await upstreamCall(context.loaders.sessionCount.load(params));
    const pageSize = context.limits.upstreamPageSize;
    const cost = Math.ceil(Math.max(sessions, 1) / pageSize) + sessions;
    if (cost > context.limits.maxQueryCost) {
      throw publicError(
        'QUERY_TOO_COSTLY',
        `topFailingItems over this range would make ${cost} upstream calls (${sessions} sessions to read); the budget is ${context.limits.maxQueryCost}. Narrow the range.`,
        { cost, maxCost: context.limits.maxQueryCost },
      );
    }
    const tally = new FailureTally();
    const fanOut = { client: context.client, pageSize, concurrency: REPORT_CONCURRENCY, call: context.call };
    await upstreamCall(
      (async () => {
        for await (const page of sessionPages(context.client, { ...params, sort: STREAM_ORDER }, { pageSize, concurrency: REPORT_CONCURRENCY, call: context.call })) {
          await forEachSessionItems(page, fanOut, (session, items) => tally.add(session, items));
        }
      })(),
    );
    return tally.top(first);
  },
};

export const SessionStats: SessionStatsResolvers = {
  total: (model, _args, context) => upstreamCall(context.loaders.sessionCount.load(model.params)),

  byStatus: async (model, _args, context) =>
    (await statusCounts(model, context)).map(({ name, count }) => ({ status: name, count })),

  byType: async (model, _args, context) =>
    (
      await countsBy<SessionType>(SESSION_TYPE, model.params.types, (type) => ({ ...model.params, types: [type] }), context)
    ).map(({ name, count }) => ({ type: name, count })),

  byResult: async (model, _args, context) => {
    const counts = await statusCounts(model, context);
    return RESULT_NAMES.map((result) => ({
      result,
      count: counts.filter(({ name }) => RESULT_OF_STATUS[name] === result).reduce((sum, { count }) => sum + count, 0),
    }));
  },

  successRate: async (model, _args, context) => {
    const counts = new Map((await statusCounts(model, context)).map(({ name, count }) => [name, count]));
    const finished = FINISHED_STATUSES.reduce((sum, status) => sum + (counts.get(status) ?? 0), 0);
    return finished === 0 ? null : (counts.get('SUCCEEDED') ?? 0) / finished;
  },

  durations: async (model, _args, context) => {
    const folder = new DurationFolder();
    let pages = 0;
    await upstreamCall(
      (async () => {
        for await (const page of sessionPages(context.client, { ...model.params, sort: STREAM_ORDER }, {
          pageSize: context.limits.upstreamPageSize,
          concurrency: REPORT_CONCURRENCY,
          call: context.call,
        })) {
          pages += 1;
          for (const session of page) if (session.executionDuration !== undefined) folder.add(session.executionDuration);
        }
      })(),
    );
    return folder.summary(pages);
  },
};

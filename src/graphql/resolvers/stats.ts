/**
 * Report figures: counts from the appliance's totalCount (a handful of one-row calls), durations
 * folded over streamed pages, and the instances that failed most over a range.
 */
import { ErrorCode } from '../../errors/catalogue';
import { FailureTally } from '../../sessions/failing-items';
import { DurationFolder } from '../../sessions/durations';
import { SESSION_STATUS, SESSION_TYPE } from '../../sessions/enums';
import { forEachSessionItems } from '../../sessions/items';
import { sessionFilter, type SessionFilterParams } from '../../sessions/normalise';
import { FINISHED_STATUSES, STREAM_ORDER, RESULT_NAMES, RESULT_OF_STATUS } from '../../sessions/rules';
import { sessionPages } from '../../sessions/session-stream';
import { bucketRange, bucketsOf, probesPerBucket } from '../../sessions/stats-buckets';
import { failingItemsParams } from '../analysis/report-cost';
import type { GatewayContext } from '../context';
import { badUserInput, publicError, upstreamCall, validated } from '../errors';
import type { QueryResolvers, SessionStatsResolvers, SessionStatus, SessionType, StatsBucketResolvers } from '../generated/resolvers-types';
import { failingItemId } from '../identity';
import type { SessionStatsModel } from '../models';
import { selectedFieldNames } from './selection';

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

export const StatsQuery: Pick<QueryResolvers, 'sessionStats' | 'topFailingItems'> = {
  sessionStats: (_parent, args) => ({ params: validated(() => sessionFilter(args.filter)) }),

  async topFailingItems(_parent, args, context) {
    const first = args.first ?? 10;
    if (first < 1 || first > 100) throw badUserInput(`first must be from 1 to 100, got ${first}`, 'first');
    const base = validated(() => sessionFilter(args.filter));
    // The same sessions the up-front cost probe counted (analysis/report-cost.ts): its count is reused.
    const params = failingItemsParams(base);
    if (!params) return [];
    const sessions = await upstreamCall(context.loaders.sessionCount.load(params));
    const pageSize = context.limits.upstreamPageSize;
    const cost = Math.ceil(Math.max(sessions, 1) / pageSize) + sessions;
    if (cost > context.limits.maxQueryCost) {
      throw publicError(
        ErrorCode.QUERY_TOO_COSTLY,
        `topFailingItems over this range would make ${cost} upstream calls (${sessions} sessions to read); the budget is ${context.limits.maxQueryCost}. Narrow the range.`,
        { cost, maxCost: context.limits.maxQueryCost },
      );
    }
    const tally = new FailureTally();
    const fanOut = { client: context.client, pageSize, concurrency: REPORT_CONCURRENCY, call: context.call };
    await upstreamCall(
      (async () => {
        for await (const page of sessionPages(
          context.client,
          { ...params, sort: STREAM_ORDER },
          { pageSize, concurrency: REPORT_CONCURRENCY, call: context.call },
        )) {
          await forEachSessionItems(page, fanOut, (session, items) => tally.add(session, items));
        }
      })(),
    );
    // The figures belong to the range: the id says which (see FailingItem in the schema).
    return tally.top(first).map((figures) => ({ ...figures, id: failingItemId(params, figures.id), instanceId: figures.id }));
  },
};

export const SessionStats: SessionStatsResolvers = {
  total: (model, _args, context) => upstreamCall(context.loaders.sessionCount.load(model.params)),

  byStatus: async (model, _args, context) => (await statusCounts(model, context)).map(({ name, count }) => ({ status: name, count })),

  byType: async (model, _args, context) =>
    (await countsBy<SessionType>(SESSION_TYPE, model.params.types, (type) => ({ ...model.params, types: [type] }), context)).map(
      ({ name, count }) => ({ type: name, count }),
    ),

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
    // Second line behind the up-front probe (query-limits.ts), which shares this count's DataLoader key.
    const matching = await upstreamCall(context.loaders.sessionCount.load(model.params));
    const calls = Math.ceil(Math.max(matching, 1) / context.limits.upstreamPageSize);
    if (calls > context.limits.maxQueryCost) {
      throw publicError(
        ErrorCode.QUERY_TOO_COSTLY,
        `durations over this range would make ${calls} upstream calls (${matching} sessions to read); the budget is ${context.limits.maxQueryCost}. Narrow the range.`,
        { cost: calls, maxCost: context.limits.maxQueryCost },
      );
    }
    const folder = new DurationFolder();
    let pages = 0;
    await upstreamCall(
      (async () => {
        for await (const page of sessionPages(
          context.client,
          { ...model.params, sort: STREAM_ORDER },
          {
            pageSize: context.limits.upstreamPageSize,
            concurrency: REPORT_CONCURRENCY,
            call: context.call,
          },
        )) {
          pages += 1;
          for (const session of page) if (session.executionDuration !== undefined) folder.add(session.executionDuration);
        }
      })(),
    );
    return folder.summary(pages);
  },

  buckets(model, args, context, info) {
    const buckets = validated(() => {
      const { fromMs, toMs } = bucketRange(model.params, args.from, args.to);
      return bucketsOf(args.bucket, fromMs, toMs);
    });
    const selected = selectedFieldNames(info);
    const cost = buckets.length * probesPerBucket({ total: selected.has('total'), byStatus: selected.has('byStatus') }, model.params);
    // Also in the up-front analysis (query-cost.ts); checked here too, before the first probe.
    if (cost > context.limits.maxQueryCost) {
      throw publicError(
        ErrorCode.QUERY_TOO_COSTLY,
        `buckets would make ${cost} upstream calls (${buckets.length} buckets); the budget is ${context.limits.maxQueryCost}. Use a wider bucket, a shorter range or fewer figures.`,
        { cost, maxCost: context.limits.maxQueryCost },
      );
    }
    return buckets.map(({ start, end, fromUtc, toUtc }) => ({ start, end, params: { ...model.params, fromUtc, toUtc } }));
  },
};

export const StatsBucket: StatsBucketResolvers = {
  total: (bucket, _args, context) => upstreamCall(context.loaders.sessionCount.load(bucket.params)),
  byStatus: async (bucket, _args, context) => (await statusCounts(bucket, context)).map(({ name, count }) => ({ status: name, count })),
};

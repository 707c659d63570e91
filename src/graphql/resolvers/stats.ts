/**
 * Report figures: counts from the appliance's totalCount (a handful of one-row calls), durations
 * folded over streamed pages, and the instances that failed most over a range.
 */
import { GraphQLError } from 'graphql';
import { DurationFolder } from '../../sessions/durations';
import { allItems } from '../../sessions/items';
import { sessionPages } from '../../sessions/session-stream';
import type { SessionDto } from '../../upstream/dto';
import type { GatewayContext } from '../context';
import { SESSION_RESULT, SESSION_STATUS, SESSION_TYPE } from '../../sessions/enums';
import { badUserInput, upstreamCall } from '../errors';
import type {
  FailingItem,
  QueryResolvers,
  SessionResult,
  SessionStatsResolvers,
  SessionStatus,
  SessionType,
} from '../generated/resolvers-types';
import { sessionFilter } from '../../sessions/normalise';
import type { CountKey } from '../loaders';
import type { SessionStatsModel } from '../models';

/** Pages (and item calls) in flight while a report streams: enough to hide latency, small for the appliance. */
const REPORT_CONCURRENCY = 4;
const BACKUP_TYPES = ['Policy', 'UserPolicy'];
/** A session that succeeded has no failing instance: only these are read for topFailingItems. */
const NOT_SUCCEEDED = ['Failed', 'Warning', 'Canceled'];

type Named<E extends string> = Record<Exclude<E, 'UNKNOWN'>, string>;

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
  sessionStats: (_parent, args) => ({ params: sessionFilter(args.filter) }),

  async topFailingItems(_parent, args, context) {
    const first = args.first ?? 10;
    if (first < 1 || first > 100) throw badUserInput(`first must be from 1 to 100, got ${first}`, 'first');
    const base = sessionFilter(args.filter);
    const params: CountKey = { ...base, types: intersect(base.types, BACKUP_TYPES), status: intersect(base.status, NOT_SUCCEEDED) };
    if (params.types?.length === 0 || params.status?.length === 0) return [];
    const sessions = await upstreamCall(context.loaders.sessionCount.load(params));
    const pageSize = context.limits.upstreamPageSize;
    const cost = Math.ceil(Math.max(sessions, 1) / pageSize) + sessions;
    if (cost > context.limits.maxQueryCost) {
      throw new GraphQLError(
        `topFailingItems over this range would make ${cost} upstream calls (${sessions} sessions to read); the budget is ${context.limits.maxQueryCost}. Narrow the range.`,
        { extensions: { code: 'QUERY_TOO_COSTLY', cost, maxCost: context.limits.maxQueryCost } },
      );
    }
    const byItem = new Map<string, FailingItem & { lastFailureMs: number }>();
    const tally = (session: SessionDto, items: Awaited<ReturnType<typeof allItems>>): void => {
      const startMs = session.executionStartTime ? Date.parse(`${session.executionStartTime.replace(/Z$/i, '')}Z`) : 0;
      for (const item of items) {
        if (item.status !== 'Failed' && item.status !== 'Warning') continue;
        const entry = byItem.get(item.id) ?? { id: item.id, name: item.name, region: item.region ?? null, failures: 0, warnings: 0, lastFailureTime: null, lastFailureMs: -1 };
        if (item.status === 'Warning') entry.warnings += 1;
        else {
          entry.failures += 1;
          if (startMs > entry.lastFailureMs) {
            entry.lastFailureMs = startMs;
            entry.lastFailureTime = session.executionStartTime ?? null;
          }
        }
        byItem.set(item.id, entry);
      }
    };
    await upstreamCall(
      (async () => {
        for await (const page of sessionPages(context.client, { ...params, sort: ['usnAsc'] }, { pageSize, concurrency: REPORT_CONCURRENCY, call: context.call })) {
          for (let i = 0; i < page.length; i += REPORT_CONCURRENCY) {
            const batch = page.slice(i, i + REPORT_CONCURRENCY);
            const items = await Promise.all(batch.map((s) => allItems(context.client, s, pageSize, context.call)));
            batch.forEach((session, j) => tally(session, items[j] ?? []));
          }
        }
      })(),
    );
    return [...byItem.values()]
      .sort((a, b) => b.failures - a.failures || b.warnings - a.warnings || a.name.localeCompare(b.name))
      .slice(0, first)
      .map(({ lastFailureMs: _ms, ...item }) => item);
  },
};

const RESULT_OF_STATUS: Partial<Record<SessionStatus, SessionResult>> = {
  SUCCEEDED: 'SUCCESS',
  WARNING: 'WARNING',
  FAILED: 'FAILED',
  CANCELED: 'CANCELLED',
  RUNNING: 'RUNNING',
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
    return (Object.keys(SESSION_RESULT) as SessionResult[]).map((result) => ({
      result,
      count: counts.filter(({ name }) => RESULT_OF_STATUS[name] === result).reduce((sum, { count }) => sum + count, 0),
    }));
  },

  successRate: async (model, _args, context) => {
    const counts = new Map((await statusCounts(model, context)).map(({ name, count }) => [name, count]));
    const finished = ['SUCCEEDED', 'WARNING', 'FAILED', 'CANCELED'].reduce((sum, s) => sum + (counts.get(s as SessionStatus) ?? 0), 0);
    return finished === 0 ? null : (counts.get('SUCCEEDED') ?? 0) / finished;
  },

  durations: async (model, _args, context) => {
    const folder = new DurationFolder();
    let pages = 0;
    await upstreamCall(
      (async () => {
        for await (const page of sessionPages(context.client, { ...model.params, sort: ['usnAsc'] }, {
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

/**
 * Report statistics against brute force over the simulator's data, with the upstream calls each
 * figure cost.
 */
import { startStack, type Stack } from '../helpers/stack';
import type { SessionDto } from '../../src/upstream/dto';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ simulator: { sessionCount: 2_000 }, env: { MAX_QUERY_COST: '5000' } });
  await stack.gql('{ sessions(page: {limit: 1}) { totalCount } }');
});

afterAll(async () => {
  await stack.close();
});

beforeEach(() => {
  stack.sim.counters.reset();
  stack.sim.resetRequests();
});

const from = '2026-09-01T00:00:00Z';
const to = '2026-10-15T00:00:00Z';
const inRange = (s: SessionDto): boolean => {
  if (!s.executionStartTime) return false;
  const t = Date.parse(`${s.executionStartTime}Z`);
  return t >= Date.parse(from) && t <= Date.parse(to);
};

function percentile(sorted: number[], q: number): number {
  return sorted[Math.ceil(q * sorted.length) - 1] ?? Number.NaN;
}

interface Stats {
  sessionStats: {
    total: number;
    byStatus: Array<{ status: string; count: number }>;
    byType: Array<{ type: string; count: number }>;
    byResult: Array<{ result: string; count: number }>;
    successRate: number | null;
    durations: { count: number; minMs: number; meanMs: number; p50Ms: number; p95Ms: number; maxMs: number; upstreamCalls: number };
  };
}

describe('sessionStats', () => {
  it('counts exactly, with one call per figure, and no download of the sessions', async () => {
    const result = await stack.gql<Stats>(
      `query ($f: SessionFilter) { sessionStats(filter: $f) { total byStatus { status count } byType { type count } byResult { result count } successRate } }`,
      { f: { from, to } },
    );
    expect(result.errors).toBeUndefined();
    const stats = result.data?.sessionStats;
    const sessions = stack.sim.data.sessions.filter(inRange);
    expect(stats?.total).toBe(sessions.length);
    for (const { status, count } of stats?.byStatus ?? []) {
      const upstream = {
        RUNNING: 'Running',
        NEVER_EXECUTED: 'NeverExecuted',
        SUCCEEDED: 'Succeeded',
        WARNING: 'Warning',
        FAILED: 'Failed',
        CANCELED: 'Canceled',
      }[status];
      expect([status, count]).toEqual([status, sessions.filter((s) => s.status === upstream).length]);
    }
    expect(stats?.byType.reduce((sum, t) => sum + t.count, 0)).toBe(sessions.length);
    expect(stats?.byType.find((t) => t.type === 'POLICY')?.count).toBe(sessions.filter((s) => s.type === 'Policy').length);
    expect(stats?.byResult.find((r) => r.result === 'SUCCESS')?.count).toBe(sessions.filter((s) => s.result === 'Success').length);
    const finished = sessions.filter((s) => ['Succeeded', 'Warning', 'Failed', 'Canceled'].includes(s.status));
    expect(stats?.successRate).toBeCloseTo(finished.filter((s) => s.status === 'Succeeded').length / finished.length, 10);
    // total 1 + 6 statuses + 15 types; byResult and successRate reuse the status counts.
    expect(stack.sim.counters.get('GET /sessions')).toBe(1 + 6 + 15);
    expect(stack.sim.requests.every((r) => r.endpoint !== 'GET /sessions' || /Limit=1(&|$)/.test(r.query))).toBe(true);
  });

  it('counts only the statuses and types the filter allows', async () => {
    const result = await stack.gql<Stats>(
      '{ sessionStats(filter: {status: [FAILED], types: [POLICY, JOB]}) { total byStatus { status count } byType { type count } } }',
    );
    const failed = stack.sim.data.sessions.filter((s) => s.status === 'Failed' && ['Policy', 'Job'].includes(s.type));
    expect(result.data?.sessionStats.total).toBe(failed.length);
    expect(result.data?.sessionStats.byStatus.filter((s) => s.count > 0).map((s) => s.status)).toEqual(failed.length ? ['FAILED'] : []);
    // total and FAILED are the same question (one call, shared by the loader) + one per allowed type.
    expect(stack.sim.counters.get('GET /sessions')).toBe(1 + 2);
  });

  it('folds durations over streamed pages: exact min/max/mean, percentiles within 1%', async () => {
    const result = await stack.gql<Stats>(
      'query ($f: SessionFilter) { sessionStats(filter: $f) { durations { count minMs meanMs p50Ms p95Ms maxMs upstreamCalls } } }',
      { f: { from, to } },
    );
    const durations = stack.sim.data.sessions
      .filter(inRange)
      .map((s) => s.executionDuration)
      .filter((d): d is number => d !== undefined)
      .sort((a, b) => a - b);
    const d = result.data?.sessionStats.durations;
    expect(d?.count).toBe(durations.length);
    expect(d?.minMs).toBe(durations[0]);
    expect(d?.maxMs).toBe(durations[durations.length - 1]);
    expect(d?.meanMs).toBeCloseTo(durations.reduce((a, b) => a + b, 0) / durations.length, 6);
    expect(Math.abs((d?.p50Ms ?? 0) / percentile(durations, 0.5) - 1)).toBeLessThan(0.011);
    expect(Math.abs((d?.p95Ms ?? 0) / percentile(durations, 0.95) - 1)).toBeLessThan(0.011);
    const total = stack.sim.data.sessions.filter(inRange).length;
    expect(d?.upstreamCalls).toBe(Math.ceil(total / 200));
    // + 1: the count probe that costs `durations` before execution (query-cost analysis).
    expect(stack.sim.counters.get('GET /sessions')).toBe(Math.ceil(total / 200) + 1);
  });
});

describe('sessionStats.buckets', () => {
  const STATUS = {
    RUNNING: 'Running',
    NEVER_EXECUTED: 'NeverExecuted',
    SUCCEEDED: 'Succeeded',
    WARNING: 'Warning',
    FAILED: 'Failed',
    CANCELED: 'Canceled',
  } as const;
  interface Buckets {
    sessionStats: {
      buckets: Array<{ start: string; end: string; total: number; byStatus: Array<{ status: keyof typeof STATUS; count: number }> }>;
    };
  }

  it('gives a daily series over 30 days equal to brute force, one probe per bucket and figure', async () => {
    const result = await stack.gql<Buckets>(
      `{ sessionStats(filter: {types: [POLICY]}) { buckets(bucket: DAY, from: "2026-09-01", to: "2026-09-30T23:59:59.999Z") { start end total byStatus { status count } } } }`,
    );
    expect(result.errors).toBeUndefined();
    const buckets = result.data?.sessionStats.buckets ?? [];
    expect(buckets).toHaveLength(30);
    const startMs = (s: SessionDto): number | undefined => (s.executionStartTime ? Date.parse(`${s.executionStartTime}Z`) : undefined);
    buckets.forEach((bucket, day) => {
      expect(bucket.start).toBe(new Date(Date.UTC(2026, 8, 1 + day)).toISOString());
      expect(bucket.end).toBe(new Date(Date.UTC(2026, 8, 2 + day)).toISOString());
      const inBucket = stack.sim.data.sessions.filter((s) => {
        const t = startMs(s);
        return s.type === 'Policy' && t !== undefined && t >= Date.parse(bucket.start) && t < Date.parse(bucket.end);
      });
      expect([bucket.start, bucket.total]).toEqual([bucket.start, inBucket.length]);
      for (const { status, count } of bucket.byStatus) {
        expect([bucket.start, status, count]).toEqual([bucket.start, status, inBucket.filter((s) => s.status === STATUS[status]).length]);
      }
    });
    expect(buckets.reduce((sum, b) => sum + b.total, 0)).toBeGreaterThan(0);
    // 30 buckets × (total + 6 statuses), all one-row probes.
    expect(stack.sim.counters.get('GET /sessions')).toBe(30 * 7);
    expect(stack.sim.requests.every((r) => r.endpoint !== 'GET /sessions' || /Limit=1(&|$)/.test(r.query))).toBe(true);
  });

  it('aligns weeks on Monday, clips the edges to the range and costs only what is selected', async () => {
    const result = await stack.gql<Buckets>(
      '{ sessionStats { buckets(bucket: WEEK, from: "2026-09-02T12:00:00Z", to: "2026-09-20") { start end total } } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.sessionStats.buckets.map((b) => b.start)).toEqual([
      '2026-08-31T00:00:00.000Z',
      '2026-09-07T00:00:00.000Z',
      '2026-09-14T00:00:00.000Z',
    ]);
    expect(stack.sim.counters.get('GET /sessions')).toBe(3);
    const queries = stack.sim.requests.filter((r) => r.endpoint === 'GET /sessions').map((r) => decodeURIComponent(r.query));
    expect(queries.some((q) => q.includes('FromUtc=2026-09-02T12:00:00.000Z&ToUtc=2026-09-06T23:59:59.999Z'))).toBe(true);
    expect(queries.some((q) => q.includes('FromUtc=2026-09-14T00:00:00.000Z&ToUtc=2026-09-20T00:00:00.000Z'))).toBe(true);
  });

  it.each([
    ['an unbounded range', '{ sessionStats { buckets(bucket: DAY) { total } } }', 'BAD_USER_INPUT', /bounded range/],
    [
      'more than 366 buckets',
      '{ sessionStats { buckets(bucket: HOUR, from: "2026-01-01", to: "2026-03-01") { total } } }',
      'BAD_USER_INPUT',
      /at most 366/,
    ],
  ])('refuses %s before any upstream call', async (_name, query, code, message) => {
    const result = await stack.gql(query);
    expect(result.errors?.[0]?.extensions?.['code']).toBe(code);
    expect(result.errors?.[0]?.message).toMatch(message);
    expect(stack.sim.counters.get('GET /sessions')).toBe(0);
  });

  it('refuses a series that costs more than MAX_QUERY_COST before any upstream call', async () => {
    const small = await startStack({ env: { MAX_QUERY_COST: '100' } });
    try {
      // 30 days × (total + 6 statuses) = 210 calls > 100.
      const result = await small.gql(
        '{ sessionStats { buckets(bucket: DAY, from: "2026-09-01", to: "2026-09-30") { total byStatus { count } } } }',
      );
      expect(result.errors?.[0]?.extensions?.['code']).toBe('QUERY_TOO_COSTLY');
      expect(small.sim.counters.get('GET /sessions')).toBe(0);
    } finally {
      await small.close();
    }
  });
});

describe('topFailingItems', () => {
  it('matches brute force over the range, reading only sessions that did not succeed', async () => {
    const result = await stack.gql<{
      topFailingItems: Array<{ instanceId: string; failures: number; warnings: number; lastFailureTime: string | null }>;
    }>('query ($f: SessionFilter) { topFailingItems(filter: $f, first: 5) { instanceId name failures warnings lastFailureTime } }', {
      f: { from, to },
    });
    expect(result.errors).toBeUndefined();
    const tally = new Map<string, { failures: number; warnings: number; name: string; last: string }>();
    const sessions = stack.sim.data.sessions.filter((s) => inRange(s) && ['Policy', 'UserPolicy'].includes(s.type));
    for (const s of sessions) {
      for (const item of stack.sim.data.protectedItems(s.id) ?? []) {
        const entry = tally.get(item.id) ?? { failures: 0, warnings: 0, name: item.name, last: '' };
        if (item.status === 'Failed') {
          entry.failures += 1;
          if ((s.executionStartTime ?? '') > entry.last) entry.last = s.executionStartTime ?? '';
        }
        if (item.status === 'Warning') entry.warnings += 1;
        tally.set(item.id, entry);
      }
    }
    const expected = [...tally.entries()]
      .filter(([, e]) => e.failures + e.warnings > 0)
      .sort(([, a], [, b]) => b.failures - a.failures || b.warnings - a.warnings || a.name.localeCompare(b.name))
      .slice(0, 5);
    expect(result.data?.topFailingItems.map((i) => [i.instanceId, i.failures, i.warnings])).toEqual(
      expected.map(([id, e]) => [id, e.failures, e.warnings]),
    );
    expect(result.data?.topFailingItems[0]?.lastFailureTime).toBe(`${expected[0]?.[1].last}Z`);
    const read = sessions.filter(
      (s) => ['Failed', 'Warning', 'Canceled'].includes(s.status) && (stack.sim.data.protectedItems(s.id)?.length ?? 0) >= 0,
    );
    expect(stack.sim.counters.get('GET /sessions/{id}/protectedItems')).toBe(read.length);
  });

  it('is refused up front when the range would cost more than the budget', async () => {
    const small = await startStack({ simulator: { sessionCount: 2_000 }, env: { MAX_QUERY_COST: '20' } });
    try {
      const result = await small.gql('{ topFailingItems { id } }');
      expect(result.errors?.[0]?.extensions?.['code']).toBe('QUERY_TOO_COSTLY');
      expect(result.errors?.[0]?.message).toMatch(/make \d+ upstream calls .*the budget is 20/);
      expect(small.sim.counters.get('GET /sessions/{id}/protectedItems')).toBe(0);
    } finally {
      await small.close();
    }
  });
});

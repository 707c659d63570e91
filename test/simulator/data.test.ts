/**
 * The simulator's generated appliance: deterministic given seed + anchor + sessionCount, a realistic
 * mix, and 100,000 sessions answered without trouble (no timing assertions: CI machines vary).
 */
import type { SessionDto, SessionsPageDto } from '../../src/upstream/dto';
import { BoundedMemo } from '../../src/simulator/memo';
import { startSimulator, type Simulator } from '../../src/simulator';
import { get, login } from '../helpers/sim-client';

const ANCHOR = new Date('2026-01-01T00:00:00Z');
const zoneless = (text: string | undefined) => (text === undefined ? undefined : Date.parse(`${text}Z`));
/** The data as another origin would emit it: links are absolute, everything else must match. */
const portable = (sim: Simulator, value: unknown) => JSON.stringify(value).replaceAll(sim.origin, 'ORIGIN');

describe('determinism', () => {
  it('is identical for the same seed, anchor and count (sessions, items, logs), different otherwise', async () => {
    const options = { sessionCount: 200, seed: 3, anchor: ANCHOR };
    const [a, b, c, d] = await Promise.all([
      startSimulator(options),
      startSimulator(options),
      startSimulator({ ...options, seed: 4 }),
      startSimulator({ ...options, anchor: new Date('2026-02-01T00:00:00Z') }),
    ]);
    try {
      expect(portable(a, a.data.sessions)).toBe(portable(b, b.data.sessions));
      const everything = (sim: Simulator) => sim.data.sessions.map((s) => [sim.data.protectedItems(s.id), sim.data.log(s.id)]);
      expect(portable(a, everything(a))).toBe(portable(b, everything(b)));
      expect(portable(a, a.data.sessions)).not.toBe(portable(c, c.data.sessions));
      // Another anchor shifts the times, not the identities.
      expect(d.data.sessions.map((s) => s.id)).toEqual(a.data.sessions.map((s) => s.id));
      expect(d.data.sessions[0]?.executionStartTime).not.toBe(a.data.sessions[0]?.executionStartTime);
    } finally {
      await Promise.all([a.close(), b.close(), c.close(), d.close()]);
    }
  });

  it('memoises in a bounded memo that evicts the least recently used entry', () => {
    const memo = new BoundedMemo<{ n: number }>(2);
    let made = 0;
    const make = () => ({ n: (made += 1) });
    const first = memo.get('a', make);
    memo.get('b', make);
    expect(memo.get('a', make)).toBe(first); // a hit refreshes 'a'
    memo.get('c', make); // evicts 'b', the least recently used
    expect(memo.size).toBe(2);
    expect(memo.get('a', make)).toBe(first);
    expect(memo.get('b', make)).toEqual({ n: 4 });
  });

  it('defaults the anchor to the current time floored to the UTC hour, and spans spanDays', async () => {
    const before = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const sim = await startSimulator({ sessionCount: 300, spanDays: 10 });
    const after = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    try {
      const starts = sim.data.sessions.map((s) => zoneless(s.executionStartTime)).filter((t): t is number => t !== undefined);
      const stops = sim.data.sessions.map((s) => zoneless(s.executionStopTime)).filter((t): t is number => t !== undefined);
      const newest = Math.max(...starts, ...stops);
      expect(newest).toBeLessThanOrEqual(after);
      // The newest slot is within a step (10 days / 300 sessions) of the anchor.
      expect(newest).toBeGreaterThan(before - (10 * 86_400_000) / 300);
      expect(Math.min(...starts)).toBeGreaterThanOrEqual(before - 10 * 86_400_000);
    } finally {
      await sim.close();
    }
  });
});

describe('a realistic appliance', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ sessionCount: 3000, anchor: ANCHOR });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('mixes types: about 70% Policy backups, then retention, restores, configuration backups and others', () => {
    const share = (type: string) => sim.data.sessions.filter((s) => s.type === type).length / sim.data.sessions.length;
    expect(share('Policy')).toBeGreaterThan(0.6);
    expect(share('Policy')).toBeLessThan(0.8);
    for (const type of ['RetentionActivity', 'RestoreTask', 'ConfigurationBackupActivity', 'UserPolicy', 'Task'])
      expect(share(type)).toBeGreaterThan(0);
    expect(new Set(sim.data.sessions.map((s) => s.type)).size).toBeGreaterThanOrEqual(10);
  });

  it('is mostly Succeeded, with some Warning, Failed and Canceled', () => {
    const share = (status: string) => sim.data.sessions.filter((s) => s.status === status).length / sim.data.sessions.length;
    expect(share('Succeeded')).toBeGreaterThan(0.7);
    for (const status of ['Warning', 'Failed', 'Canceled']) {
      expect(share(status)).toBeGreaterThan(0.005);
      expect(share(status)).toBeLessThan(0.15);
    }
  });

  it('names about 20 policies with PolicyBackup/PolicySnapshot/PolicyRemoteSnapshot session types', () => {
    const backups = sim.data.sessions.filter((s) => s.type === 'Policy' || s.type === 'UserPolicy');
    const names = new Set(backups.map((s) => s.name));
    expect(names.size).toBeGreaterThanOrEqual(15);
    expect(names.size).toBeLessThanOrEqual(20);
    expect(new Set(backups.map((s) => s.extendedSessionType))).toEqual(new Set(['PolicyBackup', 'PolicySnapshot', 'PolicyRemoteSnapshot']));
    // A policy keeps its session type: one extendedSessionType per name.
    const typeOf = new Map<string | undefined, string | undefined>();
    for (const s of backups) {
      expect(typeOf.get(s.name) ?? s.extendedSessionType).toBe(s.extendedSessionType);
      typeOf.set(s.name, s.extendedSessionType);
    }
  });

  it('has durations from seconds to hours, some empty reasons, and unique uuids', () => {
    const durations = sim.data.sessions.map((s) => s.executionDuration).filter((d): d is number => d !== undefined);
    expect(Math.min(...durations)).toBeLessThan(60_000);
    expect(Math.max(...durations)).toBeGreaterThan(3_600_000);
    expect(sim.data.sessions.some((s) => s.reason === '')).toBe(true);
    expect(sim.data.sessions.some((s) => (s.reason ?? '').length > 0)).toBe(true);
    expect(new Set(sim.data.sessions.map((s) => s.id)).size).toBe(3000);
    for (const s of sim.data.sessions) expect(s.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('100,000 sessions', () => {
  it('generates them and answers filtered, sorted pages and item lists', async () => {
    const big = await startSimulator({ sessionCount: 100_000, seed: 9, anchor: ANCHOR });
    try {
      expect(big.data.sessions).toHaveLength(100_000);
      const { access } = await login(big);
      const page = await get<SessionsPageDto>(
        big,
        access,
        '/api/v1/sessions?Status=Failed&Types=Policy&FromUtc=2025-10-01&Sort=durationDesc&Sort=usnAsc&Offset=5&Limit=10',
      );
      const from = Date.parse('2025-10-01T00:00:00Z');
      const expected = big.data.sessions
        .filter((s) => s.status === 'Failed' && s.type === 'Policy' && (zoneless(s.executionStartTime) ?? -1) >= from)
        .sort((a, b) => (b.executionDuration ?? 0) - (a.executionDuration ?? 0) || a.usn - b.usn);
      expect(page.body.totalCount).toBe(expected.length);
      expect(page.body.results.map((s: SessionDto) => s.id)).toEqual(expected.slice(5, 15).map((s) => s.id));

      const newest = big.data.sessions.filter((s) => s.type === 'Policy' && s.status === 'Succeeded').at(-1);
      const vm = newest ? big.data.protectedItems(newest.id)?.[0] : undefined;
      if (!vm) throw new Error('no protected item in the newest backup');
      const byVm = await get<SessionsPageDto>(big, access, `/api/v1/sessions?VmId=${vm.id}&Sort=startTimeDesc&Limit=20`);
      expect(byVm.body.totalCount).toBeGreaterThan(20);
      for (const s of byVm.body.results) expect(big.data.protectedItems(s.id)?.some((i) => i.id === vm.id)).toBe(true);
      expect(byVm.body.results[0]?.id).toBe(newest?.id);
    } finally {
      await big.close();
    }
  });
});

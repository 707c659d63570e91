/**
 * The live feed's core without transports: reading changes above a mark page by page, the window's
 * bounds, and what a subscriber reads (every change when close, newest state per session when far
 * behind, the gap signal when its position has left the window).
 */
import type { SessionDto, SessionsPageDto } from '../../src/upstream/dto';
import type { ListSessionsParams } from '../../src/upstream/query';
import type { VeeamClient } from '../../src/upstream/veeam-client';
import { SessionMemory } from '../../src/live/change';
import { liveFilter } from '../../src/live/filter';
import { readChangesSince } from '../../src/live/poller';
import { Subscriber } from '../../src/live/subscriber';
import { ChangeWindow } from '../../src/live/window';

const session = (id: string, usn: number, status = 'Running'): SessionDto => ({
  id,
  usn,
  status,
  type: 'Policy',
  executionStartTime: '2026-10-01T00:00:00',
});

/** An appliance whose list endpoint pages `sessions` sorted by USN descending, recording each call. */
function applianceOf(sessions: SessionDto[]): { client: VeeamClient; calls: ListSessionsParams[] } {
  const calls: ListSessionsParams[] = [];
  const sorted = [...sessions].sort((a, b) => b.usn - a.usn);
  const listSessions = async (params: ListSessionsParams): Promise<SessionsPageDto> => {
    calls.push(params);
    const offset = params.offset ?? 0;
    return { totalCount: sorted.length, results: sorted.slice(offset, offset + (params.limit ?? sorted.length)) };
  };
  return { client: { listSessions } as unknown as VeeamClient, calls };
}

describe('readChangesSince', () => {
  const sessions = Array.from({ length: 25 }, (_, i) => session(`s${i}`, i + 1));

  it('pages by USN descending until it reaches the mark, and returns the changes oldest first', async () => {
    const { client, calls } = applianceOf(sessions);
    const read = await readChangesSince(client, 12, { pageSize: 5, max: 100, call: {} });
    expect(read.complete).toBe(true);
    expect(read.sessions.map((s) => s.usn)).toEqual([13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect(calls.map((c) => [c.offset, c.limit, c.sort])).toEqual([0, 5, 10].map((offset) => [offset, 5, ['usnDesc']]));
  });

  it('stops at `max` and says the changes below are lost', async () => {
    const { client } = applianceOf(sessions);
    const read = await readChangesSince(client, 0, { pageSize: 4, max: 6, call: {} });
    expect(read.complete).toBe(false);
    expect(read.sessions.map((s) => s.usn)).toEqual([20, 21, 22, 23, 24, 25]);
  });
});

describe('a subscriber reading the window', () => {
  function feed(capacity: number, afterUsn?: number) {
    const window = new ChangeWindow(capacity);
    window.reset(100);
    const memory = new SessionMemory();
    const subscriber = new Subscriber(window, liveFilter({}), 'test', afterUsn, Promise.resolve(), () => undefined);
    const change = (id: string, usn: number, status?: string) => window.append([memory.observe(session(id, usn, status))]);
    const read = async (n: number) => {
      const out: Array<[number, string[]]> = [];
      for (let i = 0; i < n; i += 1) {
        const step = await subscriber.next();
        if (step.done) break;
        out.push([step.value.usn, step.value.changes]);
      }
      return out;
    };
    return { window, subscriber, change, read };
  }

  it('gets every change, in USN order, while it keeps up', async () => {
    const { change, read } = feed(10);
    change('a', 101);
    change('a', 102);
    change('a', 103, 'Succeeded');
    expect(await read(3)).toEqual([
      [101, ['NEW']],
      [102, ['PROGRESS']],
      [103, ['STATUS']],
    ]);
  });

  it('skips superseded states, merging their changes, while more than half a window behind', async () => {
    const { change, read } = feed(4);
    change('a', 101);
    change('b', 102);
    change('a', 103, 'Failed');
    change('b', 104);
    // 101 and 102 are passed over (newer states of `a` and `b` are in the window), their changes carried.
    expect(await read(2)).toEqual([
      [103, ['NEW', 'STATUS']],
      [104, ['NEW']],
    ]);
  });

  it('is told LIVE_GAP_TOO_OLD when the changes after its afterUsn have left the window', async () => {
    const { change, subscriber } = feed(2, 100);
    change('a', 101);
    change('b', 102);
    change('c', 103);
    await expect(subscriber.next()).rejects.toMatchObject({ extensions: { code: 'LIVE_GAP_TOO_OLD' } });
    expect(await subscriber.next()).toEqual({ done: true, value: undefined });
  });

  it('ends a waiting read at once when the subscription is closed', async () => {
    const { subscriber } = feed(2);
    const waiting = subscriber.next();
    await subscriber.return();
    expect(await waiting).toEqual({ done: true, value: undefined });
  });
});

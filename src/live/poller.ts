/**
 * Reading what changed on the appliance since a USN, and when to read it. The read sorts by USN
 * descending and pages until it reaches the mark, so it does not depend on how the appliance's `Usn`
 * parameter filters (it selects one USN, not a range); a session that changes while pages are read
 * moves to the top, which can repeat a row on the next page but never skip one.
 */
import type { SessionDto } from '../upstream/dto';
import type { CallOptions, VeeamClient } from '../upstream/veeam-client';
import { sessionSortColumn } from '../sessions/enums';

const NEWEST_FIRST = [sessionSortColumn('USN', 'DESC')];

export interface ChangedSessions {
  /** Sessions changed above the mark, oldest change first, each once. */
  sessions: SessionDto[];
  /** False when `max` was reached before the mark: changes between the mark and the oldest read are lost. */
  complete: boolean;
}

/** The highest USN on the appliance (a one-row read); 0 for an appliance without sessions. */
export async function readHeadUsn(client: VeeamClient, call: CallOptions): Promise<number> {
  const page = await client.listSessions({ sort: NEWEST_FIRST, offset: 0, limit: 1 }, call);
  return page.results[0]?.usn ?? 0;
}

/** Sessions whose USN is above `mark`, reading at most `max` of them (whole pages of `pageSize`). */
export async function readChangesSince(
  client: VeeamClient,
  mark: number,
  options: { pageSize: number; max: number; call: CallOptions },
): Promise<ChangedSessions> {
  const byId = new Map<string, SessionDto>();
  for (let offset = 0; ; offset += options.pageSize) {
    const page = await client.listSessions({ sort: NEWEST_FIRST, offset, limit: options.pageSize }, options.call);
    let reachedMark = false;
    for (const session of page.results) {
      if (session.usn <= mark) {
        reachedMark = true;
        break;
      }
      const seen = byId.get(session.id);
      if (!seen || seen.usn < session.usn) byId.set(session.id, session);
    }
    const exhausted = page.results.length < options.pageSize || offset + page.results.length >= page.totalCount;
    if (reachedMark || exhausted) return { sessions: oldestFirst(byId), complete: true };
    // Only the newest `max` are kept: a batch larger than the window would push out what subscribers have not read.
    if (byId.size >= options.max) return { sessions: oldestFirst(byId).slice(-options.max), complete: false };
  }
}

const oldestFirst = (byId: Map<string, SessionDto>): SessionDto[] => [...byId.values()].sort((a, b) => a.usn - b.usn);

/** When the poller runs: on a timer in service, by hand in tests. */
export interface PollTrigger {
  /** Runs `poll` now and then whenever due, one at a time, until `stop`. */
  start(poll: () => Promise<void>): void;
  stop(): void;
}

/** Every `intervalMs` after the previous poll ended (a slow appliance is never asked twice at once). */
export function intervalTrigger(intervalMs: number): PollTrigger {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  // A stop and start while a poll is in flight must not start a second loop beside the first.
  let polling = false;
  return {
    start(poll) {
      running = true;
      if (polling || timer) return;
      const loop = (): void => {
        timer = undefined;
        polling = true;
        void poll().finally(() => {
          polling = false;
          if (!running) return;
          timer = setTimeout(loop, intervalMs);
          timer.unref();
        });
      };
      loop();
    },
    stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** Tests' clock: the first poll runs at start, the others when `tick()` is called. */
export class ManualTrigger implements PollTrigger {
  private poll: (() => Promise<void>) | undefined;
  private last: Promise<void> = Promise.resolve();

  start(poll: () => Promise<void>): void {
    this.poll = poll;
    this.last = poll();
  }

  stop(): void {
    this.poll = undefined;
  }

  /** Waits for the start-up poll, then polls once (nothing when no one is subscribed). */
  async tick(): Promise<void> {
    await this.last;
    if (this.poll) {
      this.last = this.poll();
      await this.last;
    }
  }

  get active(): boolean {
    return this.poll !== undefined;
  }
}

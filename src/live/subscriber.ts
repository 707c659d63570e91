/**
 * One subscription: a cursor (the last USN it passed) into the shared window. It reads on demand, so
 * a subscriber that is not reading costs nothing but its cursor; when it reads after falling far
 * behind, it gets only the newest state of each session (coalesced, the changes merged) in USN order.
 */
import { ErrorCode } from '../errors/catalogue';
import type { GraphQLError } from 'graphql';
import { publicError } from '../graphql/errors';
import type { SessionUpdateEvent } from '../graphql/resolvers/subscription';
import { mergeChanges, type SessionChange } from './change';
import type { LiveFilter } from './filter';
import type { ChangeWindow } from './window';

/**
 * How far behind (as a share of the window) a subscriber must be before it gets only the newest state
 * of each session: closer, every change is delivered, so a client that resumes after a short break
 * replays each change it missed; further, catching up matters more than the intermediate states.
 */
export const COALESCE_BEHIND_SHARE = 0.5;

export class Subscriber implements AsyncIterableIterator<SessionUpdateEvent> {
  /** The last USN delivered or passed over; undefined until the window has a starting point. */
  cursor: number | undefined;
  private closed = false;
  private started = false;
  private failure: GraphQLError | undefined;
  private wake: (() => void) | undefined;
  /** Changes of superseded events passed over, waiting for the session's newest event. */
  private readonly carried = new Map<string, SessionChange[]>();

  constructor(
    private readonly window: ChangeWindow,
    private readonly filter: LiveFilter,
    readonly clientId: string,
    /** Where the client asked to resume; undefined = from now on. */
    private readonly afterUsn: number | undefined,
    /** Waits for the window's first starting point. */
    private readonly ready: Promise<void>,
    private readonly onDone: (subscriber: Subscriber) => void,
    /** Told when the subscriber is cut off, so that the transport can close the connection. */
    readonly onCutOff: (error: GraphQLError) => void = () => undefined,
  ) {
    if (window.floor !== undefined) this.cursor = afterUsn ?? window.head;
  }

  /** The window moved (new changes, or the start): a waiting read goes on. */
  notify(): void {
    if (this.cursor === undefined && this.window.floor !== undefined) this.cursor = this.afterUsn ?? this.window.head;
    this.wake?.();
  }

  /** Ends the subscription with an error for the client (gap, too slow), or quietly (shutdown). */
  fail(error: GraphQLError | undefined): void {
    if (this.closed) return;
    this.failure = error;
    this.finish();
    if (error) this.onCutOff(error);
  }

  /** Whether the window has dropped changes this subscriber has not read. */
  missedChanges(): boolean {
    const floor = this.window.floor;
    return this.cursor !== undefined && floor !== undefined && this.cursor < floor;
  }

  async next(): Promise<IteratorResult<SessionUpdateEvent>> {
    await this.ready;
    if (!this.started) {
      this.started = true;
      if (this.missedChanges()) this.failure ??= gapTooOld(this.afterUsn, this.window.floor);
    }
    for (;;) {
      if (this.failure) {
        const failure = this.failure;
        this.failure = undefined;
        this.finish();
        throw failure;
      }
      if (this.closed) return { done: true, value: undefined };
      const event = this.read();
      if (event) return { done: false, value: event };
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }

  async return(): Promise<IteratorResult<SessionUpdateEvent>> {
    this.finish();
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next deliverable change after the cursor, advancing over the rest. */
  private read(): SessionUpdateEvent | undefined {
    if (this.cursor === undefined) return undefined;
    for (let index = this.window.indexAfter(this.cursor); ; index += 1) {
      const event = this.window.at(index);
      if (!event) return undefined;
      this.cursor = event.usn;
      const id = event.session.id;
      const changes = mergeChanges(this.carried.get(id) ?? [], event.changes);
      if (this.window.size - index > this.window.capacity * COALESCE_BEHIND_SHARE && this.window.isSuperseded(event)) {
        this.carried.set(id, changes);
        continue;
      }
      this.carried.delete(id);
      if (this.filter(event)) return { usn: event.usn, changes, session: event.session };
    }
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.carried.clear();
    this.wake?.();
    this.onDone(this);
  }
}

function gapTooOld(afterUsn: number | undefined, floor: number | undefined): GraphQLError {
  return publicError(
    ErrorCode.LIVE_GAP_TOO_OLD,
    `The changes after USN ${afterUsn ?? '?'} are no longer kept (the replay window starts after USN ${floor ?? '?'}); query the sessions again, then subscribe without afterUsn.`,
    { oldestReplayableAfterUsn: floor === undefined ? null : String(floor) },
  );
}

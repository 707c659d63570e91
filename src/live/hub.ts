/**
 * The live feed of one process: ONE poller whatever the number of subscribers (it starts with the
 * first and stops with the last), the replay window they all read, and the rules that keep them
 * bounded: a per-client subscription cap and the cut-off of a subscriber the window has left behind.
 */
import { ErrorCode } from '../errors/catalogue';
import type { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { publicError } from '../graphql/errors';
import type { SessionUpdateFeed, SessionUpdateRequest } from '../graphql/resolvers/subscription';
import type { VeeamClient } from '../upstream/veeam-client';
import { SessionMemory } from './change';
import { liveFilter } from './filter';
import { readChangesSince, readHeadUsn, type PollTrigger } from './poller';
import type { LiveSettings } from './settings';
import { Subscriber } from './subscriber';
import { ChangeWindow } from './window';

/** The poller is a client of the appliance like any other: named so in logs and fair-share queues. */
export const POLLER_CLIENT_ID = 'live-poller';

export interface LiveHubOptions {
  client: VeeamClient;
  settings: LiveSettings;
  /** Rows per upstream list call (VEEAM_PAGE_SIZE). */
  pageSize: number;
  /** Deadline of one poll, retries included (REQUEST_TIMEOUT_MS). */
  pollTimeoutMs: number;
  trigger: PollTrigger;
  logger: Logger;
}

/** What one transport connection adds to every subscription it opens. */
export interface ConnectionBinding {
  /** The SSE Last-Event-ID: wins over the afterUsn argument (it is the later position). */
  lastEventId?: number;
  /** Closes the connection when a subscription is cut off (too slow, gap). */
  onCutOff?: (error: GraphQLError) => void;
}

export interface LiveStats {
  subscribers: number;
  /** Polls run since start (failed ones included). */
  polls: number;
  /** Subscribers closed because the window left them behind. */
  cutOff: number;
  windowSize: number;
  floor: number | undefined;
  head: number | undefined;
}

export class LiveHub {
  private readonly window: ChangeWindow;
  private readonly memory = new SessionMemory();
  private readonly subscribers = new Set<Subscriber>();
  private readonly perClient = new Map<string, number>();
  private readonly ready: Promise<void>;
  private markReady: () => void = () => undefined;
  private polls = 0;
  private cutOff = 0;

  constructor(private readonly options: LiveHubOptions) {
    this.window = new ChangeWindow(options.settings.replayWindow);
    this.ready = new Promise((resolve) => {
      this.markReady = resolve;
    });
  }

  /** The feed a transport connection hands to the `sessionUpdates` resolver. */
  feedFor(binding: ConnectionBinding = {}): SessionUpdateFeed {
    return { open: (request) => this.open({ ...request, afterUsn: binding.lastEventId ?? request.afterUsn }, binding.onCutOff) };
  }

  open(request: SessionUpdateRequest, onCutOff?: (error: GraphQLError) => void): Subscriber {
    const { maxSubscriptionsPerClient } = this.options.settings;
    const held = this.perClient.get(request.clientId) ?? 0;
    if (held >= maxSubscriptionsPerClient) {
      throw publicError(
        ErrorCode.LIVE_TOO_MANY_SUBSCRIPTIONS,
        `This client already holds ${held} subscriptions, the most allowed (LIVE_MAX_SUBSCRIPTIONS_PER_CLIENT); close one first.`,
        { maxSubscriptions: maxSubscriptionsPerClient },
      );
    }
    const filter = liveFilter(request.filter);
    const subscriber = new Subscriber(
      this.window,
      filter,
      request.clientId,
      request.afterUsn,
      this.ready,
      (done) => this.remove(done),
      onCutOff,
    );
    this.subscribers.add(subscriber);
    this.perClient.set(request.clientId, held + 1);
    if (this.subscribers.size === 1) this.options.trigger.start(() => this.poll());
    return subscriber;
  }

  stats(): LiveStats {
    return {
      subscribers: this.subscribers.size,
      polls: this.polls,
      cutOff: this.cutOff,
      windowSize: this.window.size,
      floor: this.window.floor,
      head: this.window.head,
    };
  }

  /** Ends every subscription quietly (shutdown) and stops the poller. */
  close(): void {
    // Streams still waiting for a first poll (appliance down) must see the close, not wait forever.
    this.markReady();
    for (const subscriber of [...this.subscribers]) subscriber.fail(undefined);
    this.options.trigger.stop();
  }

  private remove(subscriber: Subscriber): void {
    if (!this.subscribers.delete(subscriber)) return;
    const held = (this.perClient.get(subscriber.clientId) ?? 1) - 1;
    if (held > 0) this.perClient.set(subscriber.clientId, held);
    else this.perClient.delete(subscriber.clientId);
    if (this.subscribers.size === 0) this.options.trigger.stop();
  }

  private async poll(): Promise<void> {
    this.polls += 1;
    const { client, pageSize, pollTimeoutMs, logger } = this.options;
    const call = { deadline: Date.now() + pollTimeoutMs, signal: AbortSignal.timeout(pollTimeoutMs), clientId: POLLER_CLIENT_ID };
    try {
      const head = this.window.head;
      if (head === undefined) {
        // Watching starts now: what changed before is not replayable.
        this.window.reset(await readHeadUsn(client, call));
        this.markReady();
      } else {
        const { sessions, complete } = await readChangesSince(client, head, { pageSize, max: this.window.capacity, call });
        const oldest = sessions[0];
        // More changes than the window holds since the last poll: those below the oldest read are lost.
        if (!complete && oldest) this.window.reset(oldest.usn - 1);
        this.window.append(sessions.map((session) => this.memory.observe(session)));
        this.cutOffTheLeftBehind(complete);
      }
    } catch (error) {
      logger.warn({ err: error }, 'live poll failed; trying again at the next interval');
    }
    for (const subscriber of this.subscribers) subscriber.notify();
  }

  private cutOffTheLeftBehind(complete: boolean): void {
    for (const subscriber of [...this.subscribers]) {
      if (!subscriber.missedChanges()) continue;
      this.cutOff += 1;
      this.options.logger.info({ client: subscriber.clientId }, 'live subscriber cut off: the replay window left it behind');
      subscriber.fail(
        complete
          ? publicError(
              ErrorCode.LIVE_SUBSCRIBER_TOO_SLOW,
              `This subscriber fell more than ${this.window.capacity} changes behind (LIVE_REPLAY_WINDOW) and was closed; query the sessions again, then subscribe anew.`,
            )
          : publicError(
              ErrorCode.LIVE_GAP_TOO_OLD,
              'More sessions changed than the replay window holds; query the sessions again, then subscribe anew.',
            ),
      );
    }
  }
}

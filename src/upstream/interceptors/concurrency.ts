/**
 * A bounded number of calls at once, a bounded queue behind them (load shedding past it), and FAIR
 * service of the queue: one FIFO per client, served round robin, so a client with a hundred queued
 * export calls delays another client's call by at most one turn. High-priority calls (readiness,
 * token) go first. undici's Pool queues without bound and in arrival order, hence this interceptor.
 */
import { AsyncResource } from 'node:async_hooks';
import { UpstreamAbortedError, UpstreamOverloadedError } from '../errors';
import { contextOf, type Interceptor, type UpstreamCallContext } from '../transport';
import { failCall, ForwardingHandler } from './handler';

export interface FairQueueOptions {
  /** Calls in flight at once. @default the pool's connection count: one call per socket. */
  maxConcurrent: number;
  /** Calls waiting, all clients together, beyond which new ones are refused. @default 1000 (UPSTREAM_MAX_QUEUE) */
  maxQueue: number;
}

/** The client id of calls the gateway makes for itself. */
export const GATEWAY_CLIENT = 'gateway';

interface Waiter {
  clientId: string;
  endpoint: string;
  start(): void;
  fail(error: Error): void;
}

export class FairQueue {
  private active = 0;
  private readonly urgent: Waiter[] = [];
  /** Per client, its waiting calls; the map's order is not the turn order (`turns` is). */
  private readonly queues = new Map<string, Waiter[]>();
  /** Clients with waiting calls, next to be served first. */
  private readonly turns: string[] = [];
  private queued = 0;

  constructor(private readonly options: FairQueueOptions) {}

  get inFlight(): number {
    return this.active;
  }

  get waiting(): number {
    return this.queued;
  }

  /** Starts the call now, or when its turn comes; `fail` if it is shed or its caller gives up. */
  enter(context: UpstreamCallContext, start: () => void, fail: (error: Error) => void): void {
    if (this.active < this.options.maxConcurrent) {
      this.active += 1;
      start();
      return;
    }
    const { signal, endpoint } = context;
    if (signal?.aborted) return fail(new UpstreamAbortedError(endpoint, signal.reason));
    const clientId = context.clientId ?? GATEWAY_CLIENT;
    if (this.queued >= this.options.maxQueue && !this.evictForFairness(clientId)) {
      return fail(new UpstreamOverloadedError(endpoint, this.options.maxQueue));
    }
    // A queued call starts from another call's completion: run it in its own caller's async context,
    // or its spans and request-scoped state land in whichever request freed the slot.
    const startAsCaller = AsyncResource.bind(start);
    const failAsCaller = AsyncResource.bind(fail);
    const onAbort = (): void => {
      if (this.remove(waiter)) failAsCaller(new UpstreamAbortedError(endpoint, signal?.reason));
    };
    const waiter: Waiter = {
      clientId,
      endpoint,
      start: () => {
        signal?.removeEventListener('abort', onAbort);
        startAsCaller();
      },
      fail: (error) => {
        signal?.removeEventListener('abort', onAbort);
        failAsCaller(error);
      },
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    this.queued += 1;
    if (context.priority === 'high') {
      this.urgent.push(waiter);
      return;
    }
    const queue = this.queues.get(clientId);
    if (queue) queue.push(waiter);
    else {
      this.queues.set(clientId, [waiter]);
      this.turns.push(clientId);
    }
  }

  /** A call ended: its slot goes to the next waiter in turn. */
  release(): void {
    const next = this.next();
    if (next) next.start();
    else this.active -= 1;
  }

  private next(): Waiter | undefined {
    const urgent = this.urgent.shift();
    if (urgent) return this.dequeued(urgent);
    const clientId = this.turns.shift();
    if (clientId === undefined) return undefined;
    const queue = this.queues.get(clientId) ?? [];
    const waiter = queue.shift();
    if (queue.length > 0) this.turns.push(clientId);
    else this.queues.delete(clientId);
    return waiter ? this.dequeued(waiter) : this.next();
  }

  private dequeued(waiter: Waiter): Waiter {
    this.queued -= 1;
    return waiter;
  }

  private remove(waiter: Waiter): boolean {
    const urgentAt = this.urgent.indexOf(waiter);
    if (urgentAt >= 0) {
      this.urgent.splice(urgentAt, 1);
      this.queued -= 1;
      return true;
    }
    const queue = this.queues.get(waiter.clientId);
    const at = queue?.indexOf(waiter) ?? -1;
    if (!queue || at < 0) return false;
    queue.splice(at, 1);
    this.queued -= 1;
    if (queue.length === 0) {
      this.queues.delete(waiter.clientId);
      this.turns.splice(this.turns.indexOf(waiter.clientId), 1);
    }
    return true;
  }

  /**
   * The queue is full: a client holding less than its share may take the place of the newest call
   * of the client holding the most, so that one client's burst cannot shut the others out.
   */
  private evictForFairness(clientId: string): boolean {
    let largest: Waiter[] | undefined;
    for (const queue of this.queues.values()) if (!largest || queue.length > largest.length) largest = queue;
    const own = this.queues.get(clientId)?.length ?? 0;
    if (!largest || largest.length <= own + 1) return false;
    const victim = largest[largest.length - 1];
    if (!victim || !this.remove(victim)) return false;
    victim.fail(new UpstreamOverloadedError(victim.endpoint, this.options.maxQueue));
    return true;
  }
}

export function fairConcurrency(queue: FairQueue): Interceptor {
  return (dispatch) => (options, handler) => {
    const context = contextOf(options);
    queue.enter(
      context,
      () => {
        let released = false;
        const release = (): void => {
          if (released) return;
          released = true;
          queue.release();
        };
        try {
          dispatch(options, new ReleasingHandler(handler, release));
        } catch (error) {
          release();
          failCall(handler, error instanceof Error ? error : new Error(String(error)));
        }
      },
      (error) => failCall(handler, error),
    );
    return true;
  };
}

class ReleasingHandler extends ForwardingHandler {
  constructor(
    next: ConstructorParameters<typeof ForwardingHandler>[0],
    private readonly release: () => void,
  ) {
    super(next);
  }

  override onResponseEnd(...args: Parameters<ForwardingHandler['onResponseEnd']>): void {
    this.release();
    super.onResponseEnd(...args);
  }

  override onResponseError(...args: Parameters<ForwardingHandler['onResponseError']>): void {
    this.release();
    super.onResponseError(...args);
  }
}

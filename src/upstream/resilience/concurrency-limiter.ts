/**
 * A global cap on concurrent upstream calls with a bounded queue. The pool already bounds sockets,
 * but its queue has no end: under a burst, requests would wait without limit and time out late.
 * Beyond `maxQueue` waiting calls, new ones are refused at once (load shedding).
 */
import { UpstreamAbortedError, UpstreamOverloadedError } from '../errors';

export class ConcurrencyLimiter {
  private active = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    private readonly maxConcurrent: number,
    private readonly maxQueue: number,
  ) {}

  get inFlight(): number {
    return this.active;
  }

  get waiting(): number {
    return this.queue.length;
  }

  async run<T>(endpoint: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(endpoint, signal);
    try {
      return await call();
    } finally {
      this.release();
    }
  }

  private acquire(endpoint: string, signal: AbortSignal | undefined): Promise<void> {
    if (this.active < this.maxConcurrent) {
      this.active += 1;
      return Promise.resolve();
    }
    if (this.queue.length >= this.maxQueue) return Promise.reject(new UpstreamOverloadedError(endpoint, this.maxQueue));
    if (signal?.aborted) return Promise.reject(new UpstreamAbortedError(endpoint, signal.reason));
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        this.active += 1;
        resolve();
      };
      const onAbort = (): void => {
        const index = this.queue.indexOf(grant);
        if (index >= 0) this.queue.splice(index, 1);
        reject(new UpstreamAbortedError(endpoint, signal?.reason));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(grant);
    });
  }

  private release(): void {
    this.active -= 1;
    this.queue.shift()?.();
  }
}

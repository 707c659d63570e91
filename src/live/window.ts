/**
 * The replay window: the last `capacity` changes in USN order, shared by every subscriber (each holds
 * only a cursor into it, so memory does not grow with subscribers or with how far behind they are).
 * `floor` is the promise: every change the gateway saw above it is still here.
 */
import type { ChangeEvent } from './change';

export class ChangeWindow {
  private events: ChangeEvent[] = [];
  /** session id → USN of its newest change here: an older one is superseded (coalescing). */
  private readonly newest = new Map<string, number>();
  private floorUsn: number | undefined;
  private headUsn: number | undefined;

  constructor(readonly capacity: number) {}

  /** undefined until the first poll has set the starting point. */
  get floor(): number | undefined {
    return this.floorUsn;
  }

  /** The highest USN seen. */
  get head(): number | undefined {
    return this.headUsn;
  }

  get size(): number {
    return this.events.length;
  }

  /** Starts (or restarts, after changes were lost) from `usn`: nothing at or below it is known. */
  reset(usn: number): void {
    this.events = [];
    this.newest.clear();
    this.floorUsn = usn;
    this.headUsn = usn;
  }

  /** Appends changes in USN order, above the head; the oldest fall out past the capacity. */
  append(batch: readonly ChangeEvent[]): void {
    for (const event of batch) {
      if (this.headUsn !== undefined && event.usn <= this.headUsn) continue;
      this.events.push(event);
      this.newest.set(event.session.id, event.usn);
      this.headUsn = event.usn;
    }
    const excess = this.events.length - this.capacity;
    if (excess <= 0) return;
    for (const evicted of this.events.splice(0, excess)) {
      if (this.newest.get(evicted.session.id) === evicted.usn) this.newest.delete(evicted.session.id);
      this.floorUsn = evicted.usn;
    }
  }

  /** The first change above `usn`, with its position for `at`; undefined when there is none. */
  indexAfter(usn: number): number {
    let low = 0;
    let high = this.events.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.events[mid] as ChangeEvent).usn <= usn) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  at(index: number): ChangeEvent | undefined {
    return this.events[index];
  }

  /** A later change of the same session is in the window: this one's state is stale. */
  isSuperseded(event: ChangeEvent): boolean {
    return (this.newest.get(event.session.id) ?? event.usn) > event.usn;
  }
}

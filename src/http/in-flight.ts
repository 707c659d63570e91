/**
 * How many requests each client has in progress, capped: one client's burst of slow or heavy
 * requests holds at most `max` of the gateway's memory and upstream share at a time.
 */
export class InFlightLimit {
  private readonly counts = new Map<string, number>();

  constructor(readonly max: number) {}

  /** A release function when the client is under its cap, undefined when it is at it. */
  acquire(client: string): (() => void) | undefined {
    const current = this.counts.get(client) ?? 0;
    if (current >= this.max) return undefined;
    this.counts.set(client, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(client) ?? 1) - 1;
      // Entries live only while requests do: memory does not grow with the number of clients seen.
      if (left <= 0) this.counts.delete(client);
      else this.counts.set(client, left);
    };
  }

  inFlight(client: string): number {
    return this.counts.get(client) ?? 0;
  }
}

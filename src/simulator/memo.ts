/**
 * A bounded memo: derived data (protected items, logs) is generated on first use and kept, but only
 * for the most recently used keys, so a benchmark that walks 100,000 sessions cannot grow the heap
 * without end. Evicted entries are regenerated identically: the generator is deterministic.
 */
export class BoundedMemo<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string, make: () => V): V {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      // Re-inserted so that Map order is least recently used first.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = make();
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, value);
    return value;
  }

  /** Forgets a key whose source changed (a session that progressed): the next get regenerates it. */
  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * What tests and benchmarks read back: calls per endpoint and the last requests as received
 * (raw query strings included), so that assertions are about the wire, not about intentions.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  /** Raw query string without `?`, exactly as received. */
  query: string;
  endpoint: string;
  headers: Record<string, string | undefined>;
  /** 0 when the connection was dropped. */
  status: number;
  at: number;
  /** `1.1` or `2.0`, as the request line or ALPN said. */
  httpVersion: string;
  /** The client's port: calls with the same one came on the same connection. */
  remotePort: number;
}

/** Enough history for any test; bounded so that a benchmark cannot grow it without end. */
export const MAX_RECORDED_REQUESTS = 10_000;

export class Counters {
  private readonly counts = new Map<string, number>();

  add(endpoint: string): void {
    this.counts.set(endpoint, (this.counts.get(endpoint) ?? 0) + 1);
  }

  get(endpoint: string): number {
    return this.counts.get(endpoint) ?? 0;
  }

  total(): number {
    let sum = 0;
    for (const count of this.counts.values()) sum += count;
    return sum;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  reset(): void {
    this.counts.clear();
  }
}

export function record(requests: RecordedRequest[], entry: RecordedRequest): void {
  requests.push(entry);
  if (requests.length > MAX_RECORDED_REQUESTS) requests.splice(0, requests.length - MAX_RECORDED_REQUESTS);
}

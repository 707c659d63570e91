/**
 * Admission by memory: above a share of V8's heap limit, new client requests are refused with a 503
 * and Retry-After instead of being admitted into an out-of-memory crash that would drop every request
 * in progress. The budgets (MAX_QUERY_ROWS × MAX_CLIENT_REQUESTS, export concurrency) keep the heap
 * under the line in normal operation; this is the last line when many clients add up.
 */
import { getHeapStatistics } from 'node:v8';

/** Seconds a refused client should wait: long enough for in-flight answers to be sent and collected. */
export const HEAP_RETRY_AFTER_S = 2;

export interface HeapReading {
  used_heap_size: number;
  heap_size_limit: number;
}

export interface HeapAdmission {
  /** Whether a new request may start now. */
  admits(): boolean;
}

export function heapAdmission(maxUsedPercent: number, read: () => HeapReading = getHeapStatistics): HeapAdmission {
  return {
    admits() {
      const { used_heap_size: used, heap_size_limit: limit } = read();
      return used < (limit * maxUsedPercent) / 100;
    },
  };
}

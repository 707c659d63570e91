/**
 * What the client tests share: the operations a dashboard and a detail view send, and two finished
 * sessions of the simulator that processed one instance with different outcomes (FAILED in A,
 * SUCCEEDED in B): the case that broke normalised caches while an item's id was the instance's.
 */
import type { Simulator } from '../../src/simulator';

export const DASHBOARD = `query Dashboard($offset: Int!, $limit: Int!) {
  sessions(filter: { types: [POLICY] }, page: { offset: $offset, limit: $limit }) {
    totalCount offset limit hasNextPage
    items { id name status usn startTime durationMs protectedItems(page: { limit: 5 }) { totalCount items { id instanceId name status } } }
  }
}`;

export const DETAIL = `query Detail($id: ID!) {
  session(id: $id) {
    id name status usn durationMs
    protectedItems(page: { limit: 1000 }) { totalCount items { id instanceId sessionId name status region } }
  }
}`;

export interface DetailData {
  session: {
    id: string;
    status: string;
    protectedItems: { totalCount: number; items: Array<{ id: string; instanceId: string; sessionId: string; status: string | null }> };
  } | null;
}

export interface SharedInstance {
  instanceId: string;
  /** The instance FAILED in this session. */
  failedIn: string;
  /** …and SUCCEEDED in this one. */
  succeededIn: string;
}

/** Two finished sessions that share an instance, FAILED in the first and SUCCEEDED in the second. */
export function sharedInstance(sim: Simulator): SharedInstance {
  const seen = new Map<string, { failed?: string; succeeded?: string }>();
  for (const session of sim.data.sessions) {
    if (session.status === 'Running' || !session.executionStopTime) continue;
    for (const item of sim.data.protectedItems(session.id) ?? []) {
      const entry = seen.get(item.id) ?? {};
      if (item.status === 'Failed') entry.failed ??= session.id;
      if (item.status === 'Succeeded') entry.succeeded ??= session.id;
      seen.set(item.id, entry);
      if (entry.failed && entry.succeeded) return { instanceId: item.id, failedIn: entry.failed, succeededIn: entry.succeeded };
    }
  }
  throw new Error('the simulator has no instance that both failed and succeeded');
}

export const statusIn = (data: DetailData | undefined, instanceId: string): string | null | undefined =>
  data?.session?.protectedItems.items.find((item) => item.instanceId === instanceId)?.status;

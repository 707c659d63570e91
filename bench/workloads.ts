/**
 * The three workloads, each as a GraphQL query for the gateway and as "the floor": a plain script
 * that makes exactly the upstream calls the same data needs, with undici `request` directly, every
 * independent call at once, on an Agent with no connection cap (the physical floor).
 */
import { request, type Dispatcher } from 'undici';

export interface Upstream {
  /** An Agent without a connection cap: nothing waits for a socket. */
  dispatcher: Dispatcher;
  /** e.g. `http://127.0.0.1:4010` */
  origin: string;
  basePath: string;
  headers: Record<string, string>;
}

export interface Workload {
  name: 'dashboard' | 'report' | 'detail';
  description: string;
  query: string;
  variables: Record<string, unknown>;
  /** Fetches the same data straight from the appliance; returns the session ids it got. */
  floor(upstream: Upstream): Promise<string[]>;
  /** The session ids in the gateway's answer (for the one-off correctness check). */
  idsOf(data: unknown): string[];
}

interface Page<T> {
  totalCount: number;
  results: T[];
}
interface Session {
  id: string;
  _embedded?: { backupJobInfo?: unknown };
}

async function getJson<T>(upstream: Upstream, path: string): Promise<T> {
  const response = await request(`${upstream.origin}${upstream.basePath}${path}`, {
    dispatcher: upstream.dispatcher,
    headers: upstream.headers,
  });
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new Error(`floor call ${path} answered ${response.statusCode}`);
  }
  return (await response.body.json()) as T;
}

/** The upstream page size both sides respect (the appliance's Limit maximum is undocumented). */
export const PAGE_SIZE = 200;

/** The dashboard every benchmark drives: 50 newest sessions, the first 20 protected items of each. */
export const DASHBOARD_QUERY = `query Dashboard { sessions(page: {limit: 50}) { items { id name type status startTime stopTime durationMs
  protectedItems(page: {limit: 20}) { totalCount items { name status region } } } } }`;

export function workloads(detailId: string, reportFrom: string, reportTo: string): Workload[] {
  return [
    {
      name: 'dashboard',
      description: '50 newest sessions with name, type, status, times, and the first 20 protected items of each',
      query: DASHBOARD_QUERY,
      variables: {},
      async floor(upstream) {
        const page = await getJson<Page<Session>>(upstream, '/sessions?Offset=0&Limit=50&Sort=startTimeDesc&Sort=usnDesc');
        await Promise.all(
          page.results
            .filter((s) => s._embedded?.backupJobInfo !== undefined)
            .map((s) => getJson(upstream, `/sessions/${s.id}/protectedItems?Offset=0&Limit=20`)),
        );
        return page.results.map((s) => s.id);
      },
      idsOf: (data) => (data as { sessions: { items: Array<{ id: string }> } }).sessions.items.map((s) => s.id),
    },
    {
      name: 'report',
      description: 'failed and warning sessions over a 30-day range, 500 per page, no nesting',
      query: `query Report($from: DateTime!, $to: DateTime!) { sessions(filter: {status: [FAILED, WARNING], from: $from, to: $to},
        page: {limit: 500}) { totalCount items { id name type status result reason startTime stopTime durationMs usn } } }`,
      variables: { from: reportFrom, to: reportTo },
      async floor(upstream) {
        const filter = `Sort=startTimeDesc&Sort=usnDesc&Status=Failed&Status=Warning&FromUtc=${encodeURIComponent(reportFrom)}&ToUtc=${encodeURIComponent(reportTo)}`;
        // The first page says how many rows exist; only the pages that hold some are fetched, in parallel.
        const first = await getJson<Page<Session>>(upstream, `/sessions?Offset=0&Limit=${PAGE_SIZE}&${filter}`);
        const end = Math.min(500, first.totalCount);
        const offsets: number[] = [];
        for (let offset = PAGE_SIZE; offset < end; offset += PAGE_SIZE) offsets.push(offset);
        const rest = await Promise.all(
          offsets.map((offset) =>
            getJson<Page<Session>>(upstream, `/sessions?Offset=${offset}&Limit=${Math.min(PAGE_SIZE, end - offset)}&${filter}`),
          ),
        );
        return [first, ...rest].flatMap((p) => p.results.map((s) => s.id));
      },
      idsOf: (data) => (data as { sessions: { items: Array<{ id: string }> } }).sessions.items.map((s) => s.id),
    },
    {
      name: 'detail',
      description: 'one session by id with its log and all protected items',
      query: `query Detail($id: ID!) { session(id: $id) { id name status startTime stopTime
        log { time status message } protectedItems(page: {limit: 1000}) { totalCount items { id name status region } } } }`,
      variables: { id: detailId },
      async floor(upstream) {
        const [session] = await Promise.all([
          getJson<Session>(upstream, `/sessions/${detailId}`),
          getJson(upstream, `/sessions/${detailId}/log`),
          getJson(upstream, `/sessions/${detailId}/protectedItems?Offset=0&Limit=${PAGE_SIZE}`),
        ]);
        return [session.id];
      },
      idsOf: (data) => [(data as { session: { id: string } }).session.id],
    },
  ];
}

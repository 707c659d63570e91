/**
 * The example queries the gateway's playground opens with: what a dashboard, a report and a detail
 * view ask. `test/server/playground.test.ts` validates them against the schema.
 */
import type { PlaygroundTab } from './types';

export const DEFAULT_TABS: PlaygroundTab[] = [
  {
    name: 'Dashboard',
    query: `# The 50 newest sessions with the first 20 protected instances of each: a dashboard page.
query Dashboard {
  sessions(page: { limit: 50 }) {
    totalCount
    hasNextPage
    items {
      id
      name
      type
      status
      result
      startTime
      stopTime
      durationMs
      protectedItems(page: { limit: 20 }) {
        totalCount
        # id is this instance in this session; instanceId is the instance in every session.
        items { id instanceId name status region }
      }
    }
  }
}
`,
  },
  {
    name: 'FailedSessions',
    query: `# Failed and warning backup sessions over a date range, slowest first: a report.
query FailedSessions($from: DateTime!, $to: DateTime!, $offset: Int = 0) {
  sessions(
    filter: { status: [FAILED, WARNING], types: [POLICY], from: $from, to: $to }
    sort: [{ field: DURATION, direction: DESC }]
    page: { offset: $offset, limit: 500 }
  ) {
    totalCount
    hasNextPage
    items { id name status reason startTime durationMs usn }
  }
}
`,
    variables: JSON.stringify({ from: '2026-01-01T00:00:00Z', to: '2026-12-31T23:59:59Z' }, null, 2),
  },
  {
    name: 'SessionDetail',
    query: `# One session with its log and its protected instances, failed ones first.
# Put an id from the Dashboard tab in the variables.
query SessionDetail($id: ID!) {
  session(id: $id) {
    id
    name
    status
    startTime
    stopTime
    log { time status message }
    protectedItems(page: { limit: 1000 }, sort: [{ field: FAILED, direction: DESC }]) {
      totalCount
      items { id instanceId name status region }
    }
  }
}
`,
    variables: JSON.stringify({ id: '00000000-0000-4000-8000-000000000000' }, null, 2),
  },
  {
    name: 'LiveSessions',
    query: `# Sessions as they start, progress and finish (demo mode runs some every few seconds).
# Run it: each change replaces the result, and the same button stops it. Clients subscribe over
# SSE at /graphql/stream (as this page does) or WebSocket (graphql-transport-ws) at /graphql,
# e.g. curl -N -H 'accept: text/event-stream' 'http://HOST/graphql/stream?query=…'
subscription LiveSessions {
  sessionUpdates(filter: { types: [POLICY, USER_POLICY] }) {
    usn
    changes
    session {
      id
      name
      status
      startTime
      stopTime
      protectedItems(page: { limit: 5 }) { totalCount items { name status } }
    }
  }
}
`,
  },
];

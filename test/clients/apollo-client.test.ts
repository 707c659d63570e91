/**
 * Apollo Client 4 (core, InMemoryCache, HttpLink over fetch) against the running gateway: the
 * dashboard, paging with fetchMore and a merge function, and two session details that share an
 * instance — each keeps its own status in the normalised cache.
 */
import { ApolloClient, HttpLink, InMemoryCache, gql, type TypePolicies } from '@apollo/client';
import { startStack, type Stack } from '../helpers/stack';
import { DASHBOARD, DETAIL, sharedInstance, statusIn, type DetailData } from './fixtures';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack.close();
});

interface SessionPageData {
  sessions: {
    totalCount: number;
    offset: number;
    hasNextPage: boolean;
    items: Array<{ id: string; usn: string; durationMs: number | null }>;
  };
}

/** Offset paging into one cached list: each page lands at its offset (Apollo's documented pattern). */
const typePolicies: TypePolicies = {
  Query: {
    fields: {
      sessions: {
        keyArgs: ['filter', 'sort'],
        merge(existing: { items: unknown[] } | undefined, incoming: { items: unknown[] }, { args }) {
          const offset = (args?.['page'] as { offset?: number } | undefined)?.offset ?? 0;
          const items = existing ? existing.items.slice(0) : [];
          incoming.items.forEach((item, i) => {
            items[offset + i] = item;
          });
          return { ...incoming, items };
        },
      },
    },
  },
};

function client(policies: TypePolicies = typePolicies): ApolloClient {
  return new ApolloClient({
    link: new HttpLink({ uri: `${stack.gateway.url}/graphql`, fetch }),
    cache: new InMemoryCache({ typePolicies: policies }),
  });
}

describe('Apollo Client 4 with InMemoryCache', () => {
  it('loads the dashboard: Long as a string, durations as numbers', async () => {
    const result = await client().query<SessionPageData>({ query: gql(DASHBOARD), variables: { offset: 0, limit: 10 } });
    expect(result.error).toBeUndefined();
    const items = result.data?.sessions.items ?? [];
    expect(items).toHaveLength(10);
    for (const session of items) {
      expect(typeof session.usn).toBe('string');
      expect(session.durationMs === null || typeof session.durationMs === 'number').toBe(true);
    }
  });

  it('pages with fetchMore into one list through the merge function', async () => {
    const apollo = client();
    const observable = apollo.watchQuery<SessionPageData>({ query: gql(DASHBOARD), variables: { offset: 0, limit: 10 } });
    let settle: (value: SessionPageData | undefined) => void = () => undefined;
    const firstPage = new Promise<SessionPageData | undefined>((resolve) => (settle = resolve));
    const subscription = observable.subscribe((result) => {
      if (!result.loading) settle(result.data as SessionPageData | undefined);
    });
    try {
      expect((await firstPage)?.sessions.items).toHaveLength(10);
      await observable.fetchMore({ variables: { offset: 10, limit: 10 } });
      const merged = apollo.readQuery<SessionPageData>({ query: gql(DASHBOARD), variables: { offset: 0, limit: 10 } });
      const ids = merged?.sessions.items.map((s) => s.id) ?? [];
      const expected = stack.sim.data.sessions
        .filter((s) => s.type === 'Policy')
        .sort((a, b) => (b.executionStartTime ?? '').localeCompare(a.executionStartTime ?? '') || b.usn - a.usn)
        .slice(0, 20)
        .map((s) => s.id);
      expect(ids).toEqual(expected);
    } finally {
      subscription.unsubscribe();
    }
  });

  it("keeps session A's FAILED item FAILED after session B shows the same instance SUCCEEDED", async () => {
    const { instanceId, failedIn, succeededIn } = sharedInstance(stack.sim);
    const apollo = client();
    const a = await apollo.query<DetailData>({ query: gql(DETAIL), variables: { id: failedIn } });
    expect(statusIn(a.data, instanceId)).toBe('FAILED');
    const b = await apollo.query<DetailData>({ query: gql(DETAIL), variables: { id: succeededIn } });
    expect(statusIn(b.data, instanceId)).toBe('SUCCEEDED');
    stack.sim.counters.reset();
    const again = await apollo.query<DetailData>({ query: gql(DETAIL), variables: { id: failedIn }, fetchPolicy: 'cache-only' });
    expect(statusIn(again.data, instanceId)).toBe('FAILED');
    expect(stack.sim.counters.total()).toBe(0); // read from the cache, not refetched
  });

  it('(control) keyed by the instance alone, as before, the cache mixes the sessions up', async () => {
    const { instanceId, failedIn, succeededIn } = sharedInstance(stack.sim);
    const apollo = client({ ...typePolicies, ProtectedItem: { keyFields: ['instanceId'] } });
    await apollo.query<DetailData>({ query: gql(DETAIL), variables: { id: failedIn } });
    await apollo.query<DetailData>({ query: gql(DETAIL), variables: { id: succeededIn } });
    const again = await apollo.query<DetailData>({ query: gql(DETAIL), variables: { id: failedIn }, fetchPolicy: 'cache-only' });
    expect(statusIn(again.data, instanceId)).toBe('SUCCEEDED'); // the bug the (session, instance) id prevents
  });
});

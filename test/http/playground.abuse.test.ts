/**
 * Every way to misconfigure the playground, and the exact message that stops start-up.
 */
import { createPlayground, type PlaygroundOptions } from '../../src/http/playground/index';

const VALID: PlaygroundOptions = {
  graphqlPath: '/graphql',
  assetsPath: '/playground',
  title: 'Playground',
  tabs: [{ query: '{ __typename }' }],
};

function misuse(overrides: Partial<PlaygroundOptions>): () => void {
  return () => createPlayground({ ...VALID, ...overrides } as PlaygroundOptions);
}

describe('createPlayground refuses', () => {
  it.each([
    ['graphqlPath', 'graphql'],
    ['graphqlPath', '/graphql/'],
    ['graphqlPath', '/graphql?x=1'],
    ['graphqlPath', '//graphql'],
    ['assetsPath', '/playground/'],
    ['assetsPath', ''],
    ['subscriptionPath', 'graphql/stream'],
    ['subscriptionPath', '/graphql/stream/'],
    ['subscriptionPath', ''],
  ] as const)('%s %j', (option, value) => {
    expect(misuse({ [option]: value })).toThrow(
      new TypeError(
        `createPlayground: ${option} must be a URL path such as "/graphql" (leading "/", no trailing "/", no query), got ${JSON.stringify(value)}`,
      ),
    );
  });

  it('an assets path that is "/" or holds the endpoint', () => {
    expect(misuse({ assetsPath: '/' })).toThrow(
      new TypeError(
        'createPlayground: assetsPath must be a folder of its own, neither "/" nor containing graphqlPath, got assetsPath "/" and graphqlPath "/graphql"',
      ),
    );
    expect(misuse({ assetsPath: '/api', graphqlPath: '/api/graphql' })).toThrow(
      new TypeError(
        'createPlayground: assetsPath must be a folder of its own, neither "/" nor containing graphqlPath, got assetsPath "/api" and graphqlPath "/api/graphql"',
      ),
    );
    expect(misuse({ assetsPath: '/graphql' })).toThrow(
      new TypeError(
        'createPlayground: assetsPath must be a folder of its own, neither "/" nor containing graphqlPath, got assetsPath "/graphql" and graphqlPath "/graphql"',
      ),
    );
  });

  it('a subscription path inside the assets folder', () => {
    for (const subscriptionPath of ['/playground', '/playground/stream']) {
      expect(misuse({ subscriptionPath })).toThrow(
        new TypeError(
          `createPlayground: subscriptionPath must not be inside assetsPath, got subscriptionPath ${JSON.stringify(subscriptionPath)} and assetsPath "/playground"`,
        ),
      );
    }
  });

  it('a missing title', () => {
    expect(misuse({ title: undefined })).toThrow(new TypeError('createPlayground: title must be a string, got undefined'));
  });

  it('no tabs', () => {
    expect(misuse({ tabs: [] })).toThrow(new TypeError('createPlayground: tabs must list at least one example query, got []'));
  });

  it('a tab without a query', () => {
    expect(misuse({ tabs: [{ query: '{ a }' }, { variables: '{}' } as never] })).toThrow(
      new TypeError('createPlayground: tabs[1].query must be a string, got undefined'),
    );
  });

  it('variables that are not JSON', () => {
    expect(misuse({ tabs: [{ query: '{ a }', variables: '{ limit: 5 }' }] })).toThrow(
      new TypeError('createPlayground: tabs[0].variables must be JSON text, got "{ limit: 5 }"'),
    );
  });

  it('a name GraphiQL would not show as the tab title', () => {
    expect(misuse({ tabs: [{ name: 'Sessions', query: 'query AllSessions { a }' }] })).toThrow(
      new TypeError(
        'createPlayground: tabs[0] is named "Sessions" but GraphiQL will title it "AllSessions" (the query\'s operation name); make them equal or leave name out',
      ),
    );
    expect(misuse({ tabs: [{ name: 'Sessions', query: '# query Sessions\n{ a }' }] })).toThrow(
      new TypeError(
        'createPlayground: tabs[0] is named "Sessions" but GraphiQL will title it "<untitled>" (the query\'s operation name); make them equal or leave name out',
      ),
    );
  });
});

describe('createPlayground accepts', () => {
  it('"/" as the endpoint, nested paths, and a name equal to the operation name', () => {
    expect(misuse({ graphqlPath: '/', assetsPath: '/_playground' })).not.toThrow();
    expect(misuse({ graphqlPath: '/api/v1/graphql', assetsPath: '/api/v1/playground' })).not.toThrow();
    expect(misuse({ subscriptionPath: '/graphql/stream' })).not.toThrow();
    expect(misuse({ subscriptionPath: '/graphql' })).not.toThrow();
    expect(
      misuse({ tabs: [{ name: 'Sessions', query: '# A comment\nquery Sessions($n: Int) { a }', variables: '{"n":1}' }] }),
    ).not.toThrow();
  });
});

/**
 * Checks the playground's options once, at creation: a mistake here should stop start-up with a
 * message naming the bad value, not show up later as a blank page or a mislabelled example.
 */
import type { PlaygroundOptions, PlaygroundTab } from './types';

/** An absolute URL path: "/" or "/segment[/segment…]", no empty segment, query or fragment. */
const URL_PATH = /^\/(?:[^/?#\s]+(?:\/[^/?#\s]+)*)?$/;

/**
 * The title GraphiQL 3 gives a tab: the same regex as its `fuzzyExtractOperationName`
 * (@graphiql/react `src/editor/tabs.ts`), first `query|mutation|subscription Name` not in a comment.
 */
export function graphiqlTabTitle(query: string): string | null {
  return /^(?!#).*(query|subscription|mutation)\s+([a-zA-Z0-9_]+)/m.exec(query)?.[2] ?? null;
}

function checkPath(option: 'graphqlPath' | 'assetsPath' | 'subscriptionPath', value: unknown): string {
  if (typeof value !== 'string' || !URL_PATH.test(value)) {
    throw new TypeError(
      `createPlayground: ${option} must be a URL path such as "/graphql" (leading "/", no trailing "/", no query), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function checkTab(tab: PlaygroundTab, index: number): void {
  if (typeof tab.query !== 'string') {
    throw new TypeError(`createPlayground: tabs[${index}].query must be a string, got ${JSON.stringify(tab.query)}`);
  }
  if (tab.variables !== undefined) {
    try {
      JSON.parse(tab.variables);
    } catch {
      throw new TypeError(`createPlayground: tabs[${index}].variables must be JSON text, got ${JSON.stringify(tab.variables)}`);
    }
  }
  if (tab.name !== undefined) {
    const title = graphiqlTabTitle(tab.query);
    if (title !== tab.name) {
      throw new TypeError(
        `createPlayground: tabs[${index}] is named ${JSON.stringify(tab.name)} but GraphiQL will title it ${JSON.stringify(title ?? '<untitled>')} (the query's operation name); make them equal or leave name out`,
      );
    }
  }
}

export function checkPlaygroundOptions(options: PlaygroundOptions): PlaygroundOptions {
  const graphqlPath = checkPath('graphqlPath', options.graphqlPath);
  const assetsPath = checkPath('assetsPath', options.assetsPath);
  if (assetsPath === '/' || graphqlPath === assetsPath || graphqlPath.startsWith(`${assetsPath}/`)) {
    // Asset names are matched under assetsPath: the endpoint must not live in that folder.
    throw new TypeError(
      `createPlayground: assetsPath must be a folder of its own, neither "/" nor containing graphqlPath, got assetsPath ${JSON.stringify(assetsPath)} and graphqlPath ${JSON.stringify(graphqlPath)}`,
    );
  }
  if (options.subscriptionPath !== undefined) {
    const subscriptionPath = checkPath('subscriptionPath', options.subscriptionPath);
    if (subscriptionPath === assetsPath || subscriptionPath.startsWith(`${assetsPath}/`)) {
      throw new TypeError(
        `createPlayground: subscriptionPath must not be inside assetsPath, got subscriptionPath ${JSON.stringify(subscriptionPath)} and assetsPath ${JSON.stringify(assetsPath)}`,
      );
    }
  }
  if (typeof options.title !== 'string') {
    throw new TypeError(`createPlayground: title must be a string, got ${JSON.stringify(options.title)}`);
  }
  if (!Array.isArray(options.tabs) || options.tabs.length === 0) {
    throw new TypeError(`createPlayground: tabs must list at least one example query, got ${JSON.stringify(options.tabs)}`);
  }
  options.tabs.forEach(checkTab);
  return options;
}

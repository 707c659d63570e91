/**
 * The playground's live tab in a real browser with the outside network blocked: running the
 * `LiveSessions` subscription opens a GraphQL-over-SSE stream to the gateway (graphql-sse, served by
 * the gateway itself), a session that starts, progresses and finishes in the simulator shows up in
 * the result pane change by change, and the stop button ends the stream. The live poller runs by
 * hand (`tick()`), so each change is delivered exactly when the test says.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { startLiveStack, until, type LiveStack } from '../live/live-stack';

let stack: LiveStack;
let browser: Browser;
/**
 * One context for both tests, closed with the browser (under @sparticuz/chromium's
 * `--single-process`, closing a context took the browser down). Its pages share localStorage, so
 * the second test's page opens with the tabs GraphiQL saved in the first.
 */
let context: BrowserContext;

beforeAll(async () => {
  stack = await startLiveStack();
  browser = await launchChromium();
  context = await browser.newContext();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const live = () => stack.gateway.live.stats();

interface Watched {
  page: Page;
  /** Every request the page tried outside the gateway (all aborted). */
  blocked: string[];
  consoleErrors: string[];
  /** The page's requests to the gateway, as `METHOD /path`. */
  requests: string[];
}

/** The playground on its live tab, with the network outside the gateway blocked. */
async function openPlayground(): Promise<Watched> {
  const page = await context.newPage();
  const blocked: string[] = [];
  const requests: string[] = [];
  const gatewayHost = new URL(stack.gateway.url).host;
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.host !== gatewayHost) {
      blocked.push(url.href);
      return route.abort();
    }
    requests.push(`${route.request().method()} ${url.pathname}`);
    return route.continue();
  });
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  await page.goto(`${stack.gateway.url}/graphql`);
  await page.locator(QUERY_EDITOR).first().waitFor({ timeout: 30_000 });
  await page.locator('.graphiql-tab').filter({ hasText: 'LiveSessions' }).locator('.graphiql-tab-button').first().click();
  await operationSelected(page, 'LiveSessions');
  return { page, blocked, consoleErrors, requests };
}

/** GraphiQL's query editor element: CodeMirror 5 hangs its instance on it, with GraphiQL's operation. */
interface QueryEditorElement {
  CodeMirror: { operationName?: string | null; setValue(text: string): void };
}

/** The page's own globals, for functions run in the browser (the project compiles without the DOM library). */
interface PageGlobals {
  document: { querySelector(selector: string): unknown };
}

const QUERY_EDITOR = '.graphiql-query-editor .CodeMirror';

/**
 * Waits until GraphiQL has taken in the query editor's contents: it updates the operation it will
 * run 100 ms after an edit or a tab switch, and a Run before that would send the previous one.
 */
async function operationSelected(page: Page, operationName: string): Promise<void> {
  await page.waitForFunction(
    ({ selector, name }) =>
      ((globalThis as unknown as PageGlobals).document.querySelector(selector) as QueryEditorElement).CodeMirror.operationName === name,
    { selector: QUERY_EDITOR, name: operationName },
  );
}

/** The result pane's text once it shows `expected`; CodeMirror renders every line of a short result. */
async function resultShowing(page: Page, ...expected: string[]): Promise<string> {
  const result = page.locator('.graphiql-response .CodeMirror');
  for (const text of expected) await result.getByText(text, { exact: false }).first().waitFor({ timeout: 15_000 });
  return result.innerText();
}

it('shows a session starting, progressing and finishing, over SSE, offline', async () => {
  const { page, blocked, consoleErrors, requests } = await openPlayground();
  const execute = page.locator('.graphiql-execute-button');
  await execute.click();
  // The stream is open and the start-up poll has set the high-water mark.
  await until(() => live().subscribers === 1 && live().head !== undefined, 'the playground to subscribe');
  expect(requests).toContain('POST /graphql/stream');

  const id = stack.sim.activity.start();
  const started = stack.sim.activity.lastUsn();
  await stack.tick();
  let shown = await resultShowing(page, id, `"usn": "${started}"`);
  expect(shown).toContain('"NEW"');
  expect(shown).toContain('"status": "RUNNING"');

  const progressed = stack.sim.activity.progress(id, 2);
  await stack.tick();
  shown = await resultShowing(page, `"usn": "${progressed}"`, '"PROGRESS"');
  expect(shown).toContain('"totalCount": 2');

  const finished = stack.sim.activity.finish(id, 'Failed');
  await stack.tick();
  shown = await resultShowing(page, `"usn": "${finished}"`, '"FINISHED"');
  expect(shown).toContain('"STATUS"');
  expect(shown).toContain('"status": "FAILED"');
  expect(shown).toContain(id);
  expect(shown).not.toContain('"errors"');
  await page.screenshot({ path: '/tmp/playground-live.png' });

  // While subscribed the execute button stops the subscription, which closes the stream.
  await execute.click();
  await until(() => live().subscribers === 0, 'the stream to close');

  expect(blocked).toEqual([]);
  expect(consoleErrors.filter((text) => !/favicon/.test(text))).toEqual([]);
});

it('shows the gateway’s error when it refuses the subscription', async () => {
  const { page, blocked, consoleErrors } = await openPlayground();
  // An invalid subscription: the gateway answers 400 with its JSON errors before streaming.
  await page.evaluate(
    ({ selector, query }) =>
      ((globalThis as unknown as PageGlobals).document.querySelector(selector) as QueryEditorElement).CodeMirror.setValue(query),
    { selector: QUERY_EDITOR, query: 'subscription Broken { sessionUpdates { noSuchField } }' },
  );
  await operationSelected(page, 'Broken');
  await page.locator('.graphiql-execute-button').click();
  const shown = await resultShowing(page, 'noSuchField', '"errors"');
  expect(shown).toContain('GRAPHQL_VALIDATION_FAILED');
  expect(live().subscribers).toBe(0);

  expect(blocked).toEqual([]);
  // Chromium logs every 4xx response; nothing else may be logged.
  expect(consoleErrors.filter((text) => !/favicon|status of 400/.test(text))).toEqual([]);
});

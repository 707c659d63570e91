/**
 * The playground in a real browser with the outside network blocked: it must load everything from
 * the gateway, and a sessions query run by clicking must show data from the simulator.
 */
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { startStack, type Stack } from '../helpers/stack';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({ simulator: { sessionCount: 120 } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

it('runs the preloaded dashboard query by clicking, offline', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const blocked: string[] = [];
  const gatewayHost = new URL(stack.gateway.url).host;
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.host === gatewayHost) return route.continue();
    blocked.push(url.href);
    return route.abort();
  });
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });

  await page.goto(`${stack.gateway.url}/graphql`);
  await page.locator('.graphiql-query-editor .CodeMirror').first().waitFor({ timeout: 30_000 });
  await page.locator('.graphiql-execute-button').click();
  const result = page.locator('.graphiql-response .CodeMirror');
  await result.getByText('"totalCount": 120', { exact: false }).first().waitFor({ timeout: 30_000 });
  await page.screenshot({ path: '/tmp/playground.png' });

  expect(await result.innerText()).toContain('"protectedItems"');
  expect(blocked).toEqual([]);
  expect(consoleErrors.filter((text) => !/favicon/.test(text))).toEqual([]);
  expect(stack.sim.counters.get('GET /sessions')).toBeGreaterThanOrEqual(1);
  await context.close();
});

/**
 * Headless Debian Chromium driven by playwright-core: never a browser download. A missing binary
 * fails the test with the fix in the message — a browser test that skips itself proves nothing.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** `--disable-background-networking` keeps Chromium itself from calling home (updates, safe browsing …). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Browser tests need Debian's Chromium at ${CHROMIUM_PATH}, which is missing: install it with \`apt-get install -y chromium\` (as .ci/run does). Playwright's own browser download is deliberately not used.`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

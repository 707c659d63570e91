/**
 * Headless Chromium driven by playwright-core, never Playwright's browser download. The binary is,
 * in order: `CHROMIUM_PATH`, the system's `chromium` (Debian's /usr/bin/chromium), else the npm
 * devDependency @sparticuz/chromium, whose binary ships inside its tarball, so `npm ci` alone is
 * enough (no apt, no root). A browser test that skips itself proves nothing: a failure to launch fails.
 */
import { existsSync } from 'node:fs';
import type PackagedChromium from '@sparticuz/chromium' with { 'resolution-mode': 'import' };
import { chromium, type Browser } from 'playwright-core';

export const SYSTEM_CHROMIUM_PATH = '/usr/bin/chromium';

/** `--disable-background-networking` keeps Chromium itself from calling home (updates, safe browsing …). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** Lambda-oriented flags of @sparticuz/chromium that would make the browser laxer than a user's. */
const WEAKENING_ARGS = new Set(['--disable-web-security', '--allow-running-insecure-content', '--disable-site-isolation-trials']);

export interface ChromiumBinary {
  executablePath: string;
  args: string[];
  source: 'CHROMIUM_PATH' | 'system' | '@sparticuz/chromium';
}

export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<ChromiumBinary> {
  const configured = env['CHROMIUM_PATH'];
  if (configured !== undefined && configured !== '') {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist`);
    return { executablePath: configured, args: CHROMIUM_ARGS, source: 'CHROMIUM_PATH' };
  }
  if (existsSync(SYSTEM_CHROMIUM_PATH)) return { executablePath: SYSTEM_CHROMIUM_PATH, args: CHROMIUM_ARGS, source: 'system' };
  // Its CommonJS build, loaded only here: jest runs without --experimental-vm-modules, where
  // `await import()` of an ES module fails. Unpacks its binary into the temp directory on first use.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const packagedChromium = require('@sparticuz/chromium') as typeof PackagedChromium;
  const args = [...new Set([...packagedChromium.args.filter((arg) => !WEAKENING_ARGS.has(arg)), ...CHROMIUM_ARGS])];
  return { executablePath: await packagedChromium.executablePath(), args, source: '@sparticuz/chromium' };
}

export async function launchChromium(): Promise<Browser> {
  const binary = await findChromium();
  return chromium.launch({ executablePath: binary.executablePath, args: binary.args });
}

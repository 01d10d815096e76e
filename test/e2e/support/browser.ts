import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { AppProcess } from './app-process';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
// The policy the site must work under: nothing inline, no eval, nothing from elsewhere.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The machine's Chromium, driven by playwright-core (it never downloads a browser of its own). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
}

/**
 * A page signed in to `app` that fails the test on any script error or CSP violation, so broken client
 * code cannot pass unnoticed. Every document gets the strict CSP, whether or not the app sends one itself.
 */
export async function newPage(
  browser: Browser,
  app: AppProcess,
  options: { dark?: boolean; width?: number } = {},
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: 860 },
    colorScheme: options.dark ? 'dark' : 'light',
  });
  // Signed in as the app's admin.
  await context.addCookies([{ ...app.admin.cookie, url: app.url }]);
  await context.route('**/*', async (route) => {
    if (route.request().resourceType() !== 'document') return route.continue();
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': CSP } });
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    // "Refused to …" (a CSP violation) is an error message too, and fails the test.
    // A refused request (409, 400) is logged by the browser as a failed resource: expected, not a script error.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(msg.text());
  });
  return { page, errors };
}

/**
 * Saves a screenshot under test-results/e2e/; with UPDATE_SCREENSHOTS=1 also as docs/screenshots/,
 * the ones the README shows.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dirs = [path.join(ROOT, 'test-results', 'e2e')];
  if (process.env.UPDATE_SCREENSHOTS === '1') dirs.push(path.join(ROOT, 'docs', 'screenshots'));
  const image = await page.screenshot({ fullPage: true });
  for (const dir of dirs) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${name}.png`), image);
  }
}

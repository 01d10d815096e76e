import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { AppProcess } from './support/app-process';
import { withAppAndBrowser } from './support/suite';

let app: AppProcess;
let browser: Browser;
withAppAndBrowser(async (a, b) => {
  [app, browser] = [a, b];
  const added = await app.api('/api/users', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'eve', password: 'first password', role: 'viewer' }),
  });
  expect(added.status).toBe(201);
});

/** A fresh browser (no cookie) whose script errors and CSP violations are collected. */
async function freshBrowser(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(msg.text());
  });
  return { context, page, errors };
}

async function signIn(page: Page, password: string): Promise<void> {
  await page.goto(`${app.url}/login`);
  await page.fill('#f-name', 'eve');
  await page.fill('#f-password', password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${app.url}/`);
}

const sessionCookie = async (context: BrowserContext) => (await context.cookies(app.url)).find((c) => c.name === 'taskrun_session')!.value;

describe('a user’s own password, in a real browser', () => {
  it('is changed from the page linked in the top bar; the other browser is signed out, and signing in again ends the old session', async () => {
    const mine = await freshBrowser();
    const other = await freshBrowser();
    await signIn(mine.page, 'first password');
    await signIn(other.page, 'first password');

    await mine.page.getByRole('link', { name: 'Password' }).click();
    await mine.page.waitForURL(`${app.url}/account/password`);
    await mine.page.fill('#f-current', 'first password');
    await mine.page.fill('#f-new', 'second password');
    await mine.page.fill('#f-confirm', 'second password');
    await mine.page.getByRole('button', { name: 'Change password' }).click();
    await mine.page.waitForURL(`${app.url}/account/password?changed=1`);
    await mine.page.getByText('Your password is changed.').waitFor();

    await other.page.goto(`${app.url}/runs`);
    expect(new URL(other.page.url()).pathname).toBe('/login');

    const before = await sessionCookie(mine.context);
    await signIn(mine.page, 'second password');
    expect(await sessionCookie(mine.context)).not.toBe(before);
    const old = await fetch(`${app.url}/api/tasks`, { headers: { cookie: `taskrun_session=${before}` } });
    expect(old.status).toBe(401);

    expect([...mine.errors, ...other.errors]).toEqual([]);
    await mine.context.close();
    await other.context.close();
  });
});

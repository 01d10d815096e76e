import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppProcess } from './support/app-process';
import { newPage, screenshot } from './support/browser';
import { execute, waitEnded } from './support/runs';
import { withAppAndBrowser } from './support/suite';

let app: AppProcess;
let browser: Browser;
let evil: http.Server;
let evilUrl: string;
withAppAndBrowser(async (a, b) => {
  [app, browser] = [a, b];
  // Another origin (another port) whose page posts to taskrun, as a malicious site would.
  evil = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><form id="f" method="post" action="${app.url}/tasks/victim/run"></form>
      <form id="g" method="post" action="${app.url}/tasks/victim/delete"><input name="_csrf" value="guess"></form>
      <script>document.getElementById(location.hash === '#delete' ? 'g' : 'f').submit();</script>`);
  });
  await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
  evilUrl = `http://localhost:${(evil.address() as { port: number }).port}/`;
});
afterAll(() => {
  evil?.close();
});

describe('against the classic attacks, in a real browser', () => {
  it('refuses a cross-site form post made with the signed-in user’s cookie', async () => {
    fs.writeFileSync(path.join(app.tasksDir, 'victim.sh'), 'echo should never run\n');
    const context = await browser.newContext();
    await context.addCookies([{ ...app.admin.cookie, url: app.url }]);
    const page = await context.newPage();
    for (const hash of ['', '#delete']) {
      const answer = page.waitForResponse((r) => r.url().startsWith(app.url) && r.request().method() === 'POST');
      await page.goto(evilUrl + hash);
      expect((await answer).status()).toBe(403);
    }
    const runs = (await (await app.api('/api/runs?task_id=victim')).json()) as { runs: unknown[] };
    expect(runs.runs).toHaveLength(0);
    expect(fs.existsSync(path.join(app.tasksDir, 'victim.sh'))).toBe(true);
    await context.close();
  });

  it('shows a description and a log holding <script> and <img onerror> as text, running nothing', async () => {
    const payload = `<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">`;
    const created = await app.api('/api/tasks', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'xss',
        language: 'sh',
        description: payload,
        content: `echo '${payload}'\nprintf '\\033[31m%s\\033[0m\\n' '${payload}'\n`,
      }),
    });
    expect(created.status).toBe(201);
    const runId = await execute(app, 'xss');
    expect(await waitEnded(app, runId)).toBe('success');
    const { page, errors } = await newPage(browser, app);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    for (const url of ['/', `/tasks/xss/edit`, `/runs/${runId}`, '/runs']) {
      await page.goto(app.url + url);
      await page.waitForLoadState('networkidle');
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator('main img[src="x"]').count()).toBe(0);
    }
    await page.goto(`${app.url}/runs/${runId}`);
    await page.getByText('<script>window.__pwned = 1</script>', { exact: false }).first().waitFor();
    await screenshot(page, 'xss-as-text');
    expect(dialogs).toEqual([]);
    expect(errors.filter((e) => !e.includes('Failed to load'))).toEqual([]);
  });

  it('sends a strict Content-Security-Policy and the other security headers with every page', async () => {
    const res = await fetch(`${app.url}/login`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
  });

  it('sends an anonymous visitor to sign in, and signs in through the form', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.url}/runs`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#f-name', 'admin');
    await page.fill('#f-password', 'e2e-admin-password');
    await page.click('button[type=submit]');
    await page.waitForURL(`${app.url}/runs`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    await context.close();
  });
});

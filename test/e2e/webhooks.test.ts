import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newPage, screenshot } from './support/browser';
import { writeTask, type AppProcess } from './support/app-process';
import { withAppAndBrowser } from './support/suite';

let app: AppProcess;
let browser: Browser;
withAppAndBrowser((a, b) => ([app, browser] = [a, b]));

describe('webhooks and notifications, in a real browser against `npm start`', () => {
  it('creates a webhook on the task page, shows its secret once, and a call to it starts a run', async () => {
    writeTask(app, 'deploy.sh', 'echo "deploying from $TASKRUN_TASK_ID"\n');
    const { page, errors } = await newPage(browser, app);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
    await page.goto(`${app.url}/tasks/deploy/edit`);
    await page.locator('#webhooks .empty').filter({ hasText: 'No webhooks yet.' }).waitFor();

    await page.fill('#f-hook-name', 'from CI');
    await page.click('#webhooks button[type=submit]');
    const shown = page.locator('#webhooks .secret-once code');
    await shown.waitFor();
    const url = (await shown.textContent())!;
    expect(url).toMatch(new RegExp(`^${app.url}/hooks/whk_[A-Za-z0-9_-]{43}$`));
    expect(await page.textContent('#webhooks .secret-once pre')).toContain(`'${url}'`);
    await page.click('#webhooks .secret-once button[data-copy^="#hook-url-"]');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
    await screenshot(page, 'webhook-created');

    // Shown once: the page loaded again lists the webhook, never its secret.
    await page.reload();
    await page.locator('#webhooks td[data-label="Name"]').filter({ hasText: 'from CI' }).waitFor();
    expect(await page.content()).not.toContain(url.split('/hooks/')[1]!);

    // The call, as CI would make it: no session, no CSRF token, only the secret URL.
    const res = await fetch(url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(202);
    const { run_id } = await res.json();
    await page.goto(`${app.url}/runs/${run_id}`);
    await page.locator('#run-status[data-status="success"]').waitFor({ timeout: 30_000 });
    await page.locator('#log').filter({ hasText: 'deploying from deploy' }).waitFor();
    expect(await page.textContent('#run-status')).toContain('webhook');
    expect(errors).toEqual([]);
  });

  it('adds a notification target on the task page; the runner signs and sends, and the delivery log shows it', async () => {
    const got: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      writeTask(app, 'report.sh', 'echo reporting\n');
      const { page, errors } = await newPage(browser, app);
      await page.goto(`${app.url}/tasks/report/edit`);
      await page.locator('#notifications .empty').filter({ hasText: 'No targets yet.' }).waitFor();
      await page.fill('#f-target-name', 'team chat');
      await page.fill('#f-target-url', `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/taskrun`);
      await page.check('#notifications input[name=events][value=success]');
      await page.click('#notifications .target-form button[type=submit]');
      const secret = (await page.locator('#notifications .secret-once code.secret-value').textContent())!;
      expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

      const run = await (await app.api('/api/tasks/report/execute', { method: 'POST' })).json();
      const deadline = Date.now() + 30_000;
      while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(got).toHaveLength(1);
      const payload = JSON.parse(got[0]!.body);
      expect(payload).toMatchObject({
        event: 'success',
        task_id: 'report',
        run: { run_id: run.run_id, status: 'success' },
        url: `${app.url}/runs/${run.run_id}`,
      });
      const signature = `sha256=${crypto.createHmac('sha256', secret).update(got[0]!.body).digest('hex')}`;
      expect(got[0]!.headers['x-taskrun-signature']).toBe(signature);

      await page.reload();
      await page.click('#notifications button[hx-get$="/deliveries"]');
      const row = page.locator('#delivery-log tbody tr').first();
      await row.locator('.badge').filter({ hasText: 'delivered' }).waitFor();
      expect(await row.textContent()).toContain('204');
      expect(await row.textContent()).toContain(`#${run.run_id}`);
      await screenshot(page, 'notification-delivered');
      expect(errors).toEqual([]);
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });
});

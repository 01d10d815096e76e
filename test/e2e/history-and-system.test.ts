import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newPage, screenshot } from './support/browser';
import { writeTask, type AppProcess } from './support/app-process';
import { execute, waitEnded } from './support/runs';
import { withAppAndBrowser } from './support/suite';

// A log with colours, for the screenshots.
const DEPLOY = [
  'printf "\\033[1mdeploying\\033[0m web to \\033[36mproduction\\033[0m\\n"',
  'for step in fetch build test migrate restart; do printf "\\033[32m✓\\033[0m %-8s \\033[2m(%s ms)\\033[0m\\n" $step $((RANDOM % 900)); done',
  'printf "\\033[33mwarning\\033[0m: 2 deprecated settings\\n" >&2',
  'printf "\\033[38;5;208mcache\\033[0m warmed, \\033[38;2;80;160;255mhealth checks\\033[0m passing\\n"',
  'printf "\\033[1;32mdone\\033[0m\\n"',
].join('\n');
const DESCRIPTIONS: Record<string, string> = {
  backup: 'Nightly database backup to the object store',
  broken: 'Checks the mail relay (fails until the relay is fixed)',
  deploy: 'Deploys the web app to production',
};

let app: AppProcess;
let browser: Browser;
withAppAndBrowser(async (a, b) => {
  [app, browser] = [a, b];
  writeTask(app, 'backup.sh', 'printf "\\033[1;34mbackup\\033[0m done\\n"\n');
  writeTask(app, 'broken.sh', 'echo "something is off" >&2\nexit 2\n');
  writeTask(app, 'deploy.sh', DEPLOY);
  for (const [id, description] of Object.entries(DESCRIPTIONS)) {
    await app.api(`/api/tasks/${id}`, { method: 'PUT', body: JSON.stringify({ description }) });
  }
  for (const id of ['backup', 'broken', 'backup', 'broken', 'backup']) await waitEnded(app, await execute(app, id));
});

describe('history and system pages, in a real browser against `npm start`', () => {
  it('lists runs newest first and filters them by task and status, keeping the filters in the address', async () => {
    const { page, errors } = await newPage(browser, app);
    await page.goto(`${app.url}/runs`);
    const tasks = () => page.$$eval('#runs-results tbody tr td[data-label="Task"]', (cells) => cells.map((c) => c.textContent));
    const ids = () => page.$$eval('#runs-results tbody tr th a', (links) => links.map((a) => Number(a.textContent?.slice(1))));
    expect(await tasks()).toEqual(['backup', 'broken', 'backup', 'broken', 'backup']);
    const all = await ids();
    expect([...all].sort((a, b) => b - a)).toEqual(all);
    await screenshot(page, 'runs');

    await page.fill('input[name="task_id"]', 'broken');
    await page.press('input[name="task_id"]', 'Enter');
    await page.waitForURL(/task_id=broken/);
    await page.waitForFunction(() =>
      [...document.querySelectorAll('#runs-results td[data-label="Task"]')].every((c) => c.textContent === 'broken'),
    );
    expect(await tasks()).toEqual(['broken', 'broken']);

    await page.selectOption('select[name="status"]', 'success');
    await page.locator('#runs-results .empty').filter({ hasText: 'No runs match' }).waitFor();
    expect(page.url()).toContain('status=success');

    await page.selectOption('select[name="status"]', 'failed');
    await page.locator('#runs-results tbody tr').first().waitFor();
    expect(await tasks()).toEqual(['broken', 'broken']);

    await page.click(`#runs-results tbody tr th a`);
    await page.waitForURL(/\/runs\/\d+$/);
    await page.locator('#run-status[data-status="failed"]').waitFor();
    await page.locator('#log').filter({ hasText: 'something is off' }).waitFor();
    expect(errors).toEqual([]);
  });

  it('shows system figures that change every few seconds, with charts and the runner', async () => {
    const { page, errors } = await newPage(browser, app);
    await page.goto(`${app.url}/system`);
    const stats = async () => page.getAttribute('#system-stats', 'data-sample');
    const first = await stats();
    await page.waitForFunction((before) => document.querySelector('#system-stats')?.getAttribute('data-sample') !== before, first, {
      timeout: 20_000,
    });
    await page.waitForFunction(() => Number(document.querySelector('svg[data-chart="cpu"]')?.getAttribute('data-points')) >= 2);
    expect(await page.textContent('#system-stats')).toContain('/ 5'); // the runner and its slots
    expect(await page.locator('#processes tbody tr').count()).toBeGreaterThan(0);
    await page.waitForFunction(() => Number(document.querySelector('svg[data-chart="cpu"]')?.getAttribute('data-points')) >= 3, null, {
      timeout: 20_000,
    });
    await screenshot(page, 'system');
    expect(errors).toEqual([]);
  });

  it('shows the task list and a coloured log', async () => {
    const { page, errors } = await newPage(browser, app);
    const runId = await execute(app, 'deploy');
    await waitEnded(app, runId);
    await page.goto(`${app.url}/runs/${runId}`);
    await page.locator('#log-end').waitFor();
    expect(await page.locator('#log .ansi-fg-256-208').textContent()).toBe('cache');
    await screenshot(page, 'run');
    await page.goto(app.url);
    expect(await page.locator('#task-rows tr').count()).toBe(3);
    await screenshot(page, 'tasks');
    expect(errors).toEqual([]);
  });

  it('looks right in dark mode and on a phone', async () => {
    const dark = await newPage(browser, app, { dark: true });
    await dark.page.goto(app.url);
    await screenshot(dark.page, 'tasks-dark');
    const phone = await newPage(browser, app, { width: 390 });
    await phone.page.goto(app.url);
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(phone.page, 'tasks-phone');
    const runId = await execute(app, 'backup');
    await waitEnded(app, runId);
    await dark.page.goto(`${app.url}/runs/${runId}`);
    await dark.page.locator('#log-end').waitFor();
    await screenshot(dark.page, 'run-dark');
    expect([...dark.errors, ...phone.errors]).toEqual([]);
  });
});

import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newPage, screenshot } from './support/browser';
import { writeTask, type AppProcess } from './support/app-process';
import { withAppAndBrowser } from './support/suite';

let app: AppProcess;
let browser: Browser;
withAppAndBrowser((a, b) => ([app, browser] = [a, b]));

describe('schedules, in a real browser against `npm start`', () => {
  it('adds a schedule on the task page with a live preview, then sees it fire on the Schedules page', async () => {
    writeTask(app, 'beat.sh', 'echo "beat $TASKRUN_RUN_ID"\n');
    const { page, errors } = await newPage(browser, app);
    await page.goto(`${app.url}/tasks/beat/edit`);
    await page.locator('#schedules-beat .empty').filter({ hasText: 'No schedules' }).waitFor();
    await page.locator('#sc-preview').filter({ hasText: 'Type a cron expression' }).waitFor();

    // The preview follows what is typed: the next five fire times, or what is wrong.
    await page.fill('#sc-cron', '61 * * * *');
    await page.locator('#sc-preview .field-error').filter({ hasText: 'invalid value for minute: 61' }).waitFor();
    await page.fill('#sc-cron', '30 2 * * *');
    await page.fill('#sc-timezone', 'Europe/Berlin');
    await page.locator('#sc-preview li').filter({ hasText: 'Europe/Berlin' }).first().waitFor();
    const items = await page.locator('#sc-preview li .mono').allTextContents();
    expect(items).toHaveLength(5);
    // 02:30 in Berlin, or 03:00 on the night 02:30 does not exist.
    for (const t of items) expect(t).toMatch(/^\d{4}-\d\d-\d\d (02:30|03:00):00$/);

    // A refused save keeps what was typed and names the field.
    await page.fill('#sc-timezone', 'Mars/Olympus');
    await page.click('#schedules-beat button[type=submit]');
    await page.locator('#sc-error-timezone').filter({ hasText: 'IANA time zone' }).waitFor();
    expect(await page.inputValue('#sc-cron')).toBe('30 2 * * *');

    await page.fill('#sc-cron', '* * * * * *');
    await page.fill('#sc-timezone', 'UTC');
    await page.locator('#sc-preview li').nth(4).waitFor();
    await page.click('#schedules-beat button[type=submit]');
    const row = page.locator('#schedules-beat tbody tr').filter({ hasText: '* * * * * *' });
    await row.waitFor();
    expect(await row.textContent()).toContain('enabled');
    await screenshot(page, 'schedules-task');

    // The Schedules page lists it, with the runs it made.
    await page.click('nav a[href="/schedules"]');
    await page.waitForURL(`${app.url}/schedules`);
    const listed = page.locator('table.schedules tbody tr').filter({ hasText: 'beat' });
    await listed.waitFor();
    expect(await listed.textContent()).toContain('* * * * * *');
    for (let i = 0; i < 60 && (await page.locator('table.fires a[href^="/runs/"]').count()) === 0; i++) {
      await page.waitForTimeout(500);
      await page.reload();
    }
    const runLink = page.locator('table.fires a[href^="/runs/"]').first();
    await runLink.waitFor();
    expect(await page.locator('table.fires .fire-queued').count()).toBeGreaterThan(0);
    await screenshot(page, 'schedules');

    // Pause from the list: the row says so, and nothing more is queued.
    await listed.locator('button', { hasText: 'Pause' }).click();
    await listed.locator('button', { hasText: 'Resume' }).waitFor();
    expect(await listed.textContent()).toContain('paused');
    const api = await (await app.api('/api/schedules')).json();
    expect(api).toEqual([expect.objectContaining({ task_id: 'beat', cron: '* * * * * *', enabled: false })]);

    await runLink.click();
    await page.waitForURL(/\/runs\/\d+$/);
    expect(errors).toEqual([]);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newPage, screenshot } from './support/browser';
import { writeTask, type AppProcess } from './support/app-process';
import { withAppAndBrowser } from './support/suite';
import { execute, waitEnded } from './support/runs';

let app: AppProcess;
let browser: Browser;
withAppAndBrowser((a, b) => ([app, browser] = [a, b]));

describe('progress bars, in a real browser against `npm start`', () => {
  it("show a running task's reports on the run view and in the task list as they come", async () => {
    const gate = (n: number) => path.join(app.dir, `progress.gate${n}`);
    const wait = (n: number) => `while [ ! -f ${gate(n)} ]; do sleep 0.1; done`;
    writeTask(
      app,
      'import.sh',
      [
        'echo starting',
        wait(1),
        'echo "::progress 20 Downloading"',
        wait(2),
        'echo "::progress 70 Loading rows"',
        wait(3),
        'echo done',
        '',
      ].join('\n'),
    );
    const runId = await execute(app, 'import');
    const run = await newPage(browser, app);
    const list = await newPage(browser, app);
    await run.page.goto(`${app.url}/runs/${runId}`);
    await list.page.goto(`${app.url}/`);
    await run.page.locator('#log').filter({ hasText: 'starting' }).waitFor();
    expect(await run.page.locator('[data-progress-run]').count()).toBe(0);

    // The first report: the pages have no bar yet, so they fetch their part again.
    fs.writeFileSync(gate(1), '');
    const runBar = run.page.locator(`#run-status [data-progress-run="${runId}"]`);
    const listBar = list.page.locator(`#task-state-import [data-progress-run="${runId}"]`);
    await runBar.locator('.progress-msg', { hasText: 'Downloading' }).waitFor();
    await listBar.locator('.progress-msg', { hasText: 'Downloading' }).waitFor();
    expect(await runBar.locator('progress').getAttribute('value')).toBe('20');

    // The next ones update the bars in place.
    fs.writeFileSync(gate(2), '');
    await runBar.locator('.progress-msg', { hasText: 'Loading rows' }).waitFor();
    await listBar.locator('.progress-msg', { hasText: 'Loading rows' }).waitFor();
    expect(await runBar.locator('progress').evaluate((el) => (el as HTMLProgressElement).value)).toBe(70);
    expect(await listBar.locator('.progress-pct').textContent()).toBe('70%');
    expect(await runBar.locator('.progress-eta').textContent()).toMatch(/left$/);
    expect(await run.page.textContent('#log')).not.toContain('::progress');
    await screenshot(run.page, 'run-progress');
    await screenshot(list.page, 'tasks-progress');

    fs.writeFileSync(gate(3), '');
    expect(await waitEnded(app, runId)).toBe('success');
    await run.page.locator('#run-status[data-status="success"]').waitFor({ timeout: 30_000 });
    // An ended run keeps its last report, without a time left.
    expect(await runBar.locator('.progress-eta').isHidden()).toBe(true);
    await listBar.waitFor({ state: 'detached' });
    expect(run.errors).toEqual([]);
    expect(list.errors).toEqual([]);
  });
});

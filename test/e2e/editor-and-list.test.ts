import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newPage, screenshot } from './support/browser';
import { writeTask, type AppProcess } from './support/app-process';
import { withAppAndBrowser } from './support/suite';

let app: AppProcess;
let browser: Browser;
withAppAndBrowser((a, b) => ([app, browser] = [a, b]));

describe('task editor and task list, in a real browser against `npm start`', () => {
  it('creates a task with the keyboard alone, showing validation errors beside the fields', async () => {
    const { page, errors } = await newPage(browser, app);
    await page.goto(`${app.url}/tasks/new`);
    expect(await page.title()).toBe('New task · taskrun');

    await page.focus('#f-id');
    await page.keyboard.type('bad id!');
    await page.keyboard.press('Tab');
    await page.keyboard.press('s'); // the language select: Shell
    await page.keyboard.press('Tab');
    await page.keyboard.type('Says <script>alert(1)</script> hello');
    await page.keyboard.press('Tab');
    await page.keyboard.type('0');
    await page.keyboard.press('Tab'); // into the code editor
    expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.className)).toContain('cm-content');
    await page.keyboard.type('echo "hello from $TASKRUN_TASK_ID"\nexit 0\n');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab'); // leaves the editor for the Save button
    await page.keyboard.press('Enter');

    await page.locator('#error-id').filter({ hasText: 'letters, digits' }).waitFor();
    expect(await page.textContent('#error-timeout_s')).toContain('at least 1');
    expect(await page.inputValue('#f-id')).toBe('bad id!');
    await page.locator('#f-id[aria-invalid="true"]').waitFor();
    await screenshot(page, 'editor-validation');

    await page.fill('#f-id', 'greet');
    await page.fill('#f-timeout_s', '30');
    await page.focus('#f-timeout_s');
    await page.keyboard.press('Control+s');
    await page.waitForURL(`${app.url}/tasks/greet/edit?created=1`);
    await page.locator('#form-status').filter({ hasText: 'Created' }).waitFor();
    expect(fs.readFileSync(path.join(app.tasksDir, 'greet.sh'), 'utf8')).toBe('echo "hello from $TASKRUN_TASK_ID"\nexit 0\n');
    expect(await page.inputValue('#f-description')).toBe('Says <script>alert(1)</script> hello');
    expect(await page.inputValue('#f-timeout_s')).toBe('30');
    expect(errors).toEqual([]);
  });

  it('saves an edited script and keeps the file in TASKS_DIR in step, without reloading the editor', async () => {
    const { page, errors } = await newPage(browser, app);
    await page.goto(`${app.url}/tasks/greet/edit`);
    await page.click('.cm-content');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('# edited\n');
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
    await page.click('#task-form button[type=submit]');
    await page.locator('#form-status').filter({ hasText: 'Saved at' }).waitFor();
    expect(fs.readFileSync(path.join(app.tasksDir, 'greet.sh'), 'utf8')).toBe('echo "hello from $TASKRUN_TASK_ID"\nexit 0\n# edited\n');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
    await screenshot(page, 'editor');
    expect(errors).toEqual([]);
  });

  it('runs a task from the list without a page load and shows it turn to success', async () => {
    const { page, errors } = await newPage(browser, app);
    await page.goto(app.url);
    expect(await page.textContent('#task-greet .task-desc')).toBe('Says <script>alert(1)</script> hello');
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
    await page.click('#task-greet button.btn-run');
    await page.locator('#task-state-greet .badge-success').waitFor({ timeout: 30_000 });
    expect(await page.textContent('#task-state-greet')).toContain('exit 0');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
    expect(errors).toEqual([]);
  });

  it('shows the 409 answer next to a busy task, and the list follows a run started elsewhere', async () => {
    const gate = path.join(app.dir, 'hold.gate');
    writeTask(app, 'hold.sh', `echo holding\nwhile [ ! -f ${gate} ]; do sleep 0.1; done\necho released\n`);
    const { page, errors } = await newPage(browser, app);
    await page.goto(app.url);
    await page.click('#task-hold button.btn-run');
    await page.locator('#task-state-hold .badge-running').waitFor({ timeout: 30_000 });
    await page.click('#task-hold button.btn-run');
    const message = page.locator('#task-msg-hold .alert-error');
    await message.waitFor();
    expect(await message.textContent()).toContain('task already running');
    expect(await message.getAttribute('data-status')).toBe('409');
    expect(await message.locator('a').getAttribute('href')).toMatch(/^\/runs\/\d+$/);
    await screenshot(page, 'tasks-busy');

    fs.writeFileSync(gate, '');
    await page.locator('#task-state-hold .badge-success').waitFor({ timeout: 30_000 });

    // Started over the API, not on this page: the server's events bring the change.
    const res = await app.api('/api/tasks/greet/execute', { method: 'POST' });
    expect(res.status).toBe(202);
    const { run_id } = (await res.json()) as { run_id: number };
    await page.locator(`#task-state-greet a[href="/runs/${run_id}"] .badge-success`).waitFor({ timeout: 30_000 });
    await screenshot(page, 'tasks-live');
    expect(errors).toEqual([]);
  });

  it('deletes a task after a confirmation', async () => {
    const { page, errors } = await newPage(browser, app);
    await page.goto(`${app.url}/tasks/greet/edit`);
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await page.click('.danger-zone button');
    await page.waitForURL(`${app.url}/?deleted=greet`);
    expect(asked).toContain('Delete task greet?');
    expect(await page.textContent('.alert-info')).toContain('Task greet was deleted.');
    expect(await page.locator('#task-greet').count()).toBe(0);
    expect(fs.existsSync(path.join(app.tasksDir, 'greet.sh'))).toBe(false);
    expect(errors).toEqual([]);
  });
});

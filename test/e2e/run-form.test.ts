import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newPage, screenshot } from './support/browser';
import type { AppProcess } from './support/app-process';
import { withAppAndBrowser } from './support/suite';

let app: AppProcess;
let browser: Browser;
withAppAndBrowser((a, b) => ([app, browser] = [a, b]));

const PARAMS = [
  { name: 'region', type: 'string', label: 'Region', pattern: '[a-z]+-[0-9]', required: true, description: 'Like eu-1' },
  { name: 'rows', type: 'integer', min: 1, max: 1000, default: 100 },
  { name: 'mode', type: 'choice', choices: ['fast', 'safe'], default: 'safe' },
  { name: 'dry_run', type: 'boolean', default: true },
  { name: 'note', type: 'text' },
  { name: 'token', type: 'secret', label: 'API token' },
];

describe('the Run form, in a real browser against `npm start`', () => {
  it("opens from Run, shows the server's refusal beside the field, starts the run and shows it", async () => {
    const marker = path.join(app.dir, 'pwned');
    const script =
      'printf "region=%s rows=%s mode=%s dry=%s\\n" "$TASKRUN_PARAM_REGION" "$TASKRUN_PARAM_ROWS" "$TASKRUN_PARAM_MODE" "$TASKRUN_PARAM_DRY_RUN"\n' +
      'printf "note=[%s]\\n" "$TASKRUN_PARAM_NOTE"\nprintf "token=%s\\n" "$TASKRUN_PARAM_TOKEN"\n';
    const created = await app.api('/api/tasks', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: 'load', language: 'sh', content: script, params: PARAMS }),
    });
    expect(created.status).toBe(201);

    const { page, errors } = await newPage(browser, app);
    await page.goto(app.url);
    await page.click('#task-load a.btn-run');
    await page.waitForURL(`${app.url}/tasks/load/run`);
    expect(await page.inputValue('#rp-rows')).toBe('100');
    expect(await page.inputValue('#rp-mode')).toBe('safe');
    expect(await page.isChecked('#rp-dry_run')).toBe(true);

    // A value the server refuses: the message appears beside its field, and what was typed stays.
    await page.fill('#rp-region', 'Europe');
    await page.fill('#rp-rows', '50');
    await page.click('#run-form button[type=submit]');
    await page.locator('#error-param-region').filter({ hasText: 'must match' }).waitFor();
    expect(await page.getAttribute('#rp-region', 'aria-invalid')).toBe('true');
    expect(await page.inputValue('#rp-rows')).toBe('50');
    await screenshot(page, 'run-form-errors');

    await page.fill('#rp-region', 'eu-1');
    await page.selectOption('#rp-mode', 'fast');
    await page.uncheck('#rp-dry_run');
    await page.fill('#rp-note', `two\nlines $(touch ${marker})`);
    await page.fill('#rp-token', 'tok-from-the-form');
    await page.click('#run-form button[type=submit]');
    await page.waitForURL(/\/runs\/\d+$/);
    const runId = Number(new URL(page.url()).pathname.split('/')[2]);
    await page.locator('#run-status[data-status="success"]').waitFor({ timeout: 30_000 });
    await page.locator('#log').filter({ hasText: 'token=' }).waitFor();
    const log = await page.textContent('#log');
    expect(log).toContain('region=eu-1 rows=50 mode=fast dry=false');
    expect(log).toContain(`note=[two\nlines $(touch ${marker})]`);
    expect(log).toContain('token=***');
    expect(log).not.toContain('tok-from-the-form');
    expect(fs.existsSync(marker)).toBe(false);
    expect(await page.textContent('.run-params')).toContain('eu-1');
    expect(await page.textContent('.run-params')).not.toContain('tok-from-the-form');
    await screenshot(page, 'run-with-params');

    // Run again: the form, prefilled with this run's values (the secret left blank).
    await page.click('#run-status a.btn[href*="from="]');
    await page.waitForURL(`${app.url}/tasks/load/run?from=${runId}`);
    expect(await page.inputValue('#rp-region')).toBe('eu-1');
    expect(await page.inputValue('#rp-mode')).toBe('fast');
    expect(await page.isChecked('#rp-dry_run')).toBe(false);
    expect(await page.inputValue('#rp-token')).toBe('');
    await page.fill('#rp-region', 'us-2');
    await page.click('#run-form button[type=submit]');
    await page.waitForURL((url) => /\/runs\/\d+$/.test(url.pathname) && url.pathname !== `/runs/${runId}`);
    await page.locator('#run-status[data-status="success"]').waitFor({ timeout: 30_000 });
    expect(await page.textContent('#run-status')).toContain('rerun');
    expect(await page.textContent('#log')).toContain('region=us-2 rows=50 mode=fast dry=false');
    expect(errors).toEqual([]);
  });

  it('declares parameters, environment and retries on the task page, and keeps secrets without showing them', async () => {
    const created = await app.api('/api/tasks', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: 'nightly', language: 'sh', content: 'echo "$GREETING $TASKRUN_PARAM_WHO key=$API_KEY"\n' }),
    });
    expect(created.status).toBe(201);
    const { page, errors } = await newPage(browser, app);
    await page.goto(`${app.url}/tasks/nightly/edit`);
    expect(await page.locator('#run-control-nightly button.btn-run').count()).toBe(1);

    await page.fill('#f-params', '[{"name": "who", "type": "strin"}]');
    await page.fill('#f-env', 'GREETING=hello\nbroken line');
    await page.click('#settings-form button[type=submit]');
    await page.locator('#error-params').filter({ hasText: 'parameter 1, type: must be one of' }).waitFor();
    await expect.poll(() => page.getAttribute('#f-params', 'aria-invalid')).toBe('true');

    await page.fill('#f-params', '[{"name": "who", "type": "string", "default": "world"}]');
    await page.fill('#f-env', 'GREETING=hello');
    await page.fill('#f-max_retries', '1');
    await page.click('#settings-form button[type=submit]');
    await page.locator('#settings-status').filter({ hasText: 'Saved at' }).waitFor();
    expect(await page.textContent('#error-params')).toBe('');
    // Run now opens the form, without a reload of the page.
    await page.locator('#run-control-nightly a.btn-run[href="/tasks/nightly/run"]').waitFor();

    await page.fill('#s-name', 'API_KEY');
    await page.fill('#s-value', 'k-from-the-page');
    await page.click('#secret-form button[type=submit]');
    await page.locator('#secrets tr[data-secret="API_KEY"]').waitFor();
    expect(await page.inputValue('#s-value')).toBe('');
    expect(await page.content()).not.toContain('k-from-the-page');
    await screenshot(page, 'task-settings');

    await page.click('#run-control-nightly a.btn-run');
    await page.waitForURL(`${app.url}/tasks/nightly/run`);
    await page.click('#run-form button[type=submit]');
    await page.waitForURL(/\/runs\/\d+$/);
    await page.locator('#run-status[data-status="success"]').waitFor({ timeout: 30_000 });
    await page.locator('#log').filter({ hasText: 'hello world key=***' }).waitFor();
    expect(await page.textContent('#run-status')).toContain('Attempt 1 of 2');
    expect(errors).toEqual([]);
  });
});

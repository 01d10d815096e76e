import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newPage, screenshot } from './support/browser';
import { writeTask, type AppProcess } from './support/app-process';
import { withAppAndBrowser } from './support/suite';
import { execute, waitEnded, waitHealthy, webPid } from './support/runs';

let app: AppProcess;
let browser: Browser;
withAppAndBrowser((a, b) => ([app, browser] = [a, b]));

// A task that prints, then waits for a gate file before it prints more and ends.
function gatedTask(id: string, before: string, after: string): string {
  const gate = path.join(app.dir, `${id}.gate`);
  writeTask(app, `${id}.sh`, `${before}\nwhile [ ! -f ${gate} ]; do sleep 0.1; done\n${after}\n`);
  return gate;
}

describe('run view, in a real browser against `npm start`', () => {
  it('shows log lines of a running task as they come, coloured and escaped, then the final status', async () => {
    const gate = gatedTask(
      'stream',
      `printf '\\033[32mfirst line\\033[0m\\n'\necho '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'`,
      'echo second line',
    );
    const runId = await execute(app, 'stream');
    const { page, errors } = await newPage(browser, app);
    await page.goto(`${app.url}/runs/${runId}`);
    expect(await page.title()).toBe(`Run #${runId} of stream · taskrun`);
    await page.locator('#log .ansi-fg-2').filter({ hasText: 'first line' }).waitFor();
    await page.locator('#log').filter({ hasText: '<img src=x' }).waitFor();
    await page.locator('#run-status[data-status="running"]').waitFor();
    expect(await page.textContent('#log')).not.toContain('second line');
    expect(await page.locator('#log img, #log script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.isVisible('#run-status button.btn-danger')).toBe(true);

    fs.writeFileSync(gate, '');
    await page.locator('#log').filter({ hasText: 'second line' }).waitFor();
    await page.locator('#run-status[data-status="success"]').waitFor();
    await page.locator('#log-end').waitFor();
    expect(await page.textContent('#run-status')).toContain('Exit code0');
    expect(await page.isVisible('#run-status button.btn-danger')).toBe(false);
    expect(await page.getAttribute('a[download]', 'href')).toBe(`/logs/stream_${runId}.log/download`);
    await screenshot(page, 'run-live');
    expect(errors).toEqual([]);
  });

  it('cancels a long run', async () => {
    writeTask(app, 'forever.sh', 'echo started\nsleep 600\n');
    const runId = await execute(app, 'forever');
    const { page, errors } = await newPage(browser, app);
    await page.goto(`${app.url}/runs/${runId}`);
    await page.locator('#log').filter({ hasText: 'started' }).waitFor();
    await page.locator('#run-status[data-status="running"]').waitFor();
    await page.click('#run-status button.btn-danger');
    // The answer replaces the status: no Cancel button while the process is being stopped.
    await page.locator('#run-status button.btn-danger').waitFor({ state: 'detached' });
    expect(await waitEnded(app, runId)).toBe('canceled');
    await page.locator('#run-status[data-status="canceled"]').waitFor({ timeout: 30_000 });
    await page.locator('#log-end').waitFor();
    expect(errors).toEqual([]);
  });

  it('shows the end of a canceled run that ends while the answer to Cancel is being settled', async () => {
    // The task holds its end until the test opens a gate, so the run's end reaches the page while
    // the swapped-in status is not yet live (htmx wires new content up only after its settle delay,
    // made long here): the page must catch up once it is.
    const gate = path.join(app.dir, 'late.gate');
    writeTask(app, 'late.sh', `trap 'while [ ! -f ${gate} ]; do sleep 0.05; done; exit 143' TERM\necho started\nsleep 600 &\nwait\n`);
    const runId = await execute(app, 'late');
    const { page, errors } = await newPage(browser, app);
    await page.goto(`${app.url}/runs/${runId}`);
    await page.locator('#log').filter({ hasText: 'started' }).waitFor();
    await page.evaluate(
      () => ((window as unknown as { htmx: { config: { defaultSettleDelay: number } } }).htmx.config.defaultSettleDelay = 15_000),
    );
    await page.click('#run-status button.btn-danger');
    await page.locator('#run-status button.btn-danger').waitFor({ state: 'detached' });
    fs.writeFileSync(gate, '');
    expect(await waitEnded(app, runId)).toBe('canceled');
    await page.locator('#log-end').waitFor();
    await page.locator('#run-status[data-status="canceled"]').waitFor({ timeout: 30_000 });
    expect(errors).toEqual([]);
  });

  it('resumes the log where it stopped after the connection drops (the web process restarts)', async () => {
    const gate = gatedTask('resume', 'for i in 1 2 3; do echo "line $i"; done', 'for i in 4 5 6; do echo "line $i"; done');
    const runId = await execute(app, 'resume');
    const { page, errors } = await newPage(browser, app);
    await page.goto(`${app.url}/runs/${runId}`);
    await page.locator('#log').filter({ hasText: 'line 3' }).waitFor();

    process.kill(webPid(app), 'SIGKILL');
    await waitHealthy(app);
    fs.writeFileSync(gate, '');
    await page.locator('#run-status[data-status="success"]').waitFor({ timeout: 30_000 });
    await page.locator('#log').filter({ hasText: 'line 6' }).waitFor();
    expect(await page.textContent('#log')).toBe('line 1\nline 2\nline 3\nline 4\nline 5\nline 6\n');
    expect(errors).toEqual([]);
  });

  it('shows the tail of a large log and loads the earlier part by offset', async () => {
    writeTask(app, 'big.sh', 'seq 1 60000\n');
    const runId = await execute(app, 'big');
    const expected = Array.from({ length: 60000 }, (_, i) => `${i + 1}\n`).join('');
    await waitEnded(app, runId);
    const { page, errors } = await newPage(browser, app);
    await page.goto(`${app.url}/runs/${runId}`);
    await page.locator('#log-end').waitFor();
    const tail = (await page.textContent('#log')) ?? '';
    expect(tail.length).toBeLessThanOrEqual(256 * 1024);
    expect(expected.endsWith(tail)).toBe(true);
    expect(tail.startsWith('1\n2\n')).toBe(false);
    expect(await page.textContent('#log-skipped')).toContain('are not shown');

    // Follow keeps the end in view; scrolling up pauses it, the button resumes it.
    const atEnd = () => page.$eval('#log', (el) => el.scrollHeight - el.scrollTop - el.clientHeight < 4);
    expect(await page.getAttribute('#log-follow', 'aria-pressed')).toBe('true');
    expect(await atEnd()).toBe(true);
    await page.$eval('#log', (el) => el.scrollTo(0, 0));
    await page.locator('#log-follow[aria-pressed="false"]').waitFor();
    await page.click('#log-follow');
    expect(await page.getAttribute('#log-follow', 'aria-pressed')).toBe('true');
    expect(await atEnd()).toBe(true);

    await page.click('#log-earlier');
    await page.locator('#log-earlier').waitFor({ state: 'hidden' });
    expect(await page.textContent('#log')).toBe(expected);
    expect(errors).toEqual([]);
  });
});

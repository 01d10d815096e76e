import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTask } from '../support/dirs';
import { createHarness, type Harness } from '../support/harness';
import { cspViolations } from './fixtures';
import { HX, page } from './page-request';

let h: Harness;
beforeAll(async () => {
  // No runner: runs stay queued, so a task stays busy; a queue of two fills up.
  h = await createHarness({ MAX_QUEUED_RUNS: '2' });
});
afterAll(() => h.close());

describe('task list pages', () => {
  it('renders the list whole on first load, filters it by name or description, and swaps the rows alone', async () => {
    writeTask(h.dirs, 'alpha.sh', 'echo a\n');
    writeTask(h.dirs, 'beta.sh', 'echo b\n');
    const home = await page(h, '/');
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toContain('text/html');
    expect(home.html.startsWith('<!doctype html>')).toBe(true);
    expect(home.html).toContain('id="task-alpha"');
    expect(home.html).toContain('id="task-beta"');
    expect(cspViolations(home.html)).toEqual([]);

    const rows = await page(h, '/tasks/rows?q=ALP', { headers: HX('task-rows') });
    expect(rows.html.startsWith('<tbody id="task-rows"')).toBe(true);
    expect(rows.html).toContain('id="task-alpha"');
    expect(rows.html).not.toContain('id="task-beta"');
  });

  it('runs a task: answers its new state and clears its message out of band', async () => {
    const res = await page(h, '/tasks/alpha/run', { method: 'POST', headers: HX('task-state-alpha') });
    expect(res.status).toBe(200);
    expect(res.html).toMatch(/^<div id="task-state-alpha"/);
    expect(res.html).toContain('badge-queued');
    expect(res.html).toContain('<div id="task-msg-alpha" class="task-msg" role="status" hx-swap-oob="true"></div>');
    const state = await page(h, '/tasks/alpha/state', { headers: HX() });
    expect(state.html).toContain('badge-queued');
  });

  it('shows a 409 for a busy task next to that task, with the run that holds it', async () => {
    const res = await page(h, '/tasks/alpha/run', { method: 'POST', headers: HX('task-state-alpha') });
    expect(res.status).toBe(409);
    expect(res.headers.get('HX-Retarget')).toBe('#task-msg-alpha');
    expect(res.headers.get('HX-Reswap')).toBe('innerHTML');
    expect(res.html).toContain('task already running');
    expect(res.html).toMatch(/<a href="\/runs\/\d+">View run #\d+<\/a>/);
    expect(res.html).not.toContain('<html');
  });

  it('shows a 429 when the queue is full, next to the task', async () => {
    writeTask(h.dirs, 'gamma.sh', 'echo c\n');
    expect((await page(h, '/tasks/beta/run', { method: 'POST', headers: HX() })).status).toBe(200);
    const res = await page(h, '/tasks/gamma/run', { method: 'POST', headers: HX() });
    expect(res.status).toBe(429);
    expect(res.headers.get('HX-Retarget')).toBe('#task-msg-gamma');
    expect(res.html).toContain('queue full');
  });

  it('answers a plain (non-htmx) request that fails with a whole error page', async () => {
    const res = await page(h, '/tasks/alpha/run', { method: 'POST' });
    expect(res.status).toBe(409);
    expect(res.html).toContain('<title>Conflict · taskrun</title>');
    expect(res.headers.get('HX-Retarget')).toBeNull();
  });

  it('shows a thousand tasks in pieces of a hundred, the next piece on demand', async () => {
    for (let i = 0; i < 1000; i++) writeTask(h.dirs, `bulk-${String(i).padStart(4, '0')}.py`, 'print(1)\n');
    const home = await page(h, '/');
    expect(home.html.match(/<tr id="task-/g)).toHaveLength(100);
    expect(home.html).toContain('1003 tasks');
    const last = await page(h, '/tasks/rows?offset=1000', { headers: HX('tasks-more') });
    expect(last.html.match(/<tr id="task-/g)).toHaveLength(3);
    expect(last.html).toContain('id="task-gamma"');
    expect((await page(h, '/tasks/rows?offset=-1', { headers: HX() })).status).toBe(400);
  });
});

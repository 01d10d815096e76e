import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTask } from '../support/dirs';
import { createHarness, type Harness } from '../support/harness';
import { HX, page } from './page-request';

let h: Harness;
let newest = 0;
beforeAll(async () => {
  h = await createHarness();
  await h.tdb.db.$client`
    insert into runs (task_id, status, timeout_s, exit_code, started_at, finished_at)
    select case when i % 3 = 0 then 'odd' else 'even' end, case when i % 5 = 0 then 'failed' else 'success' end,
           60, case when i % 5 = 0 then 1 else 0 end, now(), now()
    from generate_series(1, 120) as i`;
  newest = Number((await h.tdb.db.$client`select max(id) as id from runs`)[0].id);
});
afterAll(() => h.close());

const ids = (html: string) => [...html.matchAll(/<a href="\/runs\/(\d+)">#/g)].map((m) => Number(m[1]));

describe('history pages', () => {
  it('pages by keyset: 50 newest first, then an Older link whose cursor continues exactly after them', async () => {
    const first = await page(h, '/runs');
    expect(first.status).toBe(200);
    const firstIds = ids(first.html);
    expect(firstIds).toHaveLength(50);
    expect(firstIds[0]).toBe(newest);
    const older = /hx-get="(\/runs\?cursor=(\d+))"/.exec(first.html);
    expect(older?.[2]).toBe(String(firstIds[49]));

    const second = await page(h, older![1], { headers: HX('runs-results') });
    expect(second.html.startsWith('<div id="runs-results"')).toBe(true);
    expect(ids(second.html)[0]).toBe(firstIds[49] - 1);
    expect(second.html).toContain('Newest');
    expect(second.headers.get('Vary')).toContain('HX-Request');
  });

  it('filters by task and status, and ignores parameters that are not its own', async () => {
    const res = await page(h, '/runs?task_id=odd&status=failed&utm_source=mail');
    expect(res.status).toBe(200);
    const rows = [...res.html.matchAll(/data-label="Task"><a[^>]*>(\w+)<\/a>.*?badge-(\w+)/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(rows.length).toBe(8); // i divisible by 15 up to 120
    expect(new Set(rows)).toEqual(new Set(['odd:failed']));
  });

  it('shows a bad filter as a readable message: in the results through htmx, or as a page', async () => {
    const frag = await page(h, '/runs?status=nope', { headers: HX('runs-results') });
    expect(frag.status).toBe(400);
    expect(frag.headers.get('HX-Retarget')).toBe('#runs-results');
    expect(frag.html).toContain('status: must be one of');
    const whole = await page(h, '/runs?task_id=a%20b');
    expect(whole.status).toBe(400);
    expect(whole.html).toContain('task_id: not a valid task id');
  });
});

describe('run pages', () => {
  it('starts a large log at a line start within its last 256 KB', async () => {
    writeTask(h.dirs, 'big.sh', 'true\n');
    const { run_id } = await (await h.app.request('/api/tasks/big/execute', { method: 'POST' })).json();
    const lines = Array.from({ length: 40000 }, (_, i) => `line ${i}\n`).join('');
    fs.writeFileSync(path.join(h.dirs.logsDir, `big_${run_id}.log`), lines);
    await h.tdb.db
      .$client`update runs set status = 'success', exit_code = 0, started_at = now(), finished_at = now(), log_bytes = ${lines.length} where id = ${run_id}`;

    const res = await page(h, `/runs/${run_id}`);
    const offset = Number(/data-offset="(\d+)"/.exec(res.html)?.[1]);
    expect(lines.length - offset).toBeLessThanOrEqual(256 * 1024);
    expect(lines.length - offset).toBeGreaterThan(256 * 1024 - 20);
    expect(lines[offset - 1]).toBe('\n');
    expect(res.html).toContain(`data-before="${offset}"`);
  });

  it('cancels a queued run and shows the new status; a second cancel is refused beside the button', async () => {
    writeTask(h.dirs, 'wait.sh', 'sleep 60\n');
    const { run_id } = await (await h.app.request('/api/tasks/wait/execute', { method: 'POST' })).json();
    const view = await page(h, `/runs/${run_id}`);
    expect(view.html).toContain(`hx-post="/runs/${run_id}/cancel"`);
    expect(view.html).toContain('Waiting for the run to start…');

    const res = await page(h, `/runs/${run_id}/cancel`, { method: 'POST', headers: HX('run-status') });
    expect(res.status).toBe(200);
    expect(res.html).toContain('data-status="canceled"');
    expect(res.html).not.toContain('/cancel"');
    const again = await page(h, `/runs/${run_id}/cancel`, { method: 'POST', headers: HX('run-status') });
    expect(again.status).toBe(409);
    expect(again.headers.get('HX-Retarget')).toBe('#run-msg');
    expect(again.html).toContain('run already finished (canceled)');
  });

  it('answers 400 and 404 pages for bad and unknown run ids', async () => {
    expect((await page(h, '/runs/abc')).status).toBe(400);
    const missing = await page(h, '/runs/999999');
    expect(missing.status).toBe(404);
    expect(missing.html).toContain('run not found: 999999');
  });
});

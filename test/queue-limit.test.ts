import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from './support/bad-input';
import { writeTask } from './support/dirs';
import { createHarness, type Harness } from './support/harness';

// MAX_QUEUED_RUNS with no runner started: runs stay queued, so the limit, the 409s and cancel are exact.

const execute = (h: Harness, id: string) => h.app.request(`/api/tasks/${id}/execute`, { method: 'POST' });
const cancel = (h: Harness, runId: number) => h.app.request(`/api/runs/${runId}/cancel`, { method: 'POST' });

describe('MAX_QUEUED_RUNS=3', () => {
  let h: Harness;
  const runs: Record<string, number> = {};
  beforeAll(async () => {
    h = await createHarness({ MAX_QUEUED_RUNS: '3' });
    for (const id of ['q1', 'q2', 'q3', 'q4']) writeTask(h.dirs, `${id}.sh`, `echo ${id}\n`);
  });
  afterAll(() => h.close());

  it('accepts three executes of three tasks and answers 429 queue full to the fourth', async () => {
    for (const id of ['q1', 'q2', 'q3']) {
      const res = await execute(h, id);
      expect(res.status).toBe(202);
      const body = await res.json();
      expect(body).toEqual({ run_id: expect.any(Number), task_id: id, status: 'queued', log: `/api/logs/${id}_${body.run_id}.log` });
      runs[id] = body.run_id;
    }
    const full = await execute(h, 'q4');
    expect(full.status).toBe(429);
    expect(await full.json()).toEqual({ error: 'queue full' });
  });

  it('answers 409 with the active run to a second execute of a queued task', async () => {
    const res = await execute(h, 'q2');
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: 'task already running', run_id: runs.q2 });
  });

  it('refuses to delete a task while its run is queued, and keeps its script', async () => {
    const body = await expectError(h.app, '/api/tasks/q1', { method: 'DELETE' }, 409, /active run/);
    expect(body.run_id).toBe(runs.q1);
    expect(fs.existsSync(path.join(h.dirs.tasksDir, 'q1.sh'))).toBe(true);
  });

  it('serves the empty log of a queued run, and 416 for any range of it', async () => {
    const res = await h.app.request(`/api/logs/q3_${runs.q3}.log`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-next-offset')).toBe('0');
    expect(await res.text()).toBe('');
    await expectError(h.app, `/api/logs/q3_${runs.q3}.log`, { headers: { range: 'bytes=0-' } }, 416, /has 0 bytes/);
  });

  it('cancels a queued run at once, refuses a second cancel, and frees its place', async () => {
    const res = await cancel(h, runs.q1);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ run_id: runs.q1, status: 'canceled' });
    expect(await (await h.app.request(`/api/runs/${runs.q1}`)).json()).toMatchObject({
      status: 'canceled',
      finished_at: expect.any(String),
    });

    const again = await expectError(h.app, `/api/runs/${runs.q1}/cancel`, { method: 'POST' }, 409, /already finished/);
    expect(again.status).toBe('canceled');
    // It never had a log: 404, where a queued run's log is the empty log so far.
    await expectError(
      h.app,
      `/api/logs/q1_${runs.q1}.log`,
      {},
      404,
      new RegExp(`^log not found: run ${runs.q1} ended \\(canceled\\) and has no log file`),
    );

    expect((await execute(h, 'q4')).status).toBe(202);
    expect((await h.app.request('/api/tasks/q1', { method: 'DELETE' })).status).toBe(204);
  });
});

describe('MAX_QUEUED_RUNS=0 (as many as live runners have slots)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ MAX_QUEUED_RUNS: '0' });
    writeTask(h.dirs, 'solo.sh', 'echo solo\n');
  });
  afterAll(() => h.close());

  it('answers 429 at once when no runner is alive, and queues nothing', async () => {
    const res = await execute(h, 'solo');
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({ error: 'queue full' });
    expect(await (await h.app.request('/api/runs')).json()).toEqual({ runs: [], next_cursor: null });
  });
});

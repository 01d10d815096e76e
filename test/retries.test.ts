import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTask } from './support/dirs';
import { createHarness, waitFor, type Harness } from './support/harness';

// Retries (each a new run linked to the one it retries, after the task's delay) and starting a run
// again with the values it ran with.

type RunJson = {
  run_id: number;
  status: string;
  trigger: string;
  params: Record<string, unknown>;
  attempt: number;
  max_attempts: number;
  retry_of: number | null;
  not_before: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
};

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await h.startRunner();
});
afterAll(() => h.close());

const send = (method: string, url: string, body?: unknown) =>
  h.app.request(url, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });

async function runsOf(taskId: string): Promise<RunJson[]> {
  return (await (await h.app.request(`/api/runs?task_id=${taskId}`)).json()).runs.reverse();
}

/** Waits until the task has `count` runs, all ended, and returns them oldest first. */
async function settled(taskId: string, count: number): Promise<RunJson[]> {
  return waitFor(
    async () => {
      const runs = await runsOf(taskId);
      return runs.length >= count && runs.every((r) => r.finished_at) ? runs : undefined;
    },
    30_000,
    `${count} ended runs of ${taskId}`,
  );
}

async function execute(taskId: string, params?: Record<string, unknown>): Promise<number> {
  const res = await send('POST', `/api/tasks/${taskId}/execute`, params ? { params } : undefined);
  expect(res.status).toBe(202);
  return (await res.json()).run_id;
}

describe('retries', () => {
  it('runs a failing task 1 + max_retries times, each retry linked to the one before and waiting out the delay', async () => {
    writeTask(h.dirs, 'flaky.sh', 'echo "attempt for $TASKRUN_PARAM_TARGET"\nexit 1\n');
    await send('PUT', '/api/tasks/flaky', {
      max_retries: 2,
      retry_delay_s: 1,
      params: [{ name: 'target', type: 'string', default: 'db' }],
    });
    const first = await execute('flaky', { target: 'cache' });
    const runs = await settled('flaky', 3);
    expect(runs.map((r) => [r.attempt, r.max_attempts, r.status, r.trigger])).toEqual([
      [1, 3, 'failed', 'api'],
      [2, 3, 'failed', 'retry'],
      [3, 3, 'failed', 'retry'],
    ]);
    expect(runs[0].run_id).toBe(first);
    expect(runs.map((r) => r.retry_of)).toEqual([null, runs[0].run_id, runs[1].run_id]);
    // Each retry keeps the values, was queued (when the run it retries ended) with a not_before one delay
    // later, and did not start before it.
    for (const [prev, retry] of [
      [runs[0], runs[1]],
      [runs[1], runs[2]],
    ]) {
      expect(retry.params).toEqual({ target: 'cache' });
      expect(Date.parse(retry.not_before!) - Date.parse(retry.created_at)).toBe(1000);
      expect(Date.parse(retry.created_at)).toBeGreaterThanOrEqual(Date.parse(prev.finished_at!));
      expect(Date.parse(retry.started_at!)).toBeGreaterThanOrEqual(Date.parse(retry.not_before!));
    }
    expect(runs[0].not_before).toBeNull();
    // No fourth attempt.
    expect((await runsOf('flaky')).length).toBe(3);
    const log = await (await h.app.request(`/api/logs/flaky_${runs[2].run_id}.log`)).text();
    expect(log).toContain('attempt for cache');
  });

  it('does not retry a run that succeeded, or a task with no retries', async () => {
    writeTask(h.dirs, 'fine.sh', 'exit 0\n');
    await send('PUT', '/api/tasks/fine', { max_retries: 3 });
    await execute('fine');
    writeTask(h.dirs, 'once.sh', 'exit 1\n');
    await execute('once');
    const [fine] = await settled('fine', 1);
    const [once] = await settled('once', 1);
    expect([fine.status, fine.max_attempts, once.status, once.max_attempts]).toEqual(['success', 4, 'failed', 1]);
    // A retry would have been queued in the same transaction that ended the run.
    expect((await runsOf('fine')).length).toBe(1);
    expect((await runsOf('once')).length).toBe(1);
  });

  it('does not retry a canceled run', async () => {
    writeTask(h.dirs, 'held.sh', 'sleep 30\n');
    await send('PUT', '/api/tasks/held', { max_retries: 2 });
    const id = await execute('held');
    await waitFor(async () => (await (await h.app.request(`/api/runs/${id}`)).json()).status === 'running');
    expect((await h.app.request(`/api/runs/${id}/cancel`, { method: 'POST' })).status).toBe(202);
    const [run] = await settled('held', 1);
    expect(run.status).toBe('canceled');
    expect((await runsOf('held')).length).toBe(1);
  });
});

describe('start again', () => {
  it('starts a run again with the values it ran with, as trigger rerun, audited', async () => {
    writeTask(h.dirs, 'report.sh', 'echo "report $TASKRUN_PARAM_DAY $TASKRUN_PARAM_FULL"\n');
    await send('PUT', '/api/tasks/report', {
      params: [
        { name: 'day', type: 'string', required: true },
        { name: 'full', type: 'boolean' },
        { name: 'note', type: 'text' },
      ],
    });
    const first = await execute('report', { day: '2024-05-01', full: true });
    await settled('report', 1);
    const res = await send('POST', `/api/runs/${first}/rerun`);
    expect(res.status).toBe(202);
    const again = await res.json();
    expect(again).toMatchObject({ task_id: 'report', status: 'queued', log: `/api/logs/report_${again.run_id}.log` });
    const [, second] = await settled('report', 2);
    expect(second).toMatchObject({
      run_id: again.run_id,
      trigger: 'rerun',
      params: { day: '2024-05-01', full: true },
      attempt: 1,
      retry_of: null,
    });
    expect(await (await h.app.request(`/api/logs/report_${again.run_id}.log`)).text()).toBe('report 2024-05-01 true\n');
    const audit = (await (await h.app.request('/api/audit?action=run.execute')).json()).entries;
    expect(audit[0]).toMatchObject({ target: 'report', details: { run_id: again.run_id, trigger: 'rerun', rerun_of: first } });
  });

  it('lets the body replace or add values, still checked', async () => {
    const [first] = await runsOf('report');
    const res = await send('POST', `/api/runs/${first.run_id}/rerun`, { params: { full: false, note: 'redo' } });
    expect(res.status).toBe(202);
    const runs = await settled('report', 3);
    expect(runs[2].params).toEqual({ day: '2024-05-01', full: false, note: 'redo' });
    const bad = await send('POST', `/api/runs/${first.run_id}/rerun`, { params: { full: 'maybe' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: 'invalid parameters: full must be true or false',
      fields: { full: 'must be true or false' },
    });
  });

  it('drops values of parameters the task no longer declares, and checks the rest against its parameters now', async () => {
    const [first] = await runsOf('report');
    await send('PUT', '/api/tasks/report', { params: [{ name: 'day', type: 'string', pattern: '[0-9-]+' }] });
    expect((await send('POST', `/api/runs/${first.run_id}/rerun`)).status).toBe(202);
    const runs = await settled('report', 4);
    expect(runs[3].params).toEqual({ day: '2024-05-01' });
    await send('PUT', '/api/tasks/report', { params: [{ name: 'day', type: 'choice', choices: ['mon', 'tue'] }] });
    const refused = await send('POST', `/api/runs/${first.run_id}/rerun`);
    expect(refused.status).toBe(400);
    expect((await refused.json()).fields).toEqual({ day: 'must be one of mon, tue' });
  });

  it('needs a required secret parameter again, since its value was not kept', async () => {
    writeTask(h.dirs, 'deploy.sh', 'test -n "$TASKRUN_PARAM_TOKEN" && echo "deploying $TASKRUN_PARAM_ENV"\n');
    await send('PUT', '/api/tasks/deploy', {
      params: [
        { name: 'env', type: 'string' },
        { name: 'token', type: 'secret', required: true },
      ],
    });
    const first = await execute('deploy', { env: 'prod', token: 'tok-1' });
    await settled('deploy', 1);
    const missing = await send('POST', `/api/runs/${first}/rerun`);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: 'invalid parameters: token is required', fields: { token: 'is required' } });
    const given = await send('POST', `/api/runs/${first}/rerun`, { params: { token: 'tok-2' } });
    expect(given.status).toBe(202);
    const runs = await settled('deploy', 2);
    expect(runs[1]).toMatchObject({ status: 'success', params: { env: 'prod' } });
  });

  it('answers 409 while the task is busy and 404 for an unknown run', async () => {
    writeTask(h.dirs, 'busy.sh', 'sleep 30\n');
    const id = await execute('busy');
    const res = await send('POST', `/api/runs/${id}/rerun`);
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: 'task already running', run_id: id });
    await h.app.request(`/api/runs/${id}/cancel`, { method: 'POST' });
    expect((await send('POST', '/api/runs/999999/rerun')).status).toBe(404);
  });
});

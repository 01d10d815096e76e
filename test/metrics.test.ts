import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTask } from './support/dirs';
import { createHarness, waitFor, type Harness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ METRICS_TOKEN: 'a-metrics-token-of-some-length' });
  await h.startRunner();
});
afterAll(() => h.close());

const scrape = async () =>
  (await h.app.request('/metrics', { headers: { authorization: 'Bearer a-metrics-token-of-some-length' } })).text();
const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.split(' ').at(-1)) : undefined;
};

describe('operations endpoints', () => {
  it('/readyz is 200 once migrations are applied; /healthz is 200', async () => {
    expect((await h.app.request('/readyz')).status).toBe(200);
    expect((await h.app.request('/healthz')).status).toBe(200);
  });

  it('/metrics needs METRICS_TOKEN when set', async () => {
    expect((await h.app.request('/metrics')).status).toBe(401);
    expect((await h.app.request('/metrics', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('/metrics counts runs by status, their durations and queue latency, the queue and the slots', async () => {
    writeTask(h.dirs, 'ok.sh', 'echo ok\n');
    writeTask(h.dirs, 'ko.sh', 'exit 2\n');
    for (const id of ['ok', 'ko']) {
      const { run_id } = await (await h.app.request(`/api/tasks/${id}/execute`, { method: 'POST' })).json();
      await waitFor(async () => (await (await h.app.request(`/api/runs/${run_id}`)).json()).finished_at);
    }
    const text = await waitFor(async () => {
      const t = await scrape();
      return value(t, 'taskrun_runs_finished_total{status="failed"}') === 1 ? t : null;
    }, 10_000, 'metrics to count the runs');
    expect(value(text, 'taskrun_runs_finished_total{status="success"}')).toBe(1);
    expect(value(text, 'taskrun_runs_started_total')).toBe(2);
    expect(value(text, 'taskrun_run_duration_seconds_count{status="success"}')).toBe(1);
    expect(value(text, 'taskrun_run_queue_seconds_count')).toBe(2);
    expect(value(text, 'taskrun_queue_depth')).toBe(0);
    expect(value(text, 'taskrun_runner_slots{state="total"}')).toBe(5);
    expect(value(text, 'taskrun_runners')).toBe(1);
    expect(text).toMatch(/taskrun_http_request_duration_seconds_count\{method="POST",route="\/api\/tasks\/:id\/execute",status="202"\} 2/);
  });
});

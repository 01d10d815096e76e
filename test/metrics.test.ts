import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTask } from './support/dirs';
import { loadConfig } from '../src/config';
import { createApp } from '../src/routes/app';
import { expectError } from './support/bad-input';
import { createHarness, waitFor, type Harness } from './support/harness';
import { bearer, seedPrincipals, signInCookie, type Principals } from './support/principals';

let h: Harness;
let p: Principals;
beforeAll(async () => {
  h = await createHarness({ METRICS_TOKEN: 'a-metrics-token-of-some-length' });
  p = await seedPrincipals(h);
  await h.startRunner();
});
afterAll(() => h.close());

const scrape = async () =>
  (await h.app.request('/metrics', { headers: { authorization: 'Bearer a-metrics-token-of-some-length' } })).text();
const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ').at(-1)) : undefined;
};

describe('operations endpoints', () => {
  it('/readyz is 200 once migrations are applied; /healthz is 200', async () => {
    expect((await h.app.request('/readyz')).status).toBe(200);
    expect((await h.app.request('/healthz')).status).toBe(200);
  });

  it('/metrics answers METRICS_TOKEN or an admin; anyone else gets a JSON error', async () => {
    await expectError(h.rawApp, '/metrics', {}, 401, /METRICS_TOKEN bearer token or an admin/);
    await expectError(h.rawApp, '/metrics', { headers: bearer('wrong') }, 401, /METRICS_TOKEN bearer token or an admin/);
    await expectError(h.rawApp, '/metrics', { headers: bearer(p.tokens.editor) }, 403, /admin/);
    for (const headers of [bearer('a-metrics-token-of-some-length'), bearer(p.tokens.admin)]) {
      expect((await h.rawApp.request('/metrics', { headers })).status).toBe(200);
    }
  });

  it('/metrics answers an admin signed in with a session, not a viewer', async () => {
    const admin = await signInCookie(h, 'user-admin', p.password);
    expect((await h.rawApp.request('/metrics', { headers: { cookie: admin.cookie } })).status).toBe(200);
    const viewer = await signInCookie(h, 'user-viewer', p.password);
    expect((await h.rawApp.request('/metrics', { headers: { cookie: viewer.cookie } })).status).toBe(403);
  });

  it('/metrics without METRICS_TOKEN still needs an admin, unless METRICS_PUBLIC=1', async () => {
    const app = createApp({ ...h.deps, cfg: loadConfig({ ...h.env, METRICS_TOKEN: '' }) });
    await expectError(app, '/metrics', {}, 401, /an admin/);
    expect((await app.request('/metrics', { headers: bearer(p.tokens.admin) })).status).toBe(200);
    const open = createApp({ ...h.deps, cfg: loadConfig({ ...h.env, METRICS_TOKEN: '', METRICS_PUBLIC: '1' }) });
    const res = await open.request('/metrics');
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^# HELP /);
  });

  it('refuses METRICS_PUBLIC=1 together with METRICS_TOKEN', () => {
    expect(() => loadConfig({ ...h.env, METRICS_PUBLIC: '1' })).toThrow(/METRICS_PUBLIC/);
  });

  it('/metrics counts runs by status, their durations and queue latency, the queue and the slots', async () => {
    writeTask(h.dirs, 'ok.sh', 'echo ok\n');
    writeTask(h.dirs, 'ko.sh', 'exit 2\n');
    for (const id of ['ok', 'ko']) {
      const { run_id } = await (await h.app.request(`/api/tasks/${id}/execute`, { method: 'POST' })).json();
      await waitFor(async () => (await (await h.app.request(`/api/runs/${run_id}`)).json()).finished_at);
    }
    const text = await waitFor(
      async () => {
        const t = await scrape();
        return value(t, 'taskrun_runs_finished_total{status="failed"}') === 1 ? t : null;
      },
      10_000,
      'metrics to count the runs',
    );
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

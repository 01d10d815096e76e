import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRun } from '../src/runs/read';
import { writeTask } from './support/dirs';
import { createHarness, interpreters, waitFor, type Harness } from './support/harness';

// Real runs of real processes: what the sampler records of a run's process tree, and a run over its limit.

const MB = 1024 * 1024;
// The Python that runs start (as root, one the run users can start).
const python = interpreters.python!;

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ MAX_TASK_WORKERS: '4' });
  await h.startRunner();
});
afterAll(() => h?.close());

type Sample = { t: string; cpu_pct: number; rss_bytes: number };
const get = async (url: string) => (await h.app.request(url)).json();
const put = (id: string, body: unknown) => h.app.request(`/api/tasks/${id}`, { method: 'PUT', body: JSON.stringify(body) });
const execute = async (id: string): Promise<number> =>
  (await (await h.app.request(`/api/tasks/${id}/execute`, { method: 'POST' })).json()).run_id;
const ended = (runId: number) => h.runEnded(runId, 60_000);
// An error answer: exactly `status`, JSON with an `error` message matching `mentions`.
const expectError = async (res: Response, status: number, mentions = /./) => {
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(body.error).toMatch(mentions);
  return body;
};
const release = (name: string) => fs.writeFileSync(path.join(h.dirs.root, name), '');
const waitRelease = (name: string) => `
import os, time
while not os.path.exists(${JSON.stringify(path.join(h.dirs.root, name))}):
    time.sleep(0.05)
`;

describe('resource samples of a run', () => {
  it('records a rising memory series and its peak, live while it runs and on the run at its end', async () => {
    // 20 MB more every 0.6 s up to 120 MB, then held until the test has seen it.
    writeTask(
      h.dirs,
      'grows.py',
      `
import time
blocks = []
for i in range(6):
    blocks.append(b"x" * (20 << 20))
    print("holding", 20 * (i + 1), "MB", flush=True)
    time.sleep(0.6)
${waitRelease('grows-release')}
`,
    );
    const runId = await execute('grows');
    const live = await waitFor(
      async () => {
        const r = await get(`/api/runs/${runId}`);
        return r.status === 'running' && r.peak_rss_bytes >= 120 * MB ? r : null;
      },
      60_000,
      'the peak to show while running',
    );
    expect(live.cpu_seconds).toBeGreaterThan(0);
    release('grows-release');
    const run = await ended(runId);
    expect(run.status).toBe('success');
    expect(run.peak_rss_bytes).toBeGreaterThanOrEqual(120 * MB);
    expect(run.peak_rss_bytes).toBeLessThan(200 * MB);

    const res = await get(`/api/runs/${runId}/resources`);
    expect(res).toMatchObject({ run_id: runId, status: 'success', peak_rss_bytes: run.peak_rss_bytes, cpu_seconds: run.cpu_seconds });
    const samples: Sample[] = res.samples;
    expect(samples.length).toBeGreaterThanOrEqual(4);
    for (const s of samples) {
      expect(Object.keys(s).sort()).toEqual(['cpu_pct', 'rss_bytes', 't']);
      expect(Number.isFinite(Date.parse(s.t))).toBe(true);
      expect(s.cpu_pct).toBeGreaterThanOrEqual(0);
    }
    expect(samples.map((s) => s.t)).toEqual([...samples.map((s) => s.t)].sort());
    // Rising: several distinct levels on the way up, each not below the one before (the bytes are held).
    const rss = samples.map((s) => s.rss_bytes);
    const top = rss.indexOf(Math.max(...rss));
    const climb = rss.slice(0, top + 1);
    expect(climb[0]).toBeLessThan(100 * MB);
    expect(new Set(climb.map((b) => Math.round(b / (10 * MB)))).size).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < climb.length; i++) expect(climb[i]).toBeGreaterThanOrEqual(climb[i - 1] - 2 * MB);
    expect(Math.max(...rss)).toBe(run.peak_rss_bytes);
  });

  it('counts the whole process tree: memory of a child, CPU of a child that already exited', async () => {
    const pidFile = path.join(h.dirs.out, 'child.pid');
    // First a child that burns 1.5 s of CPU and exits (bash waits for it: its time lands in bash's cutime),
    // then one in the background that holds 100 MB.
    writeTask(
      h.dirs,
      'tree.sh',
      `
'${python}' -c 'import time
while time.process_time() < 1.5: pass'
'${python}' -c 'import os, time
open(${JSON.stringify(pidFile)}, "w").write(str(os.getpid()))
b = b"x" * (100 << 20)
${waitRelease('tree-release').trim()}' &
wait
`,
    );
    const runId = await execute('tree');
    await waitFor(async () => (await get(`/api/runs/${runId}`)).peak_rss_bytes >= 100 * MB, 60_000, "the child's memory to count");
    release('tree-release');
    const run = await ended(runId);
    expect(run.status).toBe('success');
    const pgid = (await getRun(h.tdb.db, runId))!.pid!;
    expect(Number(fs.readFileSync(pidFile, 'utf8'))).not.toBe(pgid);
    expect(run.peak_rss_bytes).toBeGreaterThanOrEqual(100 * MB);
    expect(run.peak_rss_bytes).toBeLessThan(180 * MB);
    expect(run.cpu_seconds).toBeGreaterThanOrEqual(1.45);
    expect(run.cpu_seconds).toBeLessThan(10);
  });

  it('answers the resources of any run, even one too short to sample, and 400 or 404 for bad ids', async () => {
    writeTask(h.dirs, 'quick.sh', 'echo hi\n');
    const run = await ended(await execute('quick'));
    expect(run.status).toBe('success');
    expect(run).toHaveProperty('peak_rss_bytes');
    expect(run).toHaveProperty('cpu_seconds');
    const res = await get(`/api/runs/${run.run_id}/resources`);
    expect(res.run_id).toBe(run.run_id);
    expect(Array.isArray(res.samples)).toBe(true);
    await expectError(await h.app.request('/api/runs/abc/resources'), 400, /invalid run id/);
    await expectError(await h.app.request('/api/runs/0/resources'), 400, /invalid run id/);
    await expectError(await h.app.request('/api/runs/987654321/resources'), 404, /run not found: 987654321/);
  });
});

describe('resource limits', () => {
  const greedy = `
import time
blocks = []
for i in range(30):
    blocks.append(b"x" * (20 << 20))
    print("holding", 20 * (i + 1), "MB", flush=True)
    time.sleep(0.3)
time.sleep(30)
`;

  it("stops a run over its task's memory limit like a cancel: failed, with the reason in the run and its log", async () => {
    writeTask(h.dirs, 'greedy.py', greedy);
    const set = await put('greedy', { max_rss_bytes: 50 * MB, limit_grace_s: 1 });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ max_rss_bytes: 50 * MB, max_cpu_pct: null, limit_grace_s: 1 });
    const run = await ended(await execute('greedy'));
    expect(run).toMatchObject({ status: 'failed', error: 'memory limit 50 MB exceeded' });
    expect(run.peak_rss_bytes).toBeGreaterThan(50 * MB);
    const log = await (await h.app.request(run.log)).text();
    expect(log).toContain('holding 20 MB');
    expect(log).toMatch(/^\[taskrun\] memory limit 50 MB exceeded: stopping the run$/m);
    expect(log).not.toContain('holding 600 MB');
    expect((await getRun(h.tdb.db, run.run_id))!.pid).toBeGreaterThan(1);
  });

  it('stops a run over its CPU limit', async () => {
    writeTask(h.dirs, 'spins.py', 'while True: pass\n');
    await put('spins', { max_cpu_pct: 10, limit_grace_s: 1 });
    const run = await ended(await execute('spins'));
    expect(run).toMatchObject({ status: 'failed', error: 'CPU limit 10% exceeded' });
    expect(await (await h.app.request(run.log)).text()).toContain('[taskrun] CPU limit 10% exceeded');
  });

  it("applies the environment's default limit to a task without its own, and a task's own limit over it", async () => {
    const other = await createHarness({ RUN_MAX_RSS_MB: '40', RUN_LIMIT_GRACE_S: '0' });
    try {
      await other.startRunner();
      writeTask(other.dirs, 'greedy.py', greedy);
      writeTask(other.dirs, 'allowed.py', 'b = b"x" * (60 << 20)\nimport time\ntime.sleep(2.5)\n');
      await other.app.request('/api/tasks/allowed', { method: 'PUT', body: JSON.stringify({ max_rss_bytes: 500 * MB }) });
      const go = async (id: string) => (await (await other.app.request(`/api/tasks/${id}/execute`, { method: 'POST' })).json()).run_id;
      const [greedyId, allowedId] = [await go('greedy'), await go('allowed')];
      const end = (id: number) => other.runEnded(id, 60_000);
      expect(await end(greedyId)).toMatchObject({ status: 'failed', error: 'memory limit 40 MB exceeded' });
      const allowed = await end(allowedId);
      expect(allowed.status).toBe('success');
      expect(allowed.peak_rss_bytes).toBeGreaterThan(60 * MB);
    } finally {
      await other.close();
    }
  });

  it('takes limits on create and change, null for the default, and refuses bad ones', async () => {
    const created = await h.app.request('/api/tasks', {
      method: 'POST',
      body: JSON.stringify({
        id: 'limited',
        language: 'sh',
        content: 'echo hi\n',
        max_rss_bytes: 256 * MB,
        max_cpu_pct: 150,
        limit_grace_s: 5,
      }),
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ max_rss_bytes: 256 * MB, max_cpu_pct: 150, limit_grace_s: 5 });
    expect(await (await put('limited', { max_cpu_pct: null })).json()).toMatchObject({
      max_rss_bytes: 256 * MB,
      max_cpu_pct: null,
      limit_grace_s: 5,
    });
    for (const [body, field] of [
      [{ max_rss_bytes: -1 }, 'max_rss_bytes'],
      [{ max_rss_bytes: 1000 }, 'max_rss_bytes'],
      [{ max_rss_bytes: MB + 0.5 }, 'max_rss_bytes'],
      [{ max_rss_bytes: '512MB' }, 'max_rss_bytes'],
      [{ max_cpu_pct: 0 }, 'max_cpu_pct'],
      [{ limit_grace_s: -1 }, 'limit_grace_s'],
      [{ limit_grace_s: 0.5 }, 'limit_grace_s'],
    ] as const) {
      const err = await expectError(await put('limited', body), 400);
      expect(Object.keys(err.fields as object)).toEqual([field]);
    }
  });
});

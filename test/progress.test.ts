import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL, listen, notifyRunChange, parseRunChange } from '../src/db/notify';
import { writeTask } from './support/dirs';
import { createHarness, waitFor, type Harness } from './support/harness';
import { cspViolations } from './views/fixtures';
import { readSse } from './support/sse';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await h.startRunner();
});
afterAll(() => h.close());

const execute = async (id: string): Promise<number> =>
  (await (await h.app.request(`/api/tasks/${id}/execute`, { method: 'POST' })).json()).run_id;
const runJson = async (runId: number) => (await h.app.request(`/api/runs/${runId}`)).json();
const waitRelease = (name: string) => `while [ ! -e ${path.join(h.dirs.root, name)} ]; do sleep 0.05; done`;
const release = (name: string) => fs.writeFileSync(path.join(h.dirs.root, name), '');

describe('::progress lines', () => {
  it('are left out of the log; the latest is stored and shown with the time left while the run goes on', async () => {
    writeTask(
      h.dirs,
      'steps.sh',
      [
        'echo before',
        'echo "::progress 10"',
        'echo "::progress 40 Loading rows"',
        // Malformed, or not at the start of a line: ordinary output.
        'echo "::progress lots of work"',
        'echo "::progress 101"',
        'echo "  ::progress 50 indented"',
        waitRelease('steps-go'),
        'echo "text then ::progress 60"',
        'printf "::progress 75 almost\\r\\n"',
        'echo after',
        '',
      ].join('\n'),
    );
    const runId = await execute('steps');
    const live = await waitFor(
      async () => {
        const r = await runJson(runId);
        return r.progress?.percent === 40 ? r : null;
      },
      20_000,
      'progress 40',
    );
    expect(live.status).toBe('running');
    expect(live.progress.message).toBe('Loading rows');
    // Time left = elapsed × (100 − p) / p, elapsed from the start to the report.
    const elapsedS = (Date.parse(live.progress.at) - Date.parse(live.started_at)) / 1000;
    expect(live.progress.eta_s).toBe(Math.round((elapsedS * 60) / 40));

    const tasks = await (await h.app.request('/api/tasks')).json();
    expect(tasks.find((t: { id: string }) => t.id === 'steps').active_run.progress).toEqual(live.progress);

    const state = await (await h.app.request('/tasks/steps/state', { headers: { 'HX-Request': 'true' } })).text();
    expect(state).toContain(`data-progress-run="${runId}"`);
    expect(state).toContain('<progress class="progress-bar" max="100" value="40"');
    expect(state).toContain('Loading rows');
    expect(state).toContain('left</span>');
    expect(cspViolations(state)).toEqual([]);

    const runPage = await (await h.app.request(`/runs/${runId}`)).text();
    expect(runPage).toContain('<progress class="progress-bar" max="100" value="40"');
    expect(runPage).toContain('data-task-events="/events/tasks"');
    expect(cspViolations(runPage)).toEqual([]);

    release('steps-go');
    const run = await h.runEnded(runId);
    expect(run.status).toBe('success');
    expect(run.progress).toMatchObject({ percent: 75, message: 'almost', eta_s: null });
    const log = 'before\n::progress lots of work\n::progress 101\n  ::progress 50 indented\ntext then ::progress 60\nafter\n';
    expect(fs.readFileSync(path.join(h.dirs.logsDir, `steps_${runId}.log`), 'utf8')).toBe(log);
    expect(await (await h.app.request(run.log)).text()).toBe(log);
    expect(run.log_bytes).toBe(Buffer.byteLength(log));
  });

  it('stores the last of thousands of reports, writing far fewer times than it was told', async () => {
    writeTask(
      h.dirs,
      'chatty.py',
      [
        'for i in range(5000):',
        '    print(f"::progress {i / 50:.2f} item {i}")',
        '    if i % 1000 == 0: print(f"row {i}")',
        'print("::progress 100 finished")',
        '',
      ].join('\n'),
    );
    const reports: number[] = [];
    let runId = 0;
    const unlisten = await listen(h.deps.db, CHANNEL.run, (payload) => {
      const c = parseRunChange(payload);
      if (c && c.id === runId && c.progress_pct !== undefined) reports.push(c.progress_pct);
    });
    runId = await execute('chatty');
    const run = await h.runEnded(runId);
    await unlisten();
    expect(run.status).toBe('success');
    expect(run.progress).toMatchObject({ percent: 100, message: 'finished' });
    expect(await (await h.app.request(run.log)).text()).toBe('row 0\nrow 1000\nrow 2000\nrow 3000\nrow 4000\n');
    // At most one write per 500 ms, plus the first and the last.
    expect(reports.length).toBeLessThanOrEqual(2 + Math.ceil((run.duration_ms ?? 0) / 500));
    expect(reports.at(-1)).toBe(100);
  });

  it('sends each report to live pages as a progress event of /events/tasks', async () => {
    writeTask(h.dirs, 'eventful.sh', `echo "::progress 30 warming up"\n${waitRelease('eventful-go')}\n`);
    const res = await h.app.request('/events/tasks');
    const events = readSse(res);
    expect((await events.next()).value?.event).toBe('ready');
    const runId = await execute('eventful');
    let report: Record<string, unknown> | undefined;
    for await (const e of events) {
      if (e.event !== 'progress') continue;
      report = JSON.parse(e.data);
      if (report?.run_id === runId) break;
    }
    await res.body?.cancel().catch(() => {
      // readSse's pipe holds the body locked, so the cancel rejects (and cancels nothing)
    });
    expect(report).toMatchObject({ run_id: runId, task_id: 'eventful', percent: 30, message: 'warming up' });
    expect(typeof report?.eta_s).toBe('number');
    release('eventful-go');
    await h.runEnded(runId);
  });
});

describe('progress announcements in the web', () => {
  it('reach only listeners that ask for progress; status listeners (streams, metrics) see status changes only', async () => {
    const statusOnly: unknown[] = [];
    const withProgress: unknown[] = [];
    const offA = h.deps.events.subscribe(987654, (e) => statusOnly.push(e.status));
    const offB = h.deps.events.subscribe(987654, (e) => withProgress.push(e.progress_pct ?? e.status), { progress: true });
    notifyRunChange(h.deps.notify, { id: 987654, status: 'running', progress_pct: 10 });
    notifyRunChange(h.deps.notify, { id: 987654, status: 'success' });
    await waitFor(() => withProgress.length === 2, 10_000, 'both announcements');
    expect(withProgress).toEqual([10, 'success']);
    expect(statusOnly).toEqual(['success']);
    offA();
    offB();
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScheduler } from '../src/scheduler/scheduler';
import { writeTask } from './support/dirs';
import { createHarness, waitFor, type Harness } from './support/harness';

// The scheduler for real: a schedule firing every second through a real runner, and two runner
// processes with their schedulers up at once over the same schedule, each fire time decided once.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  writeTask(h.dirs, 'every.sh', 'echo "tick $TASKRUN_RUN_ID"\n');
});
afterAll(() => h.close());

type FireRow = { fire_at: number; outcome: string; run_id: number | null };

async function firesOf(id: number): Promise<FireRow[]> {
  const rows = await h.tdb.db.$client<{ fire_at: string; outcome: string; run_id: number | null }[]>`
    select fire_at, outcome, run_id from schedule_fires where schedule_id = ${id} order by fire_at`;
  return rows.map((r) => ({ ...r, fire_at: new Date(r.fire_at).getTime() }));
}

async function scheduleRuns(task: string): Promise<{ id: number; status: string }[]> {
  return h.tdb.db.$client`select id, status from runs where task_id = ${task} and trigger = 'schedule' order by id`;
}

async function addSchedule(task: string, cron: string): Promise<number> {
  const res = await h.app.request(`/api/tasks/${task}/schedules`, { method: 'POST', body: JSON.stringify({ cron }) });
  expect(res.status).toBe(201);
  return (await res.json()).schedule_id;
}

const pause = async (id: number) =>
  expect((await h.app.request(`/api/schedules/${id}`, { method: 'PATCH', body: '{"enabled":false}' })).status).toBe(200);

/** Every fire time from the first to the last, one second apart: none was left undecided. */
function expectEverySecond(rows: FireRow[]): void {
  const gaps = rows.slice(1).map((r, i) => r.fire_at - rows[i]!.fire_at);
  expect(
    gaps.every((g) => g === 1000),
    `gaps ${gaps.join(',')}`,
  ).toBe(true);
}

/** The runs a schedule made are exactly the runs its "queued" fire records name. */
async function expectRunsMatchFires(task: string, rows: FireRow[]): Promise<void> {
  const runs = await scheduleRuns(task);
  const named = rows.filter((r) => r.outcome === 'queued').map((r) => r.run_id);
  expect(named.every((id) => id !== null)).toBe(true);
  expect([...named].sort((a, b) => a! - b!)).toEqual(runs.map((r) => r.id));
  expect(rows.every((r) => r.outcome === 'queued' || r.outcome === 'busy')).toBe(true);
}

describe('schedules for real', () => {
  it('fires a "* * * * * *" schedule every second through a real runner', async () => {
    await h.startRunner();
    const scheduler = await startScheduler(h.runnerContext());
    const id = await addSchedule('every', '* * * * * *');
    await waitFor(
      async () => (await scheduleRuns('every')).filter((r) => r.status === 'success').length >= 3,
      30_000,
      'three scheduled runs',
    );
    await pause(id);
    await scheduler.stop();
    const rows = await firesOf(id);
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expectEverySecond(rows);
    await expectRunsMatchFires('every', rows);
  });

  it('decides each fire time exactly once with two scheduler processes up at once', async () => {
    writeTask(h.dirs, 'twice.sh', 'echo "once $TASKRUN_RUN_ID"\n');
    const procs = [startRunnerProcess(), startRunnerProcess()];
    try {
      await Promise.all(procs.map((p) => waitFor(() => p.output().includes('runner started'), 60_000, 'a runner process to start')));
      const id = await addSchedule('twice', '* * * * * *');
      await waitFor(async () => (await firesOf(id)).length >= 6, 30_000, 'six fire times');
      await pause(id);
      await Promise.all(procs.map((p) => p.stop()));

      const rows = await firesOf(id);
      expectEverySecond(rows);
      await expectRunsMatchFires('twice', rows);
      // Each process logs the fire times it decided: together all of them, and none twice.
      const byProcess = procs.map((p) => decidedIn(p.output(), id));
      const all = byProcess.flat().sort((a, b) => a - b);
      expect(all).toEqual(rows.map((r) => r.fire_at));
      expect(new Set(all).size).toBe(all.length);
      await waitFor(async () => (await scheduleRuns('twice')).some((r) => r.status === 'success'), 20_000, 'a scheduled run to succeed');
    } finally {
      await Promise.all(procs.map((p) => p.stop()));
    }
  });
});

type RunnerProcess = { child: ChildProcess; output: () => string; stop: () => Promise<void> };

// `node --import tsx src/runner/main.ts` against the test's database and folders, its whole output kept.
function startRunnerProcess(): RunnerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/runner/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...h.env, LOG_LEVEL: 'debug', SCHEDULER: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

// The fire times of a schedule a process says it decided (its log: one JSON object a line).
function decidedIn(output: string, scheduleId: number): number[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg?: string; schedule_id?: number; fire_at?: string })
    .filter((e) => e.msg === 'schedule fire decided' && e.schedule_id === scheduleId)
    .map((e) => new Date(e.fire_at!).getTime());
}

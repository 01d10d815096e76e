import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRun } from '../src/runs/read';
import { writeTask } from './support/dirs';
import { createHarness, waitFor, type Harness } from './support/harness';
import { processAlive, processGroupAlive, startProcess, type Proc } from './support/processes';

let h: Harness;
const procs: Proc[] = [];
beforeAll(async () => {
  h = await createHarness({ RUNNER_DEAD_S: '2' });
});
afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await h.close();
});

const runner = () => {
  const p = startProcess('src/runner/main.ts', h.env);
  procs.push(p);
  return p;
};
const status = async (id: number) => (await (await h.app.request(`/api/runs/${id}`)).json()).status;

describe('a runner killed with SIGKILL mid-run', () => {
  it('has its run marked lost by the next runner, which kills what was left; the task can run again', async () => {
    const pidFile = path.join(h.dirs.out, 'gc.pid');
    const escapedFile = path.join(h.dirs.out, 'escaped.pid');
    // A grandchild in the run's process group, and one that left it (setsid): both are the run's.
    writeTask(
      h.dirs,
      'orphaned.sh',
      `setsid sleep 1000 & echo $! > ${escapedFile}\nsleep 1000 &\necho $! > ${pidFile}\necho started\nsleep 1000\n`,
    );
    const first = runner();
    const { run_id } = await (await h.app.request('/api/tasks/orphaned/execute', { method: 'POST' })).json();
    await waitFor(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim(), 30_000, 'task to start');
    const pgid = (await waitFor(async () => (await getRun(h.tdb.db, run_id))?.pid, 10_000, 'pid recorded'))!;
    const grandchild = Number(fs.readFileSync(pidFile, 'utf8'));
    const escaped = Number(fs.readFileSync(escapedFile, 'utf8'));

    first.child.kill('SIGKILL');
    await first.exited;
    // Its task processes outlive it, in their own group.
    expect(processGroupAlive(pgid)).toBe(true);
    expect(await status(run_id)).toBe('running');

    runner();
    await waitFor(async () => (await status(run_id)) === 'lost', 30_000, 'run marked lost');
    // Its log size is the file's, though its runner never recorded its end.
    const lost = (await getRun(h.tdb.db, run_id))!;
    expect(lost.logBytes).toBeGreaterThan(0);
    expect(lost.logBytes).toBe(fs.statSync(path.join(h.dirs.logsDir, `orphaned_${run_id}.log`)).size);
    await waitFor(() => !processGroupAlive(pgid) && !processAlive(grandchild), 30_000, 'leftovers killed');
    if (process.getuid?.() === 0) await waitFor(() => !processAlive(escaped), 30_000, 'the escaped process (same run uid) killed');
    await waitFor(async () => (await getRun(h.tdb.db, run_id))!.needsReap === false, 10_000, 'reap recorded');

    fs.rmSync(pidFile);
    fs.rmSync(escapedFile);
    const again = await h.app.request('/api/tasks/orphaned/execute', { method: 'POST' });
    expect(again.status).toBe(202);
    const second = (await again.json()).run_id;
    await waitFor(async () => (await status(second)) === 'running', 30_000, 'task to run again');
    await h.app.request(`/api/runs/${second}/cancel`, { method: 'POST' });
    await waitFor(async () => (await status(second)) === 'canceled', 30_000, 'cancel');
  });
});

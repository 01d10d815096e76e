import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getRun } from '../src/runs/read';
import { saveTaskSettings } from '../src/queries/task-settings';
import { writeTask } from './support/dirs';
import { createHarness, waitFor, type Harness } from './support/harness';
import { processAlive, processGroupAlive } from './support/processes';

let h: Harness;
afterEach(() => h?.close());

const execute = (id: string) => h.app.request(`/api/tasks/${id}/execute`, { method: 'POST' });
const runJson = async (runId: number) => (await h.app.request(`/api/runs/${runId}`)).json();

// Starts a grandchild that would outlive its parent, records its pid, then waits.
const GRANDCHILD_TASK = (pidFile: string) => `sleep 1000 &\necho $! > ${pidFile}\necho started\nsleep 1000\n`;

describe('one active run per task', () => {
  beforeEach(async () => {
    h = await createHarness();
  });

  it('answers 50 concurrent executes of one task with exactly one 202 and 49 409s naming the active run', async () => {
    writeTask(h.dirs, 'once.sh', 'sleep 1\n');
    const responses = await Promise.all(Array.from({ length: 50 }, () => execute('once')));
    const accepted = responses.filter((r) => r.status === 202);
    const refused = responses.filter((r) => r.status === 409);
    expect(accepted).toHaveLength(1);
    expect(refused).toHaveLength(49);
    const { run_id } = await accepted[0].json();
    for (const r of refused) expect(await r.json()).toEqual({ error: 'task already running', run_id });
  });
});

describe('worker slots', () => {
  beforeEach(async () => {
    h = await createHarness({ MAX_TASK_WORKERS: '5' });
  });

  it('runs 5 of 6 slow runs and starts the sixth, first in first out, when one finishes', async () => {
    for (let i = 1; i <= 6; i++)
      writeTask(h.dirs, `slow${i}.sh`, `echo slow${i}\nwhile [ ! -e ${h.dirs.root}/release${i} ]; do sleep 0.05; done\n`);
    await h.startRunner();
    const ids: number[] = [];
    for (let i = 1; i <= 6; i++) ids.push((await (await execute(`slow${i}`)).json()).run_id);
    const statuses = async () => Promise.all(ids.map(async (id) => (await runJson(id)).status));
    await waitFor(async () => (await statuses()).filter((s) => s === 'running').length === 5, 20_000, '5 running');
    expect(await statuses()).toEqual(['running', 'running', 'running', 'running', 'running', 'queued']);
    fs.writeFileSync(path.join(h.dirs.root, 'release2'), '');
    await waitFor(async () => (await runJson(ids[5])).status === 'running', 20_000, 'sixth to start');
    expect((await runJson(ids[1])).status).toBe('success');
    for (let i = 1; i <= 6; i++) fs.writeFileSync(path.join(h.dirs.root, `release${i}`), '');
    for (const id of ids) expect((await h.runEnded(id)).status).toBe('success');
  });
});

describe('stopping a run ends its whole process group', () => {
  beforeEach(async () => {
    h = await createHarness({ KILL_GRACE_S: '1' });
    await h.startRunner();
  });

  it('a timeout kills the task and its grandchildren', async () => {
    const pidFile = path.join(h.dirs.out, 'gc-timeout.pid');
    writeTask(h.dirs, 'hangs.sh', GRANDCHILD_TASK(pidFile));
    await h.app.request('/api/tasks/hangs', { method: 'PUT', body: JSON.stringify({ timeout_s: 1 }) });
    const { run_id } = await (await execute('hangs')).json();
    const run = await h.runEnded(run_id);
    expect(run.status).toBe('timeout');
    expect(run.error).toMatch(/timed out after 1 s/);
    const pgid = (await getRun(h.tdb.db, run_id))!.pid!;
    expect(pgid).toBeGreaterThan(1);
    expect(processGroupAlive(pgid)).toBe(false);
    expect(processAlive(Number(fs.readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('a cancel kills the task and its grandchildren, even one that ignores SIGTERM', async () => {
    const pidFile = path.join(h.dirs.out, 'gc-cancel.pid');
    writeTask(h.dirs, 'stubborn.sh', `(trap '' TERM; sleep 1000) &\necho $! > ${pidFile}\necho started\nsleep 1000\n`);
    const { run_id } = await (await execute('stubborn')).json();
    await waitFor(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim() !== '', 20_000, 'grandchild pid');
    const res = await h.app.request(`/api/runs/${run_id}/cancel`, { method: 'POST' });
    expect(res.status).toBe(202);
    const run = await h.runEnded(run_id);
    expect(run.status).toBe('canceled');
    const pgid = (await getRun(h.tdb.db, run_id))!.pid!;
    expect(processGroupAlive(pgid)).toBe(false);
    expect(processAlive(Number(fs.readFileSync(pidFile, 'utf8')))).toBe(false);
    expect((await h.app.request(`/api/runs/${run_id}/cancel`, { method: 'POST' })).status).toBe(409);
  });

  it('a run that exits leaves no background process behind', async () => {
    const pidFile = path.join(h.dirs.out, 'gc-exit.pid');
    writeTask(h.dirs, 'leaves.sh', `sleep 1000 &\necho $! > ${pidFile}\necho bye\n`);
    const { run_id } = await (await execute('leaves')).json();
    const run = await h.runEnded(run_id);
    expect(run.status).toBe('success');
    expect(processAlive(Number(fs.readFileSync(pidFile, 'utf8')))).toBe(false);
  });
});

describe('how runs end', () => {
  beforeEach(async () => {
    h = await createHarness({ LOG_MAX_BYTES: '10000' });
    await h.startRunner();
  });

  it('records success, failure with its exit code, and a script that cannot start as error', async () => {
    writeTask(h.dirs, 'ok.py', 'import os\nprint("py", os.environ["TASKRUN_TASK_ID"], os.environ.get("PYTHONUNBUFFERED"))\n');
    writeTask(h.dirs, 'bad.js', 'console.error("boom"); process.exit(7);\n');
    writeTask(h.dirs, 'noshebang', 'not a script at all\n', 0o755);
    const ok = await h.runEnded((await (await execute('ok')).json()).run_id);
    expect(ok).toMatchObject({ status: 'success', exit_code: 0 });
    expect(await (await h.app.request(ok.log)).text()).toBe('py ok 1\n');
    expect(await h.runEnded((await (await execute('bad')).json()).run_id)).toMatchObject({ status: 'failed', exit_code: 7 });
    const broken = await h.runEnded((await (await execute('noshebang')).json()).run_id);
    expect(broken.status).toBe('error');
    expect(broken.error).toMatch(/could not start/);
  });

  it("writes why a spawn failed (arguments too long: E2BIG) to the run's log, as to its error", async () => {
    writeTask(h.dirs, 'huge.sh', 'echo never\n');
    // 100 variables of 30,000 characters: 3 MB of environment, past the kernel's 2 MB for argv and
    // environment together. (Set directly: one request's body is at most 1 MB.)
    await saveTaskSettings(h.deps.db, 'huge', {
      env: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`V${i}`, 'x'.repeat(30_000)])),
    });
    const res = await execute('huge');
    expect(res.status).toBe(202);
    const run = await h.runEnded((await res.json()).run_id);
    expect(run.status).toBe('error');
    expect(run.error).toMatch(/could not start: .*E2BIG/);
    const log = await (await h.app.request(run.log)).text();
    expect(log).toMatch(/^\[taskrun\] could not start: .*E2BIG/m);
    expect(run.log_bytes).toBe(Buffer.byteLength(log));
  });

  it('records error when the script is removed between execute and start', async () => {
    writeTask(h.dirs, 'vanishes.sh', 'echo hi\n');
    await h.close();
    h = await createHarness();
    writeTask(h.dirs, 'vanishes.sh', 'echo hi\n');
    const { run_id } = await (await execute('vanishes')).json();
    fs.rmSync(path.join(h.dirs.tasksDir, 'vanishes.sh'));
    await h.startRunner();
    const run = await h.runEnded(run_id);
    expect(run.status).toBe('error');
    expect(run.error).toMatch(/not in TASKS_DIR/);
  });

  it('caps the log at LOG_MAX_BYTES with a marker line while the run goes on to its end', async () => {
    writeTask(h.dirs, 'chatty.sh', 'for i in $(seq 1 5000); do echo "line $i of output"; done\necho done >&2\nexit 0\n');
    const run = await h.runEnded((await (await execute('chatty')).json()).run_id);
    expect(run.status).toBe('success');
    const text = await (await h.app.request(run.log)).text();
    expect(text).toMatch(/log reached LOG_MAX_BYTES \(10000 bytes\)/);
    expect(Buffer.byteLength(text)).toBeLessThan(10_200);
    expect(run.log_bytes).toBe(Buffer.byteLength(text));
  });
});

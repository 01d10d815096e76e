import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './support/harness';
import { writeTask } from './support/dirs';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const json = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('tasks API', () => {
  it('creates, reads, changes and deletes a task, keeping the file in TASKS_DIR in step', async () => {
    const created = await h.app.request(
      '/api/tasks',
      json({ id: 'greet', language: 'py', content: 'print("hi")\n', description: 'says hi', timeout_s: 30 }),
    );
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      id: 'greet',
      file: 'greet.py',
      language: 'py',
      description: 'says hi',
      timeout_s: 30,
      active_run: null,
      last_run: null,
    });
    expect(fs.readFileSync(path.join(h.dirs.tasksDir, 'greet.py'), 'utf8')).toBe('print("hi")\n');

    const again = await h.app.request('/api/tasks', json({ id: 'greet', language: 'sh', content: 'echo' }));
    expect(again.status).toBe(409);

    const put = await h.app.request('/api/tasks/greet', {
      method: 'PUT',
      body: JSON.stringify({ content: 'print("hello")\n', timeout_s: null }),
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ content: 'print("hello")\n', description: 'says hi', timeout_s: 3600 });
    expect(fs.readFileSync(path.join(h.dirs.tasksDir, 'greet.py'), 'utf8')).toBe('print("hello")\n');

    const fleet = await h.app.request('/api/tasks/greet', {
      method: 'PUT',
      body: JSON.stringify({ retry_on_lost: true, retention_days: 7 }),
    });
    expect(await fleet.json()).toMatchObject({ retry_on_lost: true, retention_days: 7 });
    expect((await h.app.request('/api/tasks/greet', { method: 'PUT', body: JSON.stringify({ retry_on_lost: 'yes' }) })).status).toBe(400);
    const got = await (await h.app.request('/api/tasks/greet')).json();
    expect(got.content).toBe('print("hello")\n');

    const del = await h.app.request('/api/tasks/greet', { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(fs.existsSync(path.join(h.dirs.tasksDir, 'greet.py'))).toBe(false);
    expect((await h.app.request('/api/tasks/greet')).status).toBe(404);
  });

  it('shows files dropped into or removed from TASKS_DIR by hand, without a restart', async () => {
    writeTask(h.dirs, 'dropped.sh', 'echo dropped\n');
    writeTask(h.dirs, 'tool', '#!/bin/sh\necho tool\n', 0o755);
    writeTask(h.dirs, 'notes.txt', 'not executable, not a task\n');
    let ids = (await (await h.app.request('/api/tasks')).json()).map((t: { id: string }) => t.id);
    expect(ids).toEqual(expect.arrayContaining(['dropped', 'tool']));
    expect(ids).not.toContain('notes');
    fs.rmSync(path.join(h.dirs.tasksDir, 'dropped.sh'));
    ids = (await (await h.app.request('/api/tasks')).json()).map((t: { id: string }) => t.id);
    expect(ids).not.toContain('dropped');
  });

  it('never follows a link out of TASKS_DIR: it is no task, its target is never read', async () => {
    const secret = path.join(h.dirs.dataDir, 'pg-password');
    fs.writeFileSync(secret, 'the-database-password\n', { mode: 0o600 });
    fs.symlinkSync(secret, path.join(h.dirs.tasksDir, 'leak.sh'));
    fs.symlinkSync('../outside.txt', path.join(h.dirs.tasksDir, 'relative.sh'));
    writeTask(h.dirs, 'real.sh', 'echo real\n');
    fs.symlinkSync('real.sh', path.join(h.dirs.tasksDir, 'alias.sh'));
    const ids = ((await (await h.app.request('/api/tasks')).json()) as { id: string }[]).map((t) => t.id);
    expect(ids).toContain('alias');
    expect(ids).not.toContain('leak');
    expect(ids).not.toContain('relative');
    for (const id of ['leak', 'relative']) {
      const res = await h.app.request(`/api/tasks/${id}`);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('the-database-password');
      expect((await h.app.request(`/api/tasks/${id}/execute`, { method: 'POST' })).status).toBe(404);
    }
    // A link that stays inside is a task like any other.
    expect((await (await h.app.request('/api/tasks/alias')).json()).content).toBe('echo real\n');
  });

  it('runs a task end to end and lists it as the last run', async () => {
    await h.startRunner();
    writeTask(h.dirs, 'echoer.sh', 'echo "run $TASKRUN_RUN_ID of $TASKRUN_TASK_ID"\necho oops >&2\nexit 3\n');
    const res = await h.app.request('/api/tasks/echoer/execute', { method: 'POST' });
    expect(res.status).toBe(202);
    const { run_id, log } = await res.json();
    expect(log).toBe(`/api/logs/echoer_${run_id}.log`);
    const run = await h.runEnded(run_id);
    expect(run).toMatchObject({ status: 'failed', exit_code: 3, task_id: 'echoer' });
    const text = await (await h.app.request(log)).text();
    expect(text).toBe(`run ${run_id} of echoer\noops\n`);
    const tasks = await (await h.app.request('/api/tasks')).json();
    expect(tasks.find((t: { id: string }) => t.id === 'echoer').last_run).toMatchObject({ run_id, status: 'failed' });
  });
});

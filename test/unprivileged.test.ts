import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectBubblewrap } from '../src/runner/isolation/bubblewrap';
import { writeTask } from './support/dirs';
import { createHarness, waitFor, type Harness } from './support/harness';
import { startProcess, type Proc } from './support/processes';

// taskrun started by a user who is not root cannot switch runs to other uids: every run then gets a
// bubblewrap sandbox of its own (a run shares taskrun's uid, so the namespaces are what keep DATA_DIR,
// the logs and taskrun's processes out of its reach). Where bubblewrap cannot run, no run starts.

const repo = path.resolve(__dirname, '..');
// The unprivileged runner reads taskrun's code: a clone in a folder closed to others (CI's `mktemp -d`)
// is out of its reach. The first folder on the way that others may not pass, if any.
function closedOnTheWay(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if ((fs.statSync(d).mode & 0o001) === 0) return d;
    if (path.dirname(d) === d) return undefined;
  }
}
const closed = closedOnTheWay(repo) ?? closedOnTheWay(os.tmpdir());
const USER = `taskrun-test-unpriv-${process.pid}`;
const skip =
  process.getuid?.() !== 0
    ? 'it needs root, to start a runner as another user'
    : closed
      ? `${closed} is closed to other users, so an unprivileged runner could not read taskrun's code (chmod o+x ${closed} to run it)`
      : undefined;
if (skip) console.warn(`unprivileged runner test skipped: ${skip}`);
// Whether bubblewrap makes sandboxes for a user who is not root, here (a uid with no account will do).
const bubblewrap = skip ? undefined : await detectBubblewrap(65_001);

function passwdEntry(name: string): { uid: number; gid: number } | undefined {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  return line ? { uid: Number(uid), gid: Number(gid) } : undefined;
}

describe.skipIf(skip !== undefined)('a runner that is not root', () => {
  let h: Harness;
  let user: { uid: number; gid: number };
  let runner: Proc;

  beforeAll(async () => {
    execFileSync('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      USER,
    ]);
    user = passwdEntry(USER)!;
    h = await createHarness();
    // Its folders are its own, as they would be for a user who runs taskrun from their home.
    for (const dir of [h.dirs.logsDir, h.dirs.dataDir, h.dirs.workDir, path.join(h.dirs.workDir, 'kept')])
      fs.chownSync(dir, user.uid, user.gid);
    fs.chmodSync(h.dirs.dataDir, 0o700);
    fs.chownSync(path.join(h.dirs.dataDir, 'secret.key'), user.uid, user.gid);
    runner = startProcess(
      'src/runner/main.ts',
      { ...h.env, HOME: '/nonexistent' },
      [],
      ['setpriv', '--reuid', String(user.uid), '--regid', String(user.gid), '--clear-groups', '--'],
    );
    await waitFor(
      async () => (await (await h.app.request('/api/system/info')).json()).runners.length === 1,
      60_000,
      `the unprivileged runner to start:\n${runner.output()}`,
    );
  }, 120_000);
  afterAll(async () => {
    await runner?.stop();
    await h?.close();
    execFileSync('userdel', [USER]);
  });

  const execute = async (id: string) =>
    h.runEnded((await (await h.app.request(`/api/tasks/${id}/execute`, { method: 'POST' })).json()).run_id, 60_000);

  it('reports that runs get namespaces rather than users of their own', async () => {
    const [reported] = (await (await h.app.request('/api/system/info')).json()).runners;
    expect(reported.isolation).toMatchObject({ run_users: false, bubblewrap: bubblewrap!.available });
    expect(reported.isolation.levels).toEqual(bubblewrap!.available ? ['standard', 'strict'] : []);
  });

  it.skipIf(!bubblewrap?.available)(
    "runs a task in a sandbox that hides DATA_DIR, the logs and taskrun's processes, though it shares their uid",
    async () => {
      writeTask(
        h.dirs,
        'peek.sh',
        `
echo "uid $(id -u)"
cat "$DATA/secret.key" 2>/dev/null && echo "READ KEY" || echo "no key"
ls "$LOGS" 2>/dev/null | grep -q . && echo "SEES LOGS" || echo "no logs"
echo "procs $(ls /proc | grep -c '^[0-9]')"
echo x > "$TASKRUN_WORKDIR/scratch" && echo "scratch ok"
echo x > "$TASKS/mine.sh" 2>/dev/null && echo "WROTE TASKS" || echo "tasks read-only"
`,
      );
      await h.app.request('/api/tasks/peek', {
        method: 'PUT',
        body: JSON.stringify({ env: { DATA: h.dirs.dataDir, LOGS: h.dirs.logsDir, TASKS: h.dirs.tasksDir } }),
      });
      const run = await execute('peek');
      const text = await (await h.app.request(run.log)).text();
      expect(run.status, text).toBe('success');
      expect(text).toContain(`uid ${user.uid}`);
      expect(text).toContain('no key');
      expect(text).toContain('no logs');
      expect(Number(/procs (\d+)/.exec(text)![1])).toBeLessThan(10);
      expect(text).toContain('scratch ok');
      expect(text).toContain('tasks read-only');
    },
  );

  it.skipIf(bubblewrap?.available !== false)('refuses every run, saying how to fix it, where bubblewrap cannot run', async () => {
    writeTask(h.dirs, 'refused.sh', 'echo never\n');
    const run = await execute('refused');
    expect(run.status).toBe('error');
    expect(run.error).toMatch(/does not run as root.*start taskrun as root.*or install bubblewrap/);
  });
});

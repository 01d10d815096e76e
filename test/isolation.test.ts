import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { endProcesses, processesOf } from '../src/runner/isolation/uid-processes';
import { reachableTempDir, writeTask } from './support/dirs';
import { createHarness, waitFor, type Harness } from './support/harness';

// How a runner sets up and keeps the boundary around runs, as root (CI runs as root): its refusals
// (each naming the way out), the scratch folders, and the limits a task sets.

const root = process.getuid?.() === 0;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const execute = async (id: string) =>
  (await (await h!.app.request(`/api/tasks/${id}/execute`, { method: 'POST' })).json()).run_id as number;
const put = (id: string, body: unknown) => h!.app.request(`/api/tasks/${id}`, { method: 'PUT', body: JSON.stringify(body) });

describe.skipIf(!root)('folders run users must reach', () => {
  it('refuses runs while TASKS_DIR sits in a folder closed to others, naming the chmod, and runs again once fixed', async () => {
    const base = reachableTempDir('taskrun-closed-');
    const closed = path.join(base, 'private');
    fs.mkdirSync(closed, { mode: 0o700 });
    fs.chmodSync(closed, 0o700);
    const tasksDir = path.join(closed, 'tasks');
    fs.mkdirSync(tasksDir);
    fs.writeFileSync(path.join(tasksDir, 'hello.sh'), 'echo hello\n', { mode: 0o755 });
    h = await createHarness({ TASKS_DIR: tasksDir, RUNNER_DEAD_S: '1' });
    const cleanup = h.dirs.cleanup;
    h.dirs.cleanup = () => {
      cleanup();
      fs.rmSync(base, { recursive: true, force: true });
    };
    await h.startRunner();
    const refused = await h.runEnded(await execute('hello'));
    expect(refused.status).toBe('error');
    expect(refused.error).toBe(
      `run users cannot reach TASKS_DIR ${tasksDir}: ${closed} is closed to other users; run \`chmod o+x ${closed}\` or choose a TASKS_DIR elsewhere`,
    );
    expect(await (await h.app.request(refused.log)).text()).toContain(`chmod o+x ${closed}`);
    fs.chmodSync(closed, 0o711);
    // Checked again at the runner's next heartbeat: no restart needed.
    await waitFor(async () => (await h!.runEnded(await execute('hello'))).status === 'success', 20_000, 'runs to work again');
  });

  it('refuses runs while TASKS_DIR is writable by everyone', async () => {
    h = await createHarness();
    fs.chmodSync(h.dirs.tasksDir, 0o777);
    await h.startRunner();
    writeTask(h.dirs, 'hello.sh', 'echo hello\n');
    const run = await h.runEnded(await execute('hello'));
    expect(run.status).toBe('error');
    expect(run.error).toMatch(/TASKS_DIR .* is writable by every user, runs included; run `chmod o-w /);
  });

  it("refuses a uid range that holds someone else's account, naming it", async () => {
    h = await createHarness();
    const nobody = Number(
      fs
        .readFileSync('/etc/passwd', 'utf8')
        .split('\n')
        .find((l) => l.startsWith('nobody:'))
        ?.split(':')[2],
    );
    await h.startRunner({ RUN_UID_BASE: String(nobody - 1), RUN_UID_COUNT: '4' });
    writeTask(h.dirs, 'hello.sh', 'echo hello\n');
    const run = await h.runEnded(await execute('hello'));
    expect(run.status).toBe('error');
    expect(run.error).toMatch(new RegExp(`uid ${nobody} \\(in RUN_UID_BASE\\.\\.\\d+\\) belongs to the user "nobody"`));
  });
});

describe.skipIf(!root)('scratch folders', () => {
  it("removes a run's folder after it, and keeps a failed run's for KEEP_FAILED_WORKDIR_S, owned by taskrun", async () => {
    h = await createHarness({ KEEP_FAILED_WORKDIR_S: '3', RUNNER_DEAD_S: '1' });
    await h.startRunner();
    writeTask(h.dirs, 'works.sh', 'echo kept > "$TASKRUN_WORKDIR/note"\necho "at $TASKRUN_WORKDIR"\n');
    writeTask(h.dirs, 'fails.sh', 'echo kept > "$TASKRUN_WORKDIR/note"\necho "at $TASKRUN_WORKDIR"\nexit 3\n');
    const ok = await h.runEnded(await execute('works'));
    const okDir = /^at (.+)$/m.exec(await (await h.app.request(ok.log)).text())![1]!;
    expect(fs.existsSync(okDir)).toBe(false);

    const failed = await h.runEnded(await execute('fails'));
    expect(failed.status).toBe('failed');
    const failedDir = /^at (.+)$/m.exec(await (await h.app.request(failed.log)).text())![1]!;
    expect(fs.existsSync(failedDir)).toBe(false);
    // In RUN_WORK_DIR/kept, which no run can enter.
    const keptRoot = path.join(h.dirs.workDir, 'kept');
    expect(fs.statSync(keptRoot).mode & 0o777).toBe(0o700);
    const kept = await waitFor(() => fs.readdirSync(keptRoot).find((n) => n.endsWith(path.basename(failedDir))), 10_000, 'the kept folder');
    const keptDir = path.join(keptRoot, kept);
    expect(fs.readFileSync(path.join(keptDir, 'note'), 'utf8')).toBe('kept\n');
    expect(fs.statSync(keptDir).uid).toBe(0);
    expect(fs.statSync(path.join(keptDir, 'note')).uid).toBe(0);
    expect(fs.statSync(keptDir).mode & 0o777).toBe(0o700);
    await waitFor(() => !fs.existsSync(keptDir), 20_000, 'the kept folder to go after its time');
  });
});

describe.skipIf(!root)('scripts', () => {
  it('refuses to run a script every user may change, naming the chmod', async () => {
    h = await createHarness();
    await h.startRunner();
    writeTask(h.dirs, 'open.sh', 'echo open\n');
    fs.chmodSync(path.join(h.dirs.tasksDir, 'open.sh'), 0o666);
    const run = await h.runEnded(await execute('open'));
    expect(run.status).toBe('error');
    expect(run.error).toMatch(/the script .*open\.sh is writable by every user, runs included \(mode 0666\); run `chmod o-w /);
  });

  it('runs a script that has exactly as many processes as it may (max_processes 1, one process)', async () => {
    h = await createHarness();
    await h.startRunner();
    writeTask(h.dirs, 'alone.py', 'import time\ntime.sleep(2.5)\nprint("done")\n');
    expect((await put('alone', { max_processes: 1 })).status).toBe(200);
    const run = await h.runEnded(await execute('alone'));
    expect(run.status, run.error ?? undefined).toBe('success');
  });
});

describe.skipIf(!root)('a run uid used again', () => {
  // keyctl(2)'s add_key and KEYCTL_SEARCH on x86-64: a run's user keyring outlives its processes.
  const keys = process.arch === 'x64';

  it('holds nothing of the run before: /tmp (however deep), /run/lock, System V IPC, keyrings (persistent too)', async () => {
    h = await createHarness();
    // One uid of the pool for this runner: its runs take turns on it.
    await h.startRunner({ RUN_UID_BASE: '64029', RUN_UID_COUNT: '1' });
    writeTask(
      h.dirs,
      'leaves.py',
      `
import ctypes, os, subprocess
print("uid=%d" % os.getuid())
open("/run/lock/taskrun-leak-%d" % os.getuid(), "w").write("left\\n")
os.chdir("/tmp"); os.mkdir("taskrun-deep-leak"); os.chdir("taskrun-deep-leak")
for i in range(24):
    os.mkdir("d" * 250); os.chdir("d" * 250)
open("bottom", "w").write("left\\n")
subprocess.run(["ipcmk", "-M", "4096"], check=True, capture_output=True)
if ${keys ? 'True' : 'False'}:
    c = ctypes.CDLL(None)
    c.syscall(248, b"user", b"taskrun-leak", b"left", 4, -4)
    c.syscall(248, b"user", b"taskrun-leak-persistent", b"left", 4, c.syscall(250, 22, -1, -4))
`,
    );
    writeTask(
      h.dirs,
      'finds.py',
      `
import ctypes, os, subprocess
print("uid=%d" % os.getuid())
found = []
if os.path.exists("/run/lock/taskrun-leak-%d" % os.getuid()): found.append("run-lock")
if os.path.exists("/tmp/taskrun-deep-leak"): found.append("deep-tmp")
rows = [r.split() for r in open("/proc/sysvipc/shm").read().splitlines()]
uid_col = rows[0].index("uid")
if any(r[uid_col] == str(os.getuid()) for r in rows[1:]): found.append("shm")
if ${keys ? 'True' : 'False'}:
    c = ctypes.CDLL(None)
    if c.syscall(250, 10, -4, b"user", b"taskrun-leak", 0) > 0: found.append("keyring")
    if c.syscall(250, 10, c.syscall(250, 22, -1, -4), b"user", b"taskrun-leak-persistent", 0) > 0: found.append("persistent-keyring")
print("found", found)
`,
    );
    // What 'finds' looks for is there within the run that left it: the check can see a leak.
    writeTask(
      h.dirs,
      'both.py',
      `exec(open(${JSON.stringify(path.join(h.dirs.tasksDir, 'leaves.py'))}).read())\nos.chdir("/")\nexec(open(${JSON.stringify(path.join(h.dirs.tasksDir, 'finds.py'))}).read())\n`,
    );
    const both = await (await h.app.request((await h.runEnded(await execute('both'))).log)).text();
    // (The persistent keyring only where the uid may write it: one root made is not the uid's.)
    expect(both).toMatch(new RegExp(`found \\['run-lock', 'deep-tmp', 'shm'${keys ? ", 'keyring'" : ''}`));
    const first = await h.runEnded(await execute('leaves'));
    const firstText = await (await h.app.request(first.log)).text();
    expect(first.status, firstText).toBe('success');
    const second = await h.runEnded(await execute('finds'));
    const text = await (await h.app.request(second.log)).text();
    expect(second.status, text).toBe('success');
    expect(/uid=(\d+)/.exec(text)![1]).toBe(/uid=(\d+)/.exec(firstText)![1]);
    expect(text).toContain('found []');
  });
});

describe.skipIf(!root)("a task's own limits", () => {
  it("are enforced over the runner's defaults, and null gives the defaults back", async () => {
    h = await createHarness({ RUN_MAX_OPEN_FILES: '300', RUN_MAX_PROCESSES: '200' });
    await h.startRunner();
    writeTask(
      h.dirs,
      'limits.sh',
      'echo "files $(ulimit -n) procs $(ulimit -u) fsize $(ulimit -f) cpu $(ulimit -t) data $(ulimit -d) core $(ulimit -c)"\n',
    );
    const show = async () => (await (await h!.app.request((await h!.runEnded(await execute('limits'))).log)).text()).trim();
    const twice = h.isolation.cgroups.controllers.includes('memory') ? 2 : 1;
    // With a pids cgroup holding the run's processes, RLIMIT_NPROC is a backstop 8 above it.
    const backstop = h.isolation.cgroups.controllers.includes('pids') ? 8 : 0;
    expect(await show()).toBe(`files 300 procs ${200 + backstop} fsize ${4096 * 1024} cpu 86400 data ${4096 * 1024 * twice} core 0`);
    expect(
      (
        await put('limits', {
          max_open_files: 64,
          max_processes: 50,
          max_file_bytes: 1024 * 1024,
          max_cpu_seconds: 30,
          max_memory_bytes: 256 * 1024 * 1024,
        })
      ).status,
    ).toBe(200);
    // bash reports file size in 1024-byte blocks; with a memory cgroup the data limit is twice the run's.
    expect(await show()).toBe(`files 64 procs ${50 + backstop} fsize 1024 cpu 30 data ${256 * 1024 * twice} core 0`);
    const task = await (await h.app.request('/api/tasks/limits')).json();
    expect(task).toMatchObject({
      max_open_files: 64,
      max_processes: 50,
      max_file_bytes: 1048576,
      max_cpu_seconds: 30,
      max_memory_bytes: 268435456,
      isolation: 'standard',
      network: true,
    });
    expect(
      (
        await put('limits', {
          max_open_files: null,
          max_processes: null,
          max_file_bytes: null,
          max_cpu_seconds: null,
          max_memory_bytes: null,
        })
      ).status,
    ).toBe(200);
    expect(await show()).toMatch(new RegExp(`^files 300 procs ${200 + backstop} `));
  });

  it('refuses limits out of range, naming the field', async () => {
    h = await createHarness();
    writeTask(h.dirs, 'limits.sh', 'true\n');
    for (const [field, value, says] of [
      ['max_processes', 0, /max_processes: must be at least 1/],
      ['max_memory_bytes', 1024, /max_memory_bytes: must be at least 16777216/],
      ['max_open_files', 1.5, /max_open_files: must be a whole number/],
      ['isolation', 'paranoid', /isolation: must be standard or strict/],
      ['network', 'no', /network: must be true or false/],
      // RUN_MAX_* are the most a task may ask for: an editor cannot raise what the operator set.
      ['max_memory_bytes', 1024 ** 4, /max_memory_bytes: must be at most 4294967296 \(RUN_MAX_MEMORY_MB\)/],
      ['max_processes', 90_000, /max_processes: must be at most 1024 \(RUN_MAX_PROCESSES\)/],
    ] as const) {
      const res = await put('limits', { [field]: value });
      expect(res.status, field).toBe(400);
      expect((await res.json()).error).toMatch(says);
    }
  });
});

describe.skipIf(!root || spawnSync('gcc', ['--version']).status !== 0)('the processes of a uid', () => {
  it('counts a process whose leader thread exited while its other threads run (it shows as a zombie), and ends it', async () => {
    const dir = reachableTempDir('taskrun-threads-');
    try {
      fs.writeFileSync(
        path.join(dir, 'ghost.c'),
        `#include <pthread.h>
#include <unistd.h>
static void *spin(void *x) { for (;;) sleep(1); return x; }
int main(void) { pthread_t t; pthread_create(&t, 0, spin, 0); pthread_exit(0); }
`,
      );
      execFileSync('gcc', ['-pthread', '-o', path.join(dir, 'ghost'), path.join(dir, 'ghost.c')]);
      fs.chmodSync(path.join(dir, 'ghost'), 0o755);
      // A uid outside the pool, so that no run is touched.
      const uid = 65_010;
      const child = spawn(path.join(dir, 'ghost'), [], { uid, gid: uid, stdio: 'ignore' });
      await waitFor(() => fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').includes(') Z '), 10_000, 'the leader to exit');
      expect(processesOf(uid)).toContain(child.pid);
      expect(await endProcesses(() => processesOf(uid), 0)).toBe(true);
      expect(processesOf(uid)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { freePort } from '../src/db/embedded';
import { detectBubblewrap } from '../src/runner/isolation/bubblewrap';
import { reachableTempDir } from './support/dirs';
import { waitFor } from './support/harness';
import { startProcess, type Proc } from './support/processes';
import { createTestDb, type TestDb } from './support/test-db';

// compose.yaml's app container without Docker: its command (`node dist/main.js`, the build the image ships)
// as root with only the capabilities compose.yaml grants and no new privileges (setpriv),
// in a mount namespace of its own where /proc is masked and cgroups are read-only as Docker has them
// (unshare), with WEB_USER a system user made for the test as taskrun makes run users, the folders as
// the Dockerfile makes them, and the two database roles as compose.yaml names them.
const repo = path.resolve(__dirname, '..');
const compose = parse(fs.readFileSync(path.join(repo, 'compose.yaml'), 'utf8'), { merge: true }) as {
  services: { app: { cap_add: string[]; command: string[] } };
};
const CAPS = compose.services.app.cap_add;
// `node dist/main.js`: the file, run as startProcess runs a plain-JavaScript entry.
const [NODE, MAIN] = compose.services.app.command;
// Bits of /proc/PID/status's CapEff (linux/capability.h).
const CAP_BITS: Record<string, number> = { CHOWN: 0, DAC_OVERRIDE: 1, FOWNER: 3, KILL: 5, SETGID: 6, SETUID: 7 };
// Its own name, so that suites running at once on one machine neither share nor remove each other's.
const WEB = `taskrun-test-web-${process.pid}`;

// The web user reads taskrun's code: a clone in a folder closed to other users (CI's `mktemp -d`, 0700)
// cannot be read by it. The first folder on the way that others may not pass, if any.
function closedOnTheWay(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if ((fs.statSync(d).mode & 0o001) === 0) return d;
    if (path.dirname(d) === d) return undefined;
  }
}
const onPath = (cmd: string) => (process.env.PATH ?? '').split(':').some((dir) => fs.existsSync(path.join(dir, cmd)));
const closed = closedOnTheWay(repo) ?? closedOnTheWay(os.tmpdir());
const missing = ['unshare', 'setpriv', 'useradd', 'userdel', 'ipcmk'].filter((c) => !onPath(c));
const skip =
  process.getuid?.() !== 0
    ? 'it needs root'
    : missing.length > 0
      ? `it needs ${missing.join(', ')}`
      : closed
        ? `${closed} is closed to other users, so WEB_USER could not reach taskrun's code or the test's folders (chmod o+x ${closed} to run it)`
        : undefined;
if (skip) console.warn(`container test skipped: ${skip}`);
// Outside the mount namespace, for comparison: masking /proc is what takes strict away below.
const bubblewrapHere = skip ? undefined : await detectBubblewrap(64000);

// uid and gid of a user, from /etc/passwd alone.
function passwdEntry(name: string): { uid: number; gid: number } | undefined {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  return line ? { uid: Number(uid), gid: Number(gid) } : undefined;
}

// The fields of /proc/PID/status taskrun's processes are checked by.
function status(pid: number): Record<string, string> {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Object.fromEntries(
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
  );
}
const childOf = (ppid: number, match: string) =>
  fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .find((p) => {
      try {
        return Number(status(p).PPid) === ppid && fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(match);
      } catch {
        return false;
      }
    });

// Docker's masked paths that exist here (a file masked by /dev/null is enough to make /proc "too
// revealing" to mount again in a user namespace), its read-only /proc/sys, and cgroups read-only.
const CONTAINER = [
  'for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats; do',
  '  [ -e "$f" ] || continue; mount --bind /dev/null "$f" || exit 1',
  'done',
  'for d in /proc/sys /sys/fs/cgroup; do mount --bind "$d" "$d" && mount -o remount,bind,ro "$d" || exit 1; done',
  'exec "$@"',
].join('\n');

describe.skipIf(skip !== undefined)('the app container (compose.yaml), emulated', () => {
  let dir: string;
  let web: { uid: number; gid: number };
  let createdUser = false;
  let tdb: TestDb;
  let appRole: string;
  let base: string;
  let app: Proc;
  let auth: { authorization: string };
  const adminPassword = crypto.randomBytes(12).toString('hex');
  const folders = { tasks: '', logs: '', data: '', work: '' };

  beforeAll(async () => {
    if (!passwdEntry(WEB)) {
      execFileSync('useradd', [
        '--system',
        '--user-group',
        '--no-create-home',
        '--home-dir',
        '/nonexistent',
        '--shell',
        '/usr/sbin/nologin',
        WEB,
      ]);
      createdUser = true;
    }
    web = passwdEntry(WEB)!;
    dir = reachableTempDir('taskrun-container-');
    for (const name of Object.keys(folders) as (keyof typeof folders)[]) folders[name] = path.join(dir, name);
    // As the Dockerfile makes them: tasks/ the web's, logs/ the web's and setgid, data/ root's only.
    fs.mkdirSync(folders.tasks, { mode: 0o755 });
    fs.chownSync(folders.tasks, web.uid, web.gid);
    fs.mkdirSync(folders.logs);
    fs.chownSync(folders.logs, web.uid, web.gid);
    fs.chmodSync(folders.logs, 0o2750);
    fs.mkdirSync(folders.data, { mode: 0o700 });

    // compose.yaml's roles: the owner (the postgres image's superuser) and an app role the app creates.
    tdb = await createTestDb();
    appRole = `taskrun_app_${crypto.randomBytes(4).toString('hex')}`;
    const appUrl = new URL(tdb.url);
    appUrl.username = appRole;
    appUrl.password = crypto.randomBytes(12).toString('hex');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env = {
      PORT: String(port),
      HOST: '127.0.0.1',
      WEB_USER: WEB,
      DATABASE_OWNER_URL: tdb.url,
      DATABASE_URL: appUrl.toString(),
      SECRET_KEY: crypto.randomBytes(32).toString('hex'),
      ADMIN_PASSWORD: adminPassword,
      TASKS_DIR: folders.tasks,
      LOGS_DIR: folders.logs,
      DATA_DIR: folders.data,
      RUN_WORK_DIR: folders.work,
      SHUTDOWN_GRACE_S: '5',
      KILL_GRACE_S: '1',
      RUNNER_POLL_MS: '200',
    };
    const bounding = `--bounding-set=-all,${CAPS.map((c) => `+${c.toLowerCase()}`).join(',')}`;
    expect(NODE).toBe('node');
    app = startProcess(
      MAIN!,
      env,
      [],
      [
        'unshare',
        '--mount',
        '--propagation',
        'private',
        '--',
        'sh',
        '-c',
        CONTAINER,
        'container',
        'setpriv',
        '--no-new-privs',
        '--inh-caps=-all',
        bounding,
        '--',
      ],
    );
    await waitFor(
      () =>
        fetch(`${base}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
      60_000,
      'taskrun to start',
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${app.output()}`);
    });
    const cli = spawnSync(process.execPath, ['dist/cli/main.js', 'token', 'create', '--name', 'ops', '--role', 'admin'], {
      cwd: repo,
      env: { ...process.env, DATABASE_URL: appUrl.toString() },
      encoding: 'utf8',
    });
    expect(cli.status, cli.stderr).toBe(0);
    auth = { authorization: `Bearer ${cli.stdout.trim()}` };
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    await tdb?.drop();
    if (appRole) {
      const admin = postgres(inject('pgUrl'), { max: 1, onnotice: () => undefined });
      await admin.unsafe(`drop role if exists ${appRole}`);
      await admin.end();
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    if (createdUser) {
      spawnSync('userdel', [WEB]);
      spawnSync('groupdel', [WEB]); // where userdel leaves the user's group behind
    }
  });

  const api = (p: string, init: RequestInit = {}) =>
    fetch(`${base}${p}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...auth, ...(init.headers as Record<string, string>) },
    });
  const runEnded = (id: number) =>
    waitFor(
      async () => {
        const run = await (await api(`/api/runs/${id}`)).json();
        return run.finished_at ? run : undefined;
      },
      30_000,
      `run ${id} to end`,
    );

  it("runs the supervisor and runner as root with compose.yaml's capabilities only, and the web as WEB_USER without secrets", async () => {
    const webPid = childOf(app.child.pid!, 'web/main.js')!;
    const runnerPid = childOf(app.child.pid!, 'runner/main.js')!;
    expect(webPid && runnerPid).toBeTruthy();
    const want = CAPS.reduce((bits, c) => bits | (1n << BigInt(CAP_BITS[c]!)), 0n);
    for (const pid of [app.child.pid!, runnerPid]) {
      expect(status(pid).Uid).toBe('0\t0\t0\t0');
      expect(BigInt(`0x${status(pid).CapEff}`)).toBe(want);
      expect(status(pid).NoNewPrivs).toBe('1');
    }
    const w = status(webPid);
    expect(w.Uid).toBe(`${web.uid}\t${web.uid}\t${web.uid}\t${web.uid}`);
    expect(w.Gid).toBe(`${web.gid}\t${web.gid}\t${web.gid}\t${web.gid}`);
    expect(w.Groups).toBe(''); // root's supplementary groups are dropped
    expect(BigInt(`0x${w.CapEff}`)).toBe(0n);
    const names = fs
      .readFileSync(`/proc/${webPid}/environ`, 'utf8')
      .split('\0')
      .map((v) => v.slice(0, v.indexOf('=')));
    for (const secret of ['DATABASE_URL', 'DATABASE_OWNER_URL', 'SECRET_KEY', 'ADMIN_PASSWORD']) expect(names).not.toContain(secret);
    expect(names).toContain('WEB_USER'); // the environment was read, not emptied

    // ADMIN_PASSWORD reached the web over IPC: the admin it created signs in.
    const signIn = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
      body: new URLSearchParams({ name: 'admin', password: adminPassword, next: '/' }).toString(),
    });
    expect(signIn.status).toBe(303);
    // Both processes append to the one app.log: root made it, the web (in its group) writes to it too.
    const appLog = fs.statSync(path.join(folders.logs, 'app.log'));
    expect([appLog.uid, appLog.gid, appLog.mode & 0o7777]).toEqual([0, web.gid, 0o660]);
    // The web answers before the runner may have started (it checks its isolation first).
    const lines = () => fs.readFileSync(path.join(folders.logs, 'app.log'), 'utf8');
    expect(lines()).toMatch(/"name":"web".*taskrun web listening/);
    await waitFor(() => /"name":"runner".*runner started/.test(lines()), 30_000, 'the runner to log its start').catch((err: Error) => {
      throw new Error(`${err.message}\n${lines()}`);
    });
  });

  it('saves scripts as the web user and runs them as run uids; the web reads the logs; nothing of a run is left', async () => {
    const script = [
      'echo "uid $(id -u)"',
      // What only DAC_OVERRIDE and FOWNER let root remove: a closed folder, a sticky one, System V IPC.
      'mkdir -m 700 "$TASKRUN_WORKDIR/closed" && echo x > "$TASKRUN_WORKDIR/closed/f" && chmod 500 "$TASKRUN_WORKDIR/closed"',
      'mkdir -m 1777 "$TASKRUN_WORKDIR/sticky" && echo x > "$TASKRUN_WORKDIR/sticky/f"',
      'mkdir -m 1777 /tmp/taskrun-container-$$ && echo x > /tmp/taskrun-container-$$/f && echo "tmp /tmp/taskrun-container-$$"',
      'echo "shm $(ipcmk -M 4096 | tr -dc 0-9)"',
      'echo "workdir $TASKRUN_WORKDIR"',
    ].join('\n');
    expect(
      (await api('/api/tasks', { method: 'POST', body: JSON.stringify({ id: 'probe', language: 'sh', content: `${script}\n` }) })).status,
    ).toBe(201);
    const saved = fs.statSync(path.join(folders.tasks, 'probe.sh'));
    expect([saved.uid, saved.mode & 0o022, saved.mode & 0o004]).toEqual([web.uid, 0, 0o004]);

    const { run_id } = await (await api('/api/tasks/probe/execute', { method: 'POST' })).json();
    const run = await runEnded(run_id);
    const log = await (await api(`/api/logs/probe_${run_id}.log`)).text();
    expect(run.status, `${run.error}\n${log}`).toBe('success');
    const uid = Number(/^uid (\d+)$/m.exec(log)?.[1]);
    expect(uid).toBeGreaterThanOrEqual(64000);
    expect(uid).toBeLessThan(64032);
    // Made by the root runner, in the web's group through the setgid folder; closed to others.
    const file = fs.statSync(path.join(folders.logs, `probe_${run_id}.log`));
    expect([file.uid, file.gid, file.mode & 0o777]).toEqual([0, web.gid, 0o640]);

    const tmp = /^tmp (.+)$/m.exec(log)![1]!;
    const shm = /^shm (\d+)$/m.exec(log)![1]!;
    const workdir = /^workdir (.+)$/m.exec(log)![1]!;
    const shmIds = () =>
      fs
        .readFileSync('/proc/sysvipc/shm', 'utf8')
        .split('\n')
        .slice(1)
        .map((l) => l.trim().split(/\s+/)[1]);
    await waitFor(
      () => !fs.existsSync(workdir) && !fs.existsSync(tmp) && !shmIds().includes(shm),
      10_000,
      "the run's files and IPC to be removed",
    ).catch((err: Error) => {
      throw new Error(`${err.message}: workdir ${fs.existsSync(workdir)}, tmp ${fs.existsSync(tmp)}, shm ${shmIds().includes(shm)}`);
    });
  });

  it("reports rlimits only and no strict isolation, and refuses strict runs with bwrap's reason", async () => {
    const { isolation } = await (await api('/api/system/info')).json();
    expect(isolation).toMatchObject({ levels: ['standard'], cgroup: 'none', bubblewrap: false, run_users: true });
    expect(isolation.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^strict isolation is unavailable: bubblewrap cannot make a sandbox: /),
        expect.stringMatching(/^memory and process limits are rlimits only: /),
      ]),
    );
    const saved = await api('/api/tasks', {
      method: 'POST',
      body: JSON.stringify({ id: 'boxed', language: 'sh', content: 'echo hi\n', isolation: 'strict' }),
    });
    expect(saved.status).toBe(400);
    expect((await saved.json()).error).toMatch(
      /^isolation: strict is not available on any runner: strict isolation is unavailable: bubblewrap cannot make a sandbox: /,
    );

    // A strict task saved before (on a machine where strict worked) is refused when it would run.
    expect(
      (await api('/api/tasks', { method: 'POST', body: JSON.stringify({ id: 'boxed', language: 'sh', content: 'echo hi\n' }) })).status,
    ).toBe(201);
    await tdb.db.execute(`update tasks set isolation = 'strict' where id = 'boxed'`);
    const { run_id } = await (await api('/api/tasks/boxed/execute', { method: 'POST' })).json();
    const run = await runEnded(run_id);
    expect(run.status).toBe('error');
    expect(run.error).toMatch(/^the task asks for strict isolation, which this runner cannot give: bubblewrap cannot make a sandbox: /);
    // Where bwrap works on this machine, Docker's masked /proc is what stops it in the container.
    if (bubblewrapHere?.available) expect(run.error).toMatch(/Can't mount proc.*\(parts of \/proc are masked here/);
  });
});

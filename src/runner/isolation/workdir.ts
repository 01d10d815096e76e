import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import { constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

// Each run works in a scratch folder of its own under RUN_WORK_DIR (HOME, TMPDIR and TASKRUN_WORKDIR
// point there): mode 0700 and owned by the run's uid, so no other run can look in. It is removed after
// the run, or kept a while when the run failed (KEEP_FAILED_WORKDIR_S), then owned by taskrun.

const KEPT = 'kept-';

/**
 * Makes RUN_WORK_DIR (0711: run users may pass through to their own folder, not list the others) and
 * checks that it is taskrun's: a folder someone else made first (say in /tmp) could be swapped under it.
 */
export async function prepareWorkRoot(root: string): Promise<void> {
  await fs.mkdir(root, { recursive: true, mode: 0o711 });
  const st = await fs.lstat(root);
  if (!st.isDirectory()) throw new Error(`RUN_WORK_DIR ${root} is not a folder`);
  if (st.uid !== process.getuid?.()) throw new Error(`RUN_WORK_DIR ${root} belongs to uid ${st.uid}, not to taskrun's user; remove it or choose another folder`);
  await fs.chmod(root, 0o711);
}

/** Creates a run's scratch folder, owned by `owner` (the run's uid and gid) when given. */
export async function createWorkdir(root: string, runId: number, owner?: { uid: number; gid: number }): Promise<string> {
  const dir = path.join(root, `run-${runId}-${crypto.randomBytes(4).toString('hex')}`);
  await fs.mkdir(dir, { mode: 0o700 });
  if (owner) await fs.chown(dir, owner.uid, owner.gid);
  return dir;
}

// Gives a tree to taskrun's user without following links (a run could point one anywhere).
async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await fs.lchown(dir, uid, gid);
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await chownTree(p, uid, gid);
    else await fs.lchown(p, uid, gid).catch(() => {});
  }
  if (!(await fs.lstat(dir)).isSymbolicLink()) await fs.chmod(dir, 0o700);
}

/**
 * Ends a run's scratch folder: removed, or (`keepMs` > 0) renamed `kept-EXPIRY-…`, given to taskrun's
 * user and left for `keepMs`; answers where it was kept.
 */
export async function finishWorkdir(dir: string, keepMs: number): Promise<string | undefined> {
  if (keepMs <= 0) {
    await fs.rm(dir, { recursive: true, force: true });
    return undefined;
  }
  const kept = path.join(path.dirname(dir), `${KEPT}${Date.now() + keepMs}-${path.basename(dir)}`);
  await fs.rename(dir, kept);
  await chownTree(kept, process.getuid?.() ?? 0, process.getgid?.() ?? 0);
  return kept;
}

/** Removes kept folders whose time is up. */
export async function removeExpiredWorkdirs(root: string): Promise<void> {
  const names = await fs.readdir(root).catch(() => []);
  const now = Date.now();
  for (const name of names) {
    const expiry = name.startsWith(KEPT) ? Number(name.slice(KEPT.length).split('-')[0]) : NaN;
    if (expiry < now) await fs.rm(path.join(root, name), { recursive: true, force: true });
  }
}

// World-writable places where a run could leave something for the next run of the same uid.
const SHARED_DIRS = ['/tmp', '/var/tmp', '/dev/shm', '/dev/mqueue'];

/**
 * Deletes what `uid` left in the machine's shared temporary folders, in `root` (the scratch folders of
 * a runner that died mid-run) and in System V IPC, so the next run given this uid finds nothing. Call
 * it once no process of the uid is left, so nothing can race it.
 */
export async function removeFilesOf(uid: number, root: string): Promise<void> {
  for (const dir of [...SHARED_DIRS, root]) {
    const names = await fs.readdir(dir).catch(() => []);
    for (const name of names) {
      const p = path.join(dir, name);
      const st = await fs.lstat(p).catch(() => undefined);
      if (st?.uid === uid) await fs.rm(p, { recursive: true, force: true }).catch(() => {});
    }
  }
  await removeIpcOf(uid);
}

// Shared memory segments, semaphores and message queues owned by `uid`, from /proc/sysvipc. Removed by
// ipcrm switched to `uid`: only their owner or CAP_SYS_ADMIN may, and root in a container lacks the latter.
async function removeIpcOf(uid: number): Promise<void> {
  const kinds = [['shm', '-m'], ['sem', '-s'], ['msg', '-q']] as const;
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
      if (Number(f[uidCol]) === uid) await promisify(execFile)('ipcrm', [flag, f[idCol]!], { uid, gid: uid }).catch(() => {});
    }
  }
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

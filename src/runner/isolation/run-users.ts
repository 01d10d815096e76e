import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { Logger } from '../../log';

/** The numeric uids runs execute as, one run at a time each: [base, base + count). Each has gid = uid. */
export type UidPool = { base: number; count: number };

/** The account name taskrun gives a run uid it creates. */
export const runUserName = (uid: number): string => `taskrun-run-${uid}`;

// uid (or gid) → name, from a passwd- or group-style file.
function idsIn(file: string): Map<number, string> {
  const ids = new Map<number, string>();
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return ids;
  }
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (name && id !== undefined && /^\d+$/.test(id)) ids.set(Number(id), name);
  }
  return ids;
}

/**
 * Why the pool cannot be used, or undefined. Every process of a run uid is killed at the end of each
 * run, so a uid that belongs to anybody else (a person, a service) must never be in the pool.
 */
export function poolProblem(pool: UidPool, self = process.getuid?.() ?? 0): string | undefined {
  const last = pool.base + pool.count - 1;
  if (pool.base <= self && self <= last) return `RUN_UID_BASE..${last} includes taskrun's own uid ${self}`;
  if (pool.base <= 0) return 'RUN_UID_BASE must be above 0';
  const users = idsIn('/etc/passwd');
  const groups = idsIn('/etc/group');
  for (let uid = pool.base; uid <= last; uid++) {
    const user = users.get(uid);
    if (user !== undefined && user !== runUserName(uid))
      return `uid ${uid} (in RUN_UID_BASE..${last}) belongs to the user "${user}"; choose a range no account uses`;
    const group = groups.get(uid);
    if (group !== undefined && group !== runUserName(uid))
      return `gid ${uid} (in RUN_UID_BASE..${last}) belongs to the group "${group}"; choose a range no group uses`;
  }
  return undefined;
}

// cron and at run jobs as the users that scheduled them, later, possibly while another run holds the
// uid: run users are denied both unless the machine already lists who may use them (*.allow).
function denyScheduling(names: string[]): void {
  for (const tool of ['cron', 'at']) {
    if (fs.existsSync(`/etc/${tool}.allow`)) continue;
    const file = `/etc/${tool}.deny`;
    let listed = '';
    try {
      listed = fs.readFileSync(file, 'utf8');
    } catch {
      // not there yet
    }
    const have = new Set(listed.split('\n'));
    const missing = names.filter((n) => !have.has(n));
    if (missing.length === 0) continue;
    fs.appendFileSync(file, `${(listed === '' || listed.endsWith('\n') ? '' : '\n') + missing.join('\n')}\n`, { mode: 0o640 });
  }
}

/**
 * Gives each uid of the pool an account and group of the same number (as root, on first start), so
 * `id`, `whoami` and the system's tools name them and no one hands the numbers out again. Without
 * useradd (a minimal image, a read-only /etc) runs still switch to the bare numbers.
 */
export function ensureRunUsers(pool: UidPool, log: Logger): void {
  const users = idsIn('/etc/passwd');
  const groups = idsIn('/etc/group');
  const names: string[] = [];
  try {
    for (let uid = pool.base; uid < pool.base + pool.count; uid++) {
      const name = runUserName(uid);
      names.push(name);
      if (!groups.has(uid)) execFileSync('groupadd', ['--system', '--gid', String(uid), name], { stdio: 'pipe' });
      if (!users.has(uid)) {
        execFileSync(
          'useradd',
          [
            '--system',
            '--uid',
            String(uid),
            '--gid',
            String(uid),
            '--no-create-home',
            '--home-dir',
            '/nonexistent',
            '--shell',
            '/usr/sbin/nologin',
            name,
          ],
          { stdio: 'pipe' },
        );
      }
    }
    denyScheduling(names);
  } catch (err) {
    const detail = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
    log.warn({ err: detail }, 'could not create accounts for the run uids; runs use the bare numbers');
  }
}

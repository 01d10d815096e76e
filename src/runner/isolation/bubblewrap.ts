import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { HELPER_ENV } from './launch';

/** Whether bubblewrap can make a sandbox here, and why not when it cannot. */
export type BubblewrapSupport = { available: boolean; path: string; reason?: string };

const CANDIDATES = ['/usr/bin/bwrap', '/usr/local/bin/bwrap', '/bin/bwrap'];

// The namespaces every sandbox gets: its own users (no privileges, and none to gain: nested user
// namespaces are disabled), processes, IPC, host name and cgroup view; the network unless kept. No
// --new-session: a run has no terminal to inject into, and staying in the process group of the
// sandbox lets the runner stop and sample the whole run by its group.
const NAMESPACES = ['--unshare-all', '--unshare-user', '--disable-userns', '--die-with-parent'];

/**
 * Tries a sandbox as `uid` (a run uid when taskrun is root, itself otherwise). Docker's defaults (its
 * seccomp and AppArmor profiles, its masked /proc) and hosts that forbid unprivileged user namespaces
 * make it fail; the reason is bwrap's own.
 */
export async function detectBubblewrap(uid?: number): Promise<BubblewrapSupport> {
  const bwrap = CANDIDATES.find((c) => fs.existsSync(c));
  if (!bwrap) return { available: false, path: '', reason: 'bubblewrap is not installed (Debian and Ubuntu: apt-get install bubblewrap)' };
  try {
    await promisify(execFile)(bwrap, [...NAMESPACES, '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--', '/bin/true'], {
      timeout: 10_000,
      killSignal: 'SIGKILL',
      env: HELPER_ENV,
      cwd: '/',
      ...(uid === undefined ? {} : { uid, gid: uid }),
    });
    return { available: true, path: bwrap };
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? '').trim();
    const why = stderr || (err as Error).message;
    return { available: false, path: bwrap, reason: `bubblewrap cannot make a sandbox: ${why}${hintFor(why)}` };
  }
}

// What usually stands in bwrap's way, by what it says; in a container, each is one of Docker's defaults.
function hintFor(why: string): string {
  if (/Can't mount proc/.test(why)) return ' (parts of /proc are masked here, as Docker does unless systempaths=unconfined)';
  if (/Operation not permitted|No permissions to create/.test(why))
    return " (user namespaces are blocked here: Docker's default seccomp profile, or kernel.unprivileged_userns_clone=0)";
  if (/Permission denied/.test(why))
    return " (mounts or user namespaces are denied here: Docker's default AppArmor profile, or an AppArmor host restricting unprivileged user namespaces)";
  return '';
}

/** What a sandbox shows of the machine. */
export type SandboxView = {
  /** Folders hidden behind an empty tmpfs: taskrun's data, the logs, other runs' scratch folders. */
  hidden: string[];
  /** The run's own scratch folder, the only writable place besides the private /tmp. */
  workdir: string;
  /** TASKS_DIR: visible read-only, or (`onlyScript`) replaced by the run's script alone. */
  tasksDir: string;
  onlyScript?: string;
  network: boolean;
};

/**
 * bwrap's arguments, before the command: the whole file system read-only, fresh /dev, /proc (its own
 * processes only), /tmp, /var/tmp and /dev/shm, the hidden folders empty, then the run's own
 * folder writable. Mounts apply in order, so the binds come after the tmpfs that would cover them.
 */
export function sandboxArgs(view: SandboxView): string[] {
  // Without network, no Unix socket either (a local database's, say): /run is emptied too.
  const realDir = (p: string) => fs.existsSync(p) && !fs.lstatSync(p).isSymbolicLink();
  const fresh = ['/tmp', '/var/tmp', '/dev/shm', ...(view.network ? [] : ['/run', '/var/run'].filter(realDir))];
  const inFresh = (p: string) => fresh.some((f) => p === f || p.startsWith(`${f}/`));
  // Hidden folders under a fresh tmpfs are gone already; TASKS_DIR must exist to be the working folder.
  const covered = [...new Set(['/run/taskrun', ...view.hidden])]
    .filter((p) => fs.existsSync(p) && !inFresh(p))
    .concat(view.onlyScript ? [view.tasksDir] : [])
    .sort((a, b) => a.length - b.length);
  const args = [...NAMESPACES, ...(view.network ? ['--share-net'] : [])];
  args.push('--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc');
  for (const dir of fresh) args.push('--tmpfs', dir);
  for (const dir of covered) args.push('--tmpfs', dir);
  // TASKS_DIR may sit under a folder a tmpfs replaced (/tmp): it is bound again, read-only.
  if (view.onlyScript) args.push('--ro-bind', view.onlyScript, view.onlyScript);
  else args.push('--ro-bind', view.tasksDir, view.tasksDir);
  args.push('--bind', view.workdir, view.workdir);
  args.push('--chdir', view.onlyScript ? path.dirname(view.onlyScript) : view.tasksDir);
  return args;
}

import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TaskFile } from '../tasks/task-files';
import { HELPER_ENV } from './isolation/launch';

export type Interpreters = { python: string | undefined; bash: string; node: string };
export type Command = { file: string; args: string[] } | { error: string };

const run = promisify(execFile);

// Whether `uid` (a run user) can start `file`: a binary under a folder it cannot enter (pyenv in
// /root, nvm in a home folder) starts for taskrun and fails for every run.
async function runsAs(file: string, args: string[], uid: number | undefined): Promise<boolean> {
  try {
    // SIGKILL on time-out: a process stopped by a run of that uid would never act on a SIGTERM.
    await run(file, args, {
      timeout: 10_000,
      killSignal: 'SIGKILL',
      env: HELPER_ENV,
      cwd: '/',
      ...(uid === undefined ? {} : { uid, gid: uid }),
    });
    return true;
  } catch {
    return false;
  }
}

// A version-manager shim (pyenv) costs ~90 ms on every start; asking it once for the real binary saves that per run.
async function resolvePython(configured: string | undefined, uid: number | undefined): Promise<string | undefined> {
  let found: string | undefined;
  try {
    const { stdout } = await run(configured ?? 'python3', ['-c', 'import sys; print(sys.executable)'], {
      encoding: 'utf8',
      timeout: 10_000,
      killSignal: 'SIGKILL',
    });
    found = stdout.trim() || undefined;
  } catch {
    found = undefined;
  }
  // Else the system's own Python, which run users can start.
  for (const candidate of [found, ...(configured ? [] : ['/usr/bin/python3', '/usr/local/bin/python3'])]) {
    if (candidate && (await runsAs(candidate, ['-c', ''], uid))) return candidate;
  }
  return undefined;
}

async function resolveNode(uid: number | undefined): Promise<string> {
  for (const candidate of [process.execPath, '/usr/bin/node', '/usr/local/bin/node']) {
    if (await runsAs(candidate, ['-e', ''], uid)) return candidate;
  }
  return process.execPath;
}

/**
 * Finds the interpreters once, when the runner starts (asynchronously: the runner connects meanwhile):
 * ones that `uid`, the run user, can start. With `python3` on PATH being a pyenv shim under /root (mode
 * 0700), that is /usr/bin/python3 rather than pyenv's build; PYTHON names one explicitly.
 */
export async function resolveInterpreters(python: string | undefined, uid?: number): Promise<Interpreters> {
  const [py, node] = await Promise.all([resolvePython(python, uid), resolveNode(uid)]);
  return { python: py, bash: '/bin/bash', node };
}

/** The command that runs a task's script, or why it cannot run. */
export function commandFor(task: TaskFile, tasksDir: string, it: Interpreters): Command {
  const file = path.join(tasksDir, task.file);
  switch (task.language) {
    case 'py':
      return it.python ? { file: it.python, args: [file] } : { error: 'no Python 3 interpreter that run users can start (set PYTHON)' };
    case 'sh':
      return { file: it.bash, args: [file] };
    case 'js':
      return { file: it.node, args: [file] };
    case 'exec':
      return { file, args: [] };
  }
}

/**
 * Why an `exec` task cannot run, or undefined: it needs a shebang line (or to be a compiled program);
 * otherwise the system would quietly hand it to /bin/sh.
 */
export async function notRunnable(file: string): Promise<string | undefined> {
  const handle = await fs.open(file, 'r').catch(() => undefined);
  if (!handle) return 'the script cannot be opened';
  try {
    const head = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    if (head.subarray(0, 2).toString() === '#!' || head.toString('latin1') === '\x7fELF') return undefined;
    return 'could not start: an executable task needs a #! line naming its interpreter';
  } finally {
    await handle.close();
  }
}

/**
 * Why the script is not fit for run users, or undefined: they must be able to read it (`exec` tasks: to
 * start it), and not to change it (any run could then change what another task runs). Run users are
 * never its owner nor in its group, so the "others" bits decide.
 */
export async function scriptProblem(file: string, exec: boolean): Promise<string | undefined> {
  const st = await fs.stat(file).catch(() => undefined);
  if (!st) return 'the script cannot be opened';
  const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
  if (st.mode & 0o002) return `the script ${file} is writable by every user, runs included (mode ${mode}); run \`chmod o-w ${file}\``;
  const need = exec ? 0o005 : 0o004;
  if ((st.mode & need) === need) return undefined;
  return `run users cannot ${exec ? 'start' : 'read'} the script ${file} (mode ${mode}); run \`chmod o+${exec ? 'rx' : 'r'} ${file}\``;
}

import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TaskFile } from '../tasks/task-files';

export type Interpreters = { python: string | undefined; bash: string; node: string };
export type Command = { file: string; args: string[] } | { error: string };

// A version-manager shim (pyenv) costs ~90 ms on every start; asking it once for the real binary saves that per run.
async function resolvePython(configured: string | undefined): Promise<string | undefined> {
  const candidate = configured ?? 'python3';
  try {
    const { stdout } = await promisify(execFile)(candidate, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8', timeout: 10_000 });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Finds the interpreters once, when the runner starts (asynchronously: the runner connects meanwhile). */
export async function resolveInterpreters(python: string | undefined): Promise<Interpreters> {
  return { python: await resolvePython(python), bash: 'bash', node: process.execPath };
}

/** The command that runs a task's script, or why it cannot run. */
export function commandFor(task: TaskFile, tasksDir: string, it: Interpreters): Command {
  const file = path.join(tasksDir, task.file);
  switch (task.language) {
    case 'py':
      return it.python ? { file: it.python, args: [file] } : { error: 'no Python 3 interpreter found (set PYTHON)' };
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

import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { TaskFile } from '../tasks/task-files';

export type Interpreters = { python: string | undefined; bash: string; node: string };
export type Command = { file: string; args: string[] } | { error: string };

// A version-manager shim (pyenv) costs ~90 ms on every start; asking it once for the real binary saves that per run.
function resolvePython(configured: string | undefined): string | undefined {
  const candidate = configured ?? 'python3';
  try {
    const out = execFileSync(candidate, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8', timeout: 10_000 });
    return out.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Finds the interpreters once, when the runner starts. */
export function resolveInterpreters(python: string | undefined): Interpreters {
  return { python: resolvePython(python), bash: 'bash', node: process.execPath };
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

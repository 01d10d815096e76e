import { loadConfig } from '../../src/config';
import { resolveInterpreters } from '../../src/runner/interpreters';

let found: Promise<string> | undefined;

/**
 * The Python the runner runs `.py` tasks with, found the way the runner finds it: the real binary
 * behind a pyenv shim (~90 ms a start otherwise), and, as root, one the run users can start (pyenv's
 * build under /root is not). The baseline must run the same binary.
 */
export function realPython(): Promise<string> {
  const root = process.getuid?.() === 0;
  found ??= resolveInterpreters(process.env.PYTHON, root ? loadConfig({}).runUidBase : undefined).then((it) => {
    if (!it.python) throw new Error('no Python 3 interpreter that run users can start (set PYTHON)');
    return it.python;
  });
  return found;
}

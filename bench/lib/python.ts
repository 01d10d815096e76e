import { execFileSync } from 'node:child_process';

/**
 * The real Python interpreter behind `python3`: on this machine `python3` is a pyenv shim (~90 ms a
 * start); the runner asks it once for sys.executable and runs that, so the baseline must too.
 */
export function realPython(): string {
  return execFileSync(process.env.PYTHON ?? 'python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
}

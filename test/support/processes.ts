import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { groupAlive } from '../../src/runner/terminate';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type Proc = { child: ChildProcess; output: () => string; exited: Promise<number | null>; stop: () => Promise<void> };

/**
 * Starts a taskrun entry point as a real process: a TypeScript one (`src/runner/main.ts`, ...) through
 * tsx, a JavaScript one with plain node: `scripts/run.mjs` with its arguments as the npm scripts run it,
 * or the build itself (`dist/main.js`, as the image runs it). `wrapper` is a command that sets something
 * up and execs the rest (unshare, setpriv): the pid stays the entry's.
 */
export function startProcess(entry: string, env: NodeJS.ProcessEnv, args: string[] = [], wrapper: string[] = []): Proc {
  const file = path.join(root, entry);
  const [command, ...argv] = [...wrapper, process.execPath, ...(entry.endsWith('.ts') ? ['--import', 'tsx'] : []), file, ...args];
  const child = spawn(command!, argv, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** True while any live process is in the process group (zombies excluded). */
export const processGroupAlive = groupAlive;

/** True while the process exists and is not a zombie. */
export { processAlive } from '../../src/proc-stat';

import { fork, type ChildProcess } from 'node:child_process';
import type { Logger } from './log';

export type Supervised = { name: string; stop: () => Promise<void> };

export type SuperviseOptions = {
  /** Sent as the child's first message at every start (its secrets). */
  init?: unknown;
  /** The user to run the child as (the supervisor runs as root). */
  user?: { uid: number; gid: number };
  onMessage?: (m: unknown) => void;
  /** How long `stop` waits after SIGTERM before it sends SIGKILL: the longest clean shutdown of the child. */
  stopWithinMs: number;
};

/**
 * Runs a child process and restarts it when it crashes, with back-off (0.5 s doubling to 30 s; reset
 * after a minute of good health). `stop` sends SIGTERM and resolves once the child has exited, killing it
 * after `stopWithinMs`: a child stuck in its shutdown must not keep taskrun from stopping.
 */
export function supervise(name: string, script: string, env: NodeJS.ProcessEnv, log: Logger, opts: SuperviseOptions): Supervised {
  let child: ChildProcess | undefined;
  let stopping = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;

  const start = () => {
    const startedAt = Date.now();
    child = fork(script, [], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], ...opts.user });
    if (opts.init !== undefined) child.send(opts.init as object);
    child.on('message', (m) => opts.onMessage?.(m));
    child.once('exit', (code, signal) => {
      child = undefined;
      if (stopping) return;
      failures = Date.now() - startedAt > 60_000 ? 1 : failures + 1;
      const delay = Math.min(30_000, 500 * 2 ** (failures - 1));
      log.error({ child: name, code, signal, restart_in_ms: delay }, `${name} exited; restarting`);
      timer = setTimeout(start, delay);
    });
  };
  start();

  return {
    name,
    stop: async () => {
      stopping = true;
      clearTimeout(timer);
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const kill = setTimeout(() => {
        log.error({ child: name, pid: c.pid, waited_ms: opts.stopWithinMs }, `${name} did not stop after SIGTERM; killing it`);
        c.kill('SIGKILL');
      }, opts.stopWithinMs);
      await exited;
      clearTimeout(kill);
    },
  };
}

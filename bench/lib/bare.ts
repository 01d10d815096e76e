import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { alive, onCleanup } from './cleanup';

/** One spawn done by the bare spawner: when it was asked (wall ms), how long to its exit, what it printed. */
export type BareResult = { t0: number; ms: number; code: number | null; stdout?: string };

/** A command: its stdout captured, or written (with stderr) to `file`, or dropped. */
export type BareJob = { cmd: string; args: string[]; capture?: boolean; file?: string };

/** The baselines' spawner: a lean plain-Node child process (bare-spawner.mjs) driven over IPC. */
export type Bare = {
  spawn: (job: BareJob, cwd: string) => Promise<BareResult>;
  /** Runs the jobs `concurrency` at a time; `ms` is the total, `code` the first non-zero exit or 0. */
  batch: (jobs: BareJob[], concurrency: number, cwd: string) => Promise<BareResult>;
  /** Re-anchors the spawner's wall clock (between samples). */
  anchor: () => Promise<void>;
  stop: () => void;
};

/** Throws unless a baseline command exited 0: a broken baseline is a broken bench. */
export function mustSucceed(code: number | null, what: string): void {
  if (code !== 0) throw new Error(`baseline ${what} exited with ${code}`);
}

/** Starts the bare spawner; it ends with the bench (disconnect) or on stop(). */
export function startBare(): Bare {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bare-spawner.mjs');
  // execArgv [] so it does not inherit the bench's `--import tsx`.
  const child = fork(file, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<number, { resolve: (r: BareResult) => void; reject: (e: Error) => void }>();
  let next = 0;
  child.on('message', (m: BareResult & { id: number; error?: string }) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error) w?.reject(new Error(m.error));
    else w?.resolve(m);
  });
  child.once('exit', () => {
    for (const w of waiting.values()) w.reject(new Error('the bare spawner exited'));
  });
  const stop = () => {
    if (child.pid && alive(child.pid)) child.kill('SIGKILL');
  };
  const unregister = onCleanup(async () => stop());
  const send = (msg: object) =>
    new Promise<BareResult>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      child.send({ ...msg, id });
    });
  return {
    spawn: (job, cwd) => send({ ...job, cwd }),
    batch: (jobs, concurrency, cwd) => send({ jobs, concurrency, cwd }),
    anchor: async () => {
      await send({ anchor: true });
    },
    stop: () => {
      stop();
      unregister();
    },
  };
}

import fs from 'node:fs';
import { processAlive } from '../../src/proc-stat';

// Every process the bench starts is registered here, so none survives the bench, even when a
// scenario throws or the bench is interrupted.
const handlers = new Set<() => Promise<void>>();

/** Registers a cleanup; returns a function that unregisters it (after a normal stop). */
export function onCleanup(fn: () => Promise<void>): () => void {
  handlers.add(fn);
  return () => handlers.delete(fn);
}

/** Runs every registered cleanup, newest first; errors are reported, never thrown. */
export async function cleanupAll(): Promise<void> {
  for (const fn of [...handlers].reverse()) {
    handlers.delete(fn);
    await fn().catch((err) => console.error(`cleanup failed: ${(err as Error).message}`));
  }
}

/** True while the process exists and is not a zombie. */
export const alive = processAlive;

/** Sends a signal to a process group, ignoring a group that is already gone. */
export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // gone already
  }
}

/** Waits until `pid` has exited, up to `ms`; true when it did. */
export async function waitExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/**
 * SIGKILLs every process whose working folder is inside `root`: task processes (cwd TASKS_DIR, each in a
 * process group of its own) and the embedded PostgreSQL (cwd its data folder, detached by design).
 */
export function killStrays(root: string): number {
  let killed = 0;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let cwd: string;
    try {
      cwd = fs.readlinkSync(`/proc/${name}/cwd`);
    } catch {
      continue;
    }
    if (cwd === root || cwd.startsWith(`${root}/`)) {
      try {
        process.kill(Number(name), 'SIGKILL');
        killed++;
      } catch {
        // ended meanwhile
      }
    }
  }
  return killed;
}

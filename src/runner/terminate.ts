import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { processAlive, readProcStat } from '../proc-stat';

/** Sends a signal to a whole process group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * True while a process of the group is still alive. Zombies do not count: an orphan's zombie stays in
 * its group until init reaps it, and some inits (this sandbox's, a container without --init) never do.
 */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((n) => n.charCodeAt(0) <= 57);
  } catch {
    return true; // no /proc: trust kill(0)
  }
  return pids.some((pid) => {
    const stat = readProcStat(pid);
    return stat !== undefined && stat.pgrp === pgid && processAlive(pid);
  });
}

/**
 * Ends a process group: SIGTERM to all of it, then SIGKILL after `graceMs` to whatever is left,
 * so grandchildren (`sleep 1000 &`) go too. Resolves once no live process of the group remains.
 */
export async function terminateGroup(pgid: number, graceMs: number): Promise<void> {
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await sleep(Math.min(50, Math.max(1, deadline - Date.now())));
    if (!groupAlive(pgid)) return;
  }
  signalGroup(pgid, 'SIGKILL');
  for (let i = 0; i < 100 && groupAlive(pgid); i++) await sleep(20);
}

import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { processAlive } from '../../proc-stat';

/** The live processes whose owner is `uid`, from /proc (a zombie leader with live threads is live). */
export function processesOf(uid: number): number[] {
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    let owner: number;
    try {
      owner = fs.statSync(`/proc/${name}`).uid;
    } catch {
      continue; // ended meanwhile
    }
    if (owner !== uid) continue;
    if (processAlive(name)) pids.push(Number(name));
  }
  return pids;
}

function signalEach(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // ended meanwhile
    }
  }
}

// Rounds of stopping before the kill, and of waiting for the kill to land, before giving up.
const STOP_ROUNDS = 50;
const KILL_ROUNDS = 100;

/**
 * Ends every process `members` lists (a run's cgroup, or its uid's processes): SIGTERM and `graceMs`
 * to finish, then from taskrun itself, which the run can neither signal nor outrun: SIGSTOP until no
 * new process appears (a stopped process cannot fork, so a fork bomb holds still), then SIGKILL.
 * Answers whether none is left (false: something could not be ended; its uid must not be reused).
 */
export async function endProcesses(members: () => number[], graceMs: number): Promise<boolean> {
  if (members().length === 0) return true;
  if (graceMs > 0) {
    signalEach(members(), 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline) {
      await sleep(Math.min(50, Math.max(1, deadline - Date.now())));
      if (members().length === 0) return true;
    }
  }
  const stopped = new Set<number>();
  for (let i = 0; i < STOP_ROUNDS; i++) {
    const fresh = members().filter((p) => !stopped.has(p));
    if (fresh.length === 0) break;
    signalEach(fresh, 'SIGSTOP');
    for (const p of fresh) stopped.add(p);
  }
  for (let i = 0; i < KILL_ROUNDS; i++) {
    const left = members();
    if (left.length === 0) return true;
    signalEach(left, 'SIGKILL');
    await sleep(i < 10 ? 5 : 20);
  }
  return members().length === 0;
}

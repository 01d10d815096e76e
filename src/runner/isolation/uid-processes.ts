import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { readProcStat } from '../../proc-stat';
import { sleep } from '../../timing';

/** The live (not zombie) processes whose owner is `uid`, from /proc. */
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
    const stat = readProcStat(name);
    if (stat && stat.state !== 'Z' && stat.state !== 'X') pids.push(Number(name));
  }
  return pids;
}

/**
 * Sends `signal` to every process of `uid` at once: a helper switched to that uid calls kill(-1), which
 * the kernel applies to all of the user's processes in one pass, so a fork bomb cannot outrun it (a
 * loop over /proc could be). Only ever for a leased run uid: kill(-1) as root would end the machine.
 */
export async function signalUid(uid: number, signal: 'TERM' | 'KILL'): Promise<void> {
  if (!Number.isInteger(uid) || uid <= 0 || uid === process.getuid?.()) throw new Error(`refusing to signal every process of uid ${uid}`);
  await new Promise<void>((resolve) => {
    const child = spawn('/bin/sh', ['-c', 'kill -s "$0" -- -1 2>/dev/null; exit 0', signal], { uid, gid: uid, stdio: 'ignore' });
    child.once('error', () => resolve());
    child.once('exit', () => resolve());
  });
}

/**
 * Ends every process of `uid`: SIGTERM, then SIGKILL after `graceMs` to what is left (at once when
 * `graceMs` is 0). `alive` lists what is left (a cgroup's members are quicker to read than /proc).
 */
export async function endUid(uid: number, graceMs: number, alive: () => number[] = () => processesOf(uid)): Promise<void> {
  if (alive().length === 0) return;
  if (graceMs > 0) {
    await signalUid(uid, 'TERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline) {
      await sleep(Math.min(50, Math.max(1, deadline - Date.now())));
      if (alive().length === 0) return;
    }
  }
  for (let i = 0; i < 100 && alive().length > 0; i++) {
    await signalUid(uid, 'KILL');
    await sleep(20);
  }
}

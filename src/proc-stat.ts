import fs from 'node:fs';

/** The fields of /proc/PID/stat that taskrun uses. */
export type ProcStat = { comm: string; state: string; ppid: number; pgrp: number };

/** Reads /proc/PID/stat (the command name may hold spaces and parentheses, so fields count from the last `)`). */
export function readProcStat(pid: number | string): ProcStat | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    return { comm: text.slice(text.indexOf('(') + 1, close), state: fields[0], ppid: Number(fields[1]), pgrp: Number(fields[2]) };
  } catch {
    return undefined; // no such process (or it ended while we looked)
  }
}

/**
 * True while the process exists and is not a zombie. A leader thread that called pthread_exit shows
 * as a zombie while the other threads of its process run on: such a process is alive.
 */
export function processAlive(pid: number | string): boolean {
  const stat = readProcStat(pid);
  if (stat === undefined) return false;
  if (stat.state !== 'Z' && stat.state !== 'X') return true;
  let threads: string[];
  try {
    threads = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return false;
  }
  return threads.some((t) => {
    const s = readProcStat(`${pid}/task/${t}`);
    return s !== undefined && s.state !== 'Z' && s.state !== 'X';
  });
}

/** The real and effective uid of a process (/proc/PID/status); undefined once it is gone. */
export function readProcUids(pid: number): { real: number; effective: number } | undefined {
  try {
    const line = /^Uid:\s+(\d+)\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return line ? { real: Number(line[1]), effective: Number(line[2]) } : undefined;
  } catch {
    return undefined;
  }
}

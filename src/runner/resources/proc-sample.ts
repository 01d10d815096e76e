import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** What the sampler needs of one process, read from /proc/PID/stat. */
export type ProcInfo = {
  pid: number;
  ppid: number;
  zombie: boolean;
  /** utime + stime: CPU the process itself used, in clock ticks (all its threads). */
  ownTicks: number;
  /** cutime + cstime: CPU of its children that it waited for (and theirs, recursively), in clock ticks. */
  childTicks: number;
  rssBytes: number;
  /** Its threads: RLIMIT_NPROC and pids.max count each one as a process. */
  threads: number;
};

/** Clock ticks per second and page size, needed to read /proc/PID/stat. */
export type ProcUnits = { ticksPerS: number; pageBytes: number };

function getconf(name: string, fallback: number): number {
  try {
    const n = Number(execFileSync('getconf', [name], { encoding: 'utf8', timeout: 5000 }).trim());
    return Number.isFinite(n) && n > 0 ? n : fallback;
  } catch {
    return fallback;
  }
}

/** Asks the system once for CLK_TCK and PAGESIZE (normally 100 and 4096). */
export function procUnits(): ProcUnits {
  return { ticksPerS: getconf('CLK_TCK', 100), pageBytes: getconf('PAGESIZE', 4096) };
}

// One buffer for every read: a stat line is about 300 bytes (comm is at most 15 of them).
const buf = Buffer.alloc(1024);

function readStat(pid: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(`/proc/${pid}/stat`, 'r');
  } catch {
    return undefined; // ended since readdir
  }
  try {
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.toString('latin1', 0, n);
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

// A full read of every process now and then, in case a pid of the cache ended and came back as a new process.
const FULL_READ_EVERY = 30;

/** Reads the members of process groups from /proc, one call per tick. */
export type GroupReader = (pgids: ReadonlySet<number>) => Map<number, ProcInfo[]>;

/**
 * A reader of process groups that stays cheap on a machine with many processes: it remembers the pids that
 * belong to no watched group and does not read them again while they stay listed. None of them can join a
 * watched group: a run is spawned detached, in a session of its own, and setpgid cannot cross sessions.
 * Everything is read again when a group is added (its members may sit in the cache) and every 30 reads.
 */
export function createGroupReader(units: ProcUnits): GroupReader {
  let outside = new Set<number>();
  let known = new Set<number>();
  let reads = 0;
  return (pgids) => {
    const groups = new Map<number, ProcInfo[]>();
    if (pgids.size === 0) return groups;
    const full = reads++ % FULL_READ_EVERY === 0 || [...pgids].some((g) => !known.has(g));
    known = new Set(pgids);
    let pids: string[];
    try {
      pids = fs.readdirSync('/proc');
    } catch {
      return groups; // no /proc: nothing to sample
    }
    const nextOutside = new Set<number>();
    for (const name of pids) {
      const c = name.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const pid = Number(name);
      if (!full && outside.has(pid)) {
        nextOutside.add(pid);
        continue;
      }
      const stat = readStat(name);
      if (!stat) continue;
      const info = parseMember(pid, stat, pgids, units);
      if (!info) {
        nextOutside.add(pid);
        continue;
      }
      const list = groups.get(info.pgrp);
      if (list) list.push(info.proc);
      else groups.set(info.pgrp, [info.proc]);
    }
    outside = nextOutside;
    return groups;
  };
}

// The process of a stat line when its group is one of `pgids`: fields are split only for those.
function parseMember(
  pid: number,
  stat: string,
  pgids: ReadonlySet<number>,
  units: ProcUnits,
): { pgrp: number; proc: ProcInfo } | undefined {
  // After "pid (comm) " come: state ppid pgrp ...; comm may hold spaces and parentheses, so find the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2);
  const s1 = rest.indexOf(' ');
  const s2 = rest.indexOf(' ', s1 + 1);
  const pgrp = Number(rest.slice(s2 + 1, rest.indexOf(' ', s2 + 1)));
  if (!pgids.has(pgrp)) return undefined;
  return { pgrp, proc: parseFields(pid, rest, units) };
}

function parseFields(pid: number, rest: string, units: ProcUnits): ProcInfo {
  const f = rest.split(' ');
  return {
    pid,
    ppid: Number(f[1]),
    zombie: f[0] === 'Z' || f[0] === 'X',
    ownTicks: Number(f[11]) + Number(f[12]),
    childTicks: Number(f[13]) + Number(f[14]),
    rssBytes: Math.max(0, Number(f[21])) * units.pageBytes,
    threads: Number(f[17]),
  };
}

/** Reads the given processes (a run's cgroup or uid members); those that ended meanwhile are left out. */
export function readProcesses(pids: number[], units: ProcUnits): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const pid of pids) {
    const stat = readStat(String(pid));
    if (stat) out.push(parseFields(pid, stat.slice(stat.lastIndexOf(')') + 2), units));
  }
  return out;
}

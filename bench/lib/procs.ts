import fs from 'node:fs';

/** Resident memory of a process in bytes (VmRSS), or 0 when it is gone. */
export function rss(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; returns the peak. */
export function sampleRss(pid: number, everyMs = 25): { stop: () => { start: number; peak: number } } {
  const start = rss(pid);
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, rss(pid))), everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      peak = Math.max(peak, rss(pid));
      return { start, peak };
    },
  };
}

/** CPU time (user + system) a process has used so far, in ms. */
export function cpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // fields utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

export const MB = 1024 * 1024;

/** Pids of the processes whose working folder is inside `dir` (the embedded PostgreSQL's, for one). */
export function pidsWithCwdIn(dir: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cwd = fs.readlinkSync(`/proc/${name}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`)) out.push(Number(name));
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/** CPU time used so far by named groups of processes, in ms; call twice and subtract. */
export function cpuByGroup(groups: Record<string, number[]>): Record<string, number> {
  return Object.fromEntries(Object.entries(groups).map(([k, pids]) => [k, pids.reduce((a, pid) => a + cpuMs(pid), 0)]));
}

import type { ProcInfo } from './proc-sample';

/**
 * One reading of a run's process tree: CPU since the previous reading (100 = one core), memory now, and
 * its tasks (threads, zombies included: what the kernel's process limits count).
 */
export type UsageSample = { cpuPct: number; rssBytes: number; tasks: number };

/**
 * The running account of one run's process group, fed one /proc reading at a time.
 *
 * CPU time is approximate, from what /proc shows at each reading. A live member's cumulative time is
 * utime+stime+cutime+cstime: its own, plus that of the children it waited for, which the kernel folds
 * into cutime/cstime when it reaps them. Summed over the live members (zombies included, they still show
 * their own time), that is the tree's total. A member that disappears between readings was either reaped
 * by a parent still in the group (its time now sits in that parent's cutime, nothing to add) or by a
 * process outside it (the runner reaps the leader, init reaps orphans): its last seen time is then kept
 * aside. What is missed: the CPU a process used between its last reading and its exit, and descendants
 * that moved to another process group or session. The total never goes down.
 *
 * Memory is the sum of the members' resident set sizes, as `ps` and pidusage count it: pages shared
 * between members (after a fork, shared libraries) count once per member, so it can exceed the truth.
 */
export class TreeUsage {
  private members = new Map<number, { ppid: number; ticks: number }>();
  private goneTicks = 0;
  private totalTicks = 0;
  private lastTicks = 0;
  /** The highest memory seen; null until a live process was seen. */
  peakRssBytes: number | null = null;

  constructor(
    private readonly ticksPerS: number,
    private lastAt: number,
  ) {}

  /** True once a reading found a live process of the group. */
  get observed(): boolean {
    return this.peakRssBytes !== null;
  }

  /** CPU seconds of the whole tree so far. */
  get cpuSeconds(): number {
    return this.totalTicks / this.ticksPerS;
  }

  /** Folds in the group's members as read at `at` (ms); undefined when no live process is left. */
  update(procs: ProcInfo[], at: number): UsageSample | undefined {
    const seen = new Map<number, { ppid: number; ticks: number }>();
    let live = 0;
    let rssBytes = 0;
    let ticks = 0;
    let tasks = 0;
    for (const p of procs) {
      tasks += Math.max(1, p.threads);
      const cumulative = p.ownTicks + p.childTicks;
      seen.set(p.pid, { ppid: p.ppid, ticks: cumulative });
      ticks += cumulative;
      if (!p.zombie) {
        live++;
        rssBytes += p.rssBytes;
      }
    }
    for (const [pid, old] of this.members) {
      if (!seen.has(pid) && !seen.has(old.ppid)) this.goneTicks += old.ticks;
    }
    this.members = seen;
    this.totalTicks = Math.max(this.totalTicks, this.goneTicks + ticks);
    const seconds = (at - this.lastAt) / 1000;
    const cpuPct = seconds > 0 ? ((this.totalTicks - this.lastTicks) / this.ticksPerS / seconds) * 100 : 0;
    this.lastTicks = this.totalTicks;
    this.lastAt = at;
    if (live === 0) return undefined;
    this.peakRssBytes = Math.max(this.peakRssBytes ?? 0, rssBytes);
    return { cpuPct: Math.round(cpuPct * 10) / 10, rssBytes, tasks };
  }
}

import { describe, expect, it } from 'vitest';
import { checkLimits, formatLimitBytes, resolveLimits, type OverSince } from './limits';
import type { ProcInfo } from './proc-sample';
import { TreeUsage } from './tree-usage';

const RUNNER = 10;
const p = (pid: number, ppid: number, ownTicks: number, childTicks = 0, rssBytes = 1000, zombie = false): ProcInfo => ({
  pid,
  ppid,
  ownTicks,
  childTicks,
  rssBytes,
  zombie,
  threads: 1,
});

describe('the account of a process tree', () => {
  it('sums its members, counts a child reaped inside the group once, and keeps what orphans and the leader used', () => {
    const u = new TreeUsage(100, 0);
    // Leader 100 with child 101 and grandchild 102: 10 + 50 + 20 ticks.
    expect(u.update([p(100, RUNNER, 10), p(101, 100, 50, 0, 5000), p(102, 101, 20)], 1000)).toEqual({
      cpuPct: 80,
      rssBytes: 7000,
      tasks: 3,
    });
    // 102 exits and 101 reaps it: its 25 ticks move into 101's cutime, not counted twice.
    expect(u.update([p(100, RUNNER, 10), p(101, 100, 60, 25, 3000)], 2000)).toEqual({ cpuPct: 15, rssBytes: 4000, tasks: 2 });
    expect(u.cpuSeconds).toBeCloseTo(0.95);
    // The leader exits and the runner (outside the group) reaps it: its 10 ticks are kept aside.
    expect(u.update([p(101, 100, 70, 25), p(103, 101, 5)], 3000)).toEqual({ cpuPct: 15, rssBytes: 2000, tasks: 2 });
    expect(u.cpuSeconds).toBeCloseTo(1.1);
    // The orphans end too, reaped by init: nothing left, the total stays, the peak is the highest seen.
    expect(u.update([], 4000)).toBeUndefined();
    expect(u.cpuSeconds).toBeCloseTo(1.1);
    expect(u.peakRssBytes).toBe(7000);
  });

  it('leaves zombies out of memory but not out of CPU, and is unobserved until a live process shows', () => {
    const u = new TreeUsage(100, 0);
    expect(u.observed).toBe(false);
    expect(u.update([p(100, RUNNER, 40, 0, 9999, true)], 500)).toBeUndefined();
    expect(u.observed).toBe(false);
    expect(u.cpuSeconds).toBeCloseTo(0.4);
    expect(u.update([p(100, RUNNER, 40, 0, 0, true), p(101, 100, 10, 0, 2048)], 1000)).toEqual({ cpuPct: 20, rssBytes: 2048, tasks: 2 });
    expect(u.observed).toBe(true);
  });

  it('never counts down when /proc shows less than before', () => {
    const u = new TreeUsage(100, 0);
    u.update([p(100, RUNNER, 100), p(101, 100, 100)], 1000);
    u.update([p(100, RUNNER, 100)], 2000); // 101 vanished under a living parent that never waited for it
    expect(u.cpuSeconds).toBe(2);
    expect(u.update([p(100, RUNNER, 150)], 3000)?.cpuPct).toBe(0);
  });
});

describe('resource limits', () => {
  const limits = { maxRssBytes: 100, maxCpuPct: 50, graceMs: 2000 };

  it('fires once a limit has been exceeded for the whole grace, and forgets a spike that ends in time', () => {
    const over: OverSince = {};
    expect(checkLimits(over, limits, { rssBytes: 200, cpuPct: 0, tasks: 1 }, 0)).toBeUndefined();
    expect(checkLimits(over, limits, { rssBytes: 50, cpuPct: 0, tasks: 1 }, 1000)).toBeUndefined();
    expect(checkLimits(over, limits, { rssBytes: 200, cpuPct: 0, tasks: 1 }, 2000)).toBeUndefined();
    expect(checkLimits(over, limits, { rssBytes: 200, cpuPct: 0, tasks: 1 }, 3000)).toBeUndefined();
    expect(checkLimits(over, limits, { rssBytes: 200, cpuPct: 0, tasks: 1 }, 4000)).toBe('memory limit 0 MB exceeded');
    expect(checkLimits({}, { ...limits, graceMs: 0 }, { rssBytes: 0, cpuPct: 75, tasks: 1 }, 0)).toBe('CPU limit 50% exceeded');
    expect(
      checkLimits({}, { maxRssBytes: null, maxCpuPct: null, graceMs: 0 }, { rssBytes: 1e15, cpuPct: 1e6, tasks: 1 }, 0),
    ).toBeUndefined();
  });

  it("takes a task's own limits over the defaults, and names sizes in MB", () => {
    const defaults = { maxRssBytes: 1, maxCpuPct: 2, graceMs: 10_000 };
    expect(resolveLimits({ maxRssBytes: null, maxCpuPct: null, limitGraceS: null }, defaults)).toEqual(defaults);
    expect(resolveLimits({ maxRssBytes: 5, maxCpuPct: 150, limitGraceS: 0 }, defaults)).toEqual({
      maxRssBytes: 5,
      maxCpuPct: 150,
      graceMs: 0,
    });
    expect(formatLimitBytes(512 * 1024 * 1024)).toBe('512 MB');
    expect(formatLimitBytes(1.25 * 1024 * 1024)).toBe('1.3 MB');
  });
});

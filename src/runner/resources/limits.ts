import type { UsageSample } from './tree-usage';

/** A run's resource limits: null is no limit; over a limit for `graceMs` stops the run. */
export type Limits = { maxRssBytes: number | null; maxCpuPct: number | null; graceMs: number };

/** A task's own limits (null: the environment's default) over the defaults. */
export function resolveLimits(
  task: { maxRssBytes: number | null; maxCpuPct: number | null; limitGraceS: number | null },
  defaults: Limits,
): Limits {
  return {
    maxRssBytes: task.maxRssBytes ?? defaults.maxRssBytes,
    maxCpuPct: task.maxCpuPct ?? defaults.maxCpuPct,
    graceMs: task.limitGraceS === null ? defaults.graceMs : task.limitGraceS * 1000,
  };
}

/** A byte limit as the run's error names it: "512 MB" (MB = 2^20 bytes, the unit of RUN_MAX_RSS_MB). */
export function formatLimitBytes(bytes: number): string {
  return `${Math.round((bytes / 1048576) * 10) / 10} MB`;
}

/** Since when (ms) a run has been over each limit. */
export type OverSince = { rss?: number; cpu?: number };

/** Checks a sample against the limits; the reason once a limit has been exceeded for the whole grace. */
export function checkLimits(over: OverSince, limits: Limits, s: UsageSample, at: number): string | undefined {
  if (limits.maxRssBytes !== null && s.rssBytes > limits.maxRssBytes) {
    over.rss ??= at;
    if (at - over.rss >= limits.graceMs) return `memory limit ${formatLimitBytes(limits.maxRssBytes)} exceeded`;
  } else over.rss = undefined;
  if (limits.maxCpuPct !== null && s.cpuPct > limits.maxCpuPct) {
    over.cpu ??= at;
    if (at - over.cpu >= limits.graceMs) return `CPU limit ${limits.maxCpuPct}% exceeded`;
  } else over.cpu = undefined;
  return undefined;
}

/**
 * Why a run is stopped for its process limit, or undefined: a fork bomb held at the limit by the
 * kernel never ends by itself. With a pids cgroup the kernel says when it refused a fork
 * (`forksRefused` since the last reading): stopped then, with the count near the limit, while a run
 * that merely has as many processes as it may goes on. With the rlimit alone nothing says so: a run at
 * its limit at two readings in a row (`atLimitBefore`) is taken for a bomb, unless its limit is one
 * process, which cannot fork at all.
 */
export function processLimitReason(
  tasks: number,
  maxProcesses: number,
  forksRefused: boolean | undefined,
  atLimitBefore: boolean,
): string | undefined {
  const at =
    forksRefused === undefined ? maxProcesses > 1 && tasks >= maxProcesses && atLimitBefore : forksRefused && tasks >= maxProcesses * 0.9;
  return at ? `process limit reached: ${maxProcesses} processes and threads (max_processes)` : undefined;
}

import os from 'node:os';
import { z } from 'zod';
import type { Config } from '../config';
import { readProcStat, readProcUids } from '../proc-stat';
import type { Run } from '../db/schema';
import { liveRunners } from '../queries/runners';
import { countActiveRuns, runningOnHost } from '../runs/read';
import type { RunnerIsolation } from '../db/schema';
import type { Deps } from './deps';

// Loaded on the first System request, not at start: most web processes never need it, and it is one of
// the largest libraries here (a few MB of an idle web process).
const systemInformation = async () => (await import('systeminformation')).default;

/** What runs get on a runner: the isolation levels, cgroup version and tools it offers, and what keeps it from more. */
export const isolationSchema = z.object({
  levels: z.array(z.enum(['standard', 'strict'])),
  cgroup: z.enum(['v2', 'v1', 'none']),
  bubblewrap: z.boolean(),
  run_users: z.boolean(),
  problems: z.array(z.string()),
}) satisfies z.ZodType<RunnerIsolation>;

/** GET /api/system/info. */
export const systemInfoSchema = z.object({
  cpu: z.object({ cores: z.number().int(), load_pct: z.number(), load_avg: z.array(z.number()) }),
  memory: z.object({ total: z.number(), used: z.number(), free: z.number() }),
  disks: z.array(z.object({ mount: z.string(), fs: z.string(), size: z.number(), used: z.number(), use_pct: z.number() })),
  uptime_s: z.number(),
  running_runs: z.number().int(),
  queued_runs: z.number().int(),
  /** What every live runner enforces (the weakest of them), and what keeps them from more. */
  isolation: isolationSchema,
  runners: z.array(
    z.object({
      id: z.string(),
      host: z.string(),
      pid: z.number().int(),
      slots: z.number().int(),
      running: z.number().int(),
      version: z.string(),
      started_at: z.string(),
      heartbeat_at: z.string(),
      isolation: isolationSchema.nullable(),
    }),
  ),
});
export type SystemInfo = z.infer<typeof systemInfoSchema>;

const CGROUP_STRENGTH = ['none', 'v1', 'v2'] as const;

/** What a run gets on any live runner: the levels all of them offer, the weakest cgroup, bubblewrap if all have it. */
export function fleetIsolation(reports: (RunnerIsolation | null)[]): RunnerIsolation {
  const known = reports.filter((r): r is RunnerIsolation => r !== null);
  if (known.length === 0)
    return { levels: [], cgroup: 'none', bubblewrap: false, run_users: false, problems: ['no live runner has reported its isolation'] };
  return {
    levels: (['standard', 'strict'] as const).filter((l) => known.every((r) => r.levels.includes(l))),
    cgroup: CGROUP_STRENGTH[Math.min(...known.map((r) => CGROUP_STRENGTH.indexOf(r.cgroup)))]!,
    bubblewrap: known.every((r) => r.bubblewrap),
    run_users: known.every((r) => r.run_users),
    problems: [...new Set(known.flatMap((r) => r.problems))],
  };
}

/** CPU, memory, disks and load of this machine, and the queue across all runners. */
export async function systemInfo(deps: Deps): Promise<SystemInfo> {
  const si = await systemInformation();
  const [load, mem, disks, counts, runners] = await Promise.all([
    si.currentLoad(),
    si.mem(),
    si.fsSize().catch(() => []),
    countActiveRuns(deps.db),
    liveRunners(deps.db, deps.cfg.runnerDeadMs),
  ]);
  return {
    cpu: { cores: os.cpus().length, load_pct: round(load.currentLoad), load_avg: os.loadavg().map(round) },
    // "used" leaves out the kernel's caches, as `free` and every monitor count it.
    memory: { total: mem.total, used: mem.active, free: mem.available },
    disks: disks.map((d) => ({ mount: d.mount, fs: d.fs, size: d.size, used: d.used, use_pct: round(d.use ?? 0) })),
    uptime_s: Math.round(os.uptime()),
    running_runs: counts.running,
    queued_runs: counts.queued,
    isolation: fleetIsolation(runners.map((r) => r.isolation)),
    runners: runners.map((r) => ({
      id: r.id,
      host: r.host,
      pid: r.pid,
      slots: r.slots,
      running: r.running,
      version: r.version,
      started_at: r.startedAt.toISOString(),
      heartbeat_at: r.heartbeatAt.toISOString(),
      isolation: r.isolation,
    })),
  };
}

/** One row of GET /api/system/processes; `of_run`: it belongs to a run (`run_id` says which, when known). */
export const processSchema = z.object({
  pid: z.number().int(),
  name: z.string(),
  cpu_pct: z.number(),
  mem_rss: z.number(),
  command: z.string(),
  of_run: z.boolean(),
  run_id: z.number().int().nullable(),
  task_id: z.string().nullable(),
});
export type ProcessJson = z.infer<typeof processSchema>;

/** Which processes a caller sees: every process of the machine, or only those of runs. */
export type ProcessScope = 'all' | 'runs';

/** Admins see every process; others only runs', since another program's command line may hold its password. */
export const processScope = (admin: boolean): ProcessScope => (admin ? 'all' : 'runs');

type RunRef = Pick<Run, 'id' | 'taskId' | 'pid'>;

// A run's processes are its process group (led by the run's pid) and the descendants that left the group
// (setsid) while an ancestor is still in it.
function runOfProcess(running: RunRef[]): (pid: number) => RunRef | undefined {
  const byGroup = new Map(running.filter((r) => r.pid).map((r) => [r.pid!, r]));
  const seen = new Map<number, RunRef | null>();
  const find = (pid: number, depth: number): RunRef | null => {
    const known = seen.get(pid);
    if (known !== undefined) return known;
    const stat = readProcStat(pid);
    const run = !stat ? null : (byGroup.get(stat.pgrp) ?? (stat.ppid > 1 && depth < 64 ? find(stat.ppid, depth + 1) : null));
    seen.set(pid, run);
    return run;
  };
  return (pid) => (byGroup.size === 0 ? undefined : (find(pid, 0) ?? undefined));
}

// Runs execute as uids of a pool: a process of one of them is a run's even when its group and parents are gone.
function inRunUidPool(cfg: Config): (pid: number) => boolean {
  const inPool = (uid: number) => uid >= cfg.runUidBase && uid < cfg.runUidBase + cfg.runUidCount;
  return (pid) => {
    const uids = readProcUids(pid);
    return uids !== undefined && (inPool(uids.real) || inPool(uids.effective));
  };
}

/**
 * The busiest processes on this machine, each marked with the run it belongs to; run processes always
 * come first. Scope `runs` leaves every other process out: its command line is never read into an answer.
 */
export async function topProcesses(deps: Deps, scope: ProcessScope, limit = 50): Promise<ProcessJson[]> {
  const si = await systemInformation();
  const [procs, running] = await Promise.all([si.processes(), runningOnHost(deps.db, os.hostname())]);
  const runOf = runOfProcess(running);
  const pooled = inRunUidPool(deps.cfg);
  const rows: ProcessJson[] = [];
  for (const p of procs.list) {
    const run = runOf(p.pid);
    const ofRun = run !== undefined || pooled(p.pid);
    if (!ofRun && scope === 'runs') continue;
    rows.push({
      pid: p.pid,
      name: p.name,
      cpu_pct: round(p.cpu),
      mem_rss: p.memRss * 1024,
      command: [p.command, p.params].filter(Boolean).join(' '),
      of_run: ofRun,
      run_id: run?.id ?? null,
      task_id: run?.taskId ?? null,
    });
  }
  const ofRuns = rows.filter((r) => r.of_run);
  const others = rows.filter((r) => !r.of_run).sort((a, b) => b.cpu_pct - a.cpu_pct || b.mem_rss - a.mem_rss);
  return [...ofRuns, ...others].slice(0, Math.max(limit, ofRuns.length));
}

const round = (n: number) => Math.round(n * 10) / 10;

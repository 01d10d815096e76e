import os from 'node:os';
import { readProcStat } from '../proc-stat';
import { liveRunners } from '../queries/runners';
import { countActiveRuns, runningOnHost } from '../queries/runs-read';
import type { Deps } from './deps';

// Loaded on the first System request, not at start: most web processes never need it, and it is one of
// the largest libraries here (a few MB of an idle web process).
const systemInformation = async () => (await import('systeminformation')).default;

/** GET /api/system/info. */
export type SystemInfo = {
  cpu: { cores: number; load_pct: number; load_avg: number[] };
  memory: { total: number; used: number; free: number };
  disks: { mount: string; fs: string; size: number; used: number; use_pct: number }[];
  uptime_s: number;
  running_runs: number;
  queued_runs: number;
  runners: { id: string; host: string; pid: number; slots: number; running: number; version: string; started_at: string; heartbeat_at: string }[];
};

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
    runners: runners.map((r) => ({
      id: r.id, host: r.host, pid: r.pid, slots: r.slots, running: r.running, version: r.version,
      started_at: r.startedAt.toISOString(), heartbeat_at: r.heartbeatAt.toISOString(),
    })),
  };
}

/** One row of GET /api/system/processes. */
export type ProcessJson = { pid: number; name: string; cpu_pct: number; mem_rss: number; command: string; run_id: number | null; task_id: string | null };

/** The busiest processes on this machine, each marked with the run it belongs to; run processes always come first. */
export async function topProcesses(deps: Deps, limit = 50): Promise<ProcessJson[]> {
  const si = await systemInformation();
  const [procs, running] = await Promise.all([si.processes(), runningOnHost(deps.db, os.hostname())]);
  const byGroup = new Map(running.filter((r) => r.pid).map((r) => [r.pid!, r]));
  const rows = procs.list.map((p): ProcessJson => {
    const run = byGroup.get(readProcStat(p.pid)?.pgrp ?? -1);
    return {
      pid: p.pid,
      name: p.name,
      cpu_pct: round(p.cpu),
      mem_rss: p.memRss * 1024,
      command: [p.command, p.params].filter(Boolean).join(' '),
      run_id: run?.id ?? null,
      task_id: run?.taskId ?? null,
    };
  });
  const ofRuns = rows.filter((r) => r.run_id !== null);
  const others = rows.filter((r) => r.run_id === null).sort((a, b) => b.cpu_pct - a.cpu_pct || b.mem_rss - a.mem_rss);
  return [...ofRuns, ...others].slice(0, Math.max(limit, ofRuns.length));
}


const round = (n: number) => Math.round(n * 10) / 10;

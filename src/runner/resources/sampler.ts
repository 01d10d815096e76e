import type { TaskSettings } from '../../queries/task-settings';
import { insertSamples, recordRunUsage, type SampleRow } from '../../runs/samples';
import type { Run } from '../../db/schema';
import type { RunnerContext } from '../context';
import { withTimeout } from '../../timing';
import { checkLimits, processLimitReason, resolveLimits, type Limits, type OverSince } from './limits';
import { createGroupReader, procUnits, readProcesses, type ProcInfo } from './proc-sample';
import { TreeUsage, type UsageSample } from './tree-usage';

const END_STORE_WAIT_MS = 3000;

/** What a run used, for its row: null when it ended before the sampler saw a live process of it. */
export type RunUsage = { peakRssBytes: number | null; cpuSeconds: number | null };

/** The runner's one resource sampler: every running run's process group, about once a second. */
export type Sampler = {
  /**
   * Starts watching a run's process group within its task's limits (`task`, as the run read its
   * settings); `exceeded` is called once, with why, when it breaks a limit.
   */
  track: (run: Pick<Run, 'id'>, watch: Watched, task: TaskLimits, exceeded: (reason: string, now?: boolean) => void) => void;
  /** Stops watching a run; stores its last samples and answers its totals. */
  end: (runId: number) => Promise<RunUsage>;
  /** Stops the clock and stores what is left. */
  stop: () => Promise<void>;
};

export type TaskLimits = Pick<TaskSettings, 'maxRssBytes' | 'maxCpuPct' | 'limitGraceS'>;

/**
 * How a run's processes are found: its process group, or (a run with its own uid or cgroup, whose
 * processes may leave the group) `members`; `forkRefusals` counts forks the kernel refused it so far.
 */
export type Watched = { pgid: number; members?: () => number[]; maxProcesses?: number; forkRefusals?: () => number };

export type SamplerOptions = { tickMs?: number; flushEveryTicks?: number };

type Tracked = {
  runId: number;
  watch: Watched;
  refused: number;
  atLimit: boolean;
  startedAt: number;
  trackedMono: number;
  usage: TreeUsage;
  limits: Limits;
  over: OverSince;
  exceeded: ((reason: string, now?: boolean) => void) | undefined;
  // The ticks folded into the next stored sample (see `thinned`).
  window: { ticks: number; cpuSum: number; rssMax: number };
};

// Every tick is stored for the first FULL_RATE_TICKS; after that one sample per ⌊age / FULL_RATE_TICKS⌋
// ticks, with the mean CPU and the peak memory of its ticks. A day-long run keeps ~3,600 rows, not 86,400.
const FULL_RATE_TICKS = 600;
// Samples waiting for a database that is away are kept up to this many; past it the oldest are dropped.
const MAX_PENDING = 50_000;

/** Starts the sampler; it reads /proc once a tick for all the runs it tracks and stores samples every few ticks. */
export function createSampler(ctx: Pick<RunnerContext, 'cfg' | 'db' | 'log'>, opts: SamplerOptions = {}): Sampler {
  const { cfg, db, log } = ctx;
  const tickMs = opts.tickMs ?? 1000;
  const flushEvery = opts.flushEveryTicks ?? 5;
  const units = procUnits();
  const readGroups = createGroupReader(units);
  const defaults: Limits = { maxRssBytes: cfg.runMaxRssBytes, maxCpuPct: cfg.runMaxCpuPct, graceMs: cfg.runLimitGraceMs };
  const runs = new Map<number, Tracked>();
  let pending: SampleRow[] = [];
  let ticks = 0;
  let flushing: Promise<void> | undefined;

  const keep = (rows: SampleRow[]) => {
    pending = rows.concat(pending);
    if (pending.length > MAX_PENDING) pending = pending.slice(pending.length - MAX_PENDING);
  };

  const store = async (rows: SampleRow[]) => {
    try {
      await insertSamples(db, rows);
    } catch (err) {
      log.warn({ err, samples: rows.length }, 'storing resource samples failed; retrying later');
      keep(rows);
    }
  };

  // The sample to store once the window holds enough ticks for the run's age.
  const thinned = (r: Tracked, s: UsageSample, at: number): SampleRow | undefined => {
    const w = r.window;
    w.ticks++;
    w.cpuSum += s.cpuPct;
    w.rssMax = Math.max(w.rssMax, s.rssBytes);
    const stride = Math.max(1, Math.floor((at - r.startedAt) / tickMs / FULL_RATE_TICKS));
    if (w.ticks < stride) return undefined;
    return drain(r, at);
  };

  const drain = (r: Tracked, at: number): SampleRow | undefined => {
    const w = r.window;
    if (w.ticks === 0) return undefined;
    const row = { runId: r.runId, at: new Date(at), cpuPct: Math.round((w.cpuSum / w.ticks) * 10) / 10, rssBytes: w.rssMax };
    r.window = { ticks: 0, cpuSum: 0, rssMax: 0 };
    return row;
  };

  // `at` stamps the sample (wall clock); `mono` measures intervals, immune to clock steps.
  const sampleRun = (r: Tracked, procs: ProcInfo[], at: number, mono: number) => {
    // CPU time is counted in whole clock ticks: over a few ms since the spawn, a CPU % would be noise.
    if (mono - r.trackedMono < tickMs / 2) return;
    const s = r.usage.update(procs, mono);
    if (!s) return;
    const row = thinned(r, s, at);
    if (row) pending.push(row);
    if (!r.exceeded) return;
    const refused = r.watch.forkRefusals?.();
    const max = r.watch.maxProcesses;
    const forks = max ? processLimitReason(s.tasks, max, refused === undefined ? undefined : refused > r.refused, r.atLimit) : undefined;
    r.refused = refused ?? 0;
    r.atLimit = max !== undefined && s.tasks >= max;
    const why = forks ?? checkLimits(r.over, r.limits, s, mono);
    if (why) {
      const exceeded = r.exceeded;
      r.exceeded = undefined;
      log.info(
        { run_id: r.runId, reason: why, rss_bytes: s.rssBytes, cpu_pct: s.cpuPct, tasks: s.tasks },
        'run over its resource limit; stopping it',
      );
      // At its process limit a run only burns CPU retrying forks: no grace.
      exceeded(why, forks !== undefined);
    }
  };

  const flush = (): Promise<void> =>
    (flushing ??= (async () => {
      const rows = pending;
      pending = [];
      if (rows.length > 0) await store(rows);
      const usage = [...runs.values()]
        .filter((r) => r.usage.observed)
        .map((r) => ({ runId: r.runId, peakRssBytes: r.usage.peakRssBytes ?? 0, cpuSeconds: r.usage.cpuSeconds }));
      await recordRunUsage(db, usage).catch((err) => log.warn({ err }, "recording runs' resource usage failed"));
    })().finally(() => (flushing = undefined)));

  const tick = () => {
    if (runs.size === 0 && pending.length === 0) return;
    try {
      const at = Date.now();
      const mono = performance.now();
      const byGroup = [...runs.values()].filter((r) => !r.watch.members);
      const groups = readGroups(new Set(byGroup.map((r) => r.watch.pgid)));
      for (const r of runs.values()) {
        const procs = r.watch.members ? readProcesses(r.watch.members(), units) : (groups.get(r.watch.pgid) ?? []);
        sampleRun(r, procs, at, mono);
      }
    } catch (err) {
      log.error({ err, runs: [...runs.keys()] }, 'sampling resource usage failed');
    }
    if (++ticks % flushEvery === 0) void flush();
  };
  const timer = setInterval(tick, tickMs);
  timer.unref();

  return {
    track: (run, watch, task, exceeded) => {
      const mono = performance.now();
      const r: Tracked = {
        runId: run.id,
        watch,
        refused: watch.forkRefusals?.() ?? 0,
        atLimit: false,
        startedAt: Date.now(),
        trackedMono: mono,
        usage: new TreeUsage(units.ticksPerS, mono),
        limits: resolveLimits(task, defaults),
        over: {},
        exceeded,
        window: { ticks: 0, cpuSum: 0, rssMax: 0 },
      };
      runs.set(run.id, r);
    },
    end: async (runId) => {
      const r = runs.get(runId);
      if (!r) return { peakRssBytes: null, cpuSeconds: null };
      runs.delete(runId);
      const last = drain(r, Date.now());
      const rows = pending.filter((p) => p.runId === runId);
      pending = pending.filter((p) => p.runId !== runId);
      if (last) rows.push(last);
      // The end of the run waits for these, but not for long: with the database away the rows stay
      // queued for the next flush (store keeps them on failure) and the end is recorded meanwhile.
      if (rows.length > 0) await withTimeout(store(rows), END_STORE_WAIT_MS, 'storing the last samples timed out').catch(() => undefined);
      return r.usage.observed
        ? { peakRssBytes: r.usage.peakRssBytes, cpuSeconds: r.usage.cpuSeconds }
        : { peakRssBytes: null, cpuSeconds: null };
    },
    stop: async () => {
      clearInterval(timer);
      await flushing;
      await flush();
    },
  };
}

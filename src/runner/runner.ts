import { setTimeout as sleep } from 'node:timers/promises';
import { CHANNEL, listen } from '../db/notify';
import { cancelRequested } from '../runs/cancel';
import { claimRuns } from '../runs/claim';
import { finishRun, type RunEnd } from '../runs/finish';
import { heartbeat, registerRunner, stopRunner } from '../queries/runners';
import type { RunnerContext } from './context';
import { startRun, type RunHandle, type StopReason } from './execute-run';
import type { Lease } from './isolation/leases';
import { removeExpiredWorkdirs } from './isolation/workdir';
import { prepareLauncher, type Prepared } from './isolation/prepared';
import { recoverLostRuns } from './recover';
import { createSampler } from './resources/sampler';
import { applyRetention } from './retention';
import { withTimeout } from '../timing';

export type Runner = { active: Map<number, RunHandle>; tick: () => void; shutdown: () => Promise<void> };

const VERSION = '0.1.0';
const RETENTION_EVERY_MS = 15 * 60 * 1000;
const RECORD_TRY_MS = 3000;

/** Starts the loop: wake (LISTEN or poll) → claim within free slots → run → record the end → claim again. */
export async function startRunner(ctx: RunnerContext): Promise<Runner> {
  const { cfg, db, log } = ctx;
  const active = new Map<number, RunHandle>();
  let stopping = false;
  let claiming = false;
  let again = false;
  let lastBeat = Date.now();

  const { leases } = ctx.isolation;
  await registerRunner(db, {
    id: ctx.runnerId,
    host: ctx.host,
    pid: process.pid,
    bootId: ctx.bootId,
    slots: cfg.maxTaskWorkers,
    version: VERSION,
    isolation: ctx.isolation.report(),
  });

  // Samples each running run's process tree once a second; stops a run over its resource limits.
  const sampler = createSampler(ctx);

  const stopAll = (why: StopReason) => {
    for (const h of active.values()) h.stop(why);
  };

  // The end of a run is recorded even if the database is away for a while: retried until it answers.
  // A query sent on a connection that died with the server can hang until the socket gives up (~15 s);
  // each try is bounded so the retry goes out on a fresh connection. finishRun is idempotent.
  const record = async (h: RunHandle, end: RunEnd) => {
    for (let delay = 200; ; delay = Math.min(delay * 2, 5000)) {
      try {
        // The status NOTIFY comes from the runs trigger taskrun_run_notify, only if this runner still held the run.
        await withTimeout(finishRun(db, h.run.id, ctx.runnerId, end), RECORD_TRY_MS, 'recording the end timed out');
        return;
      } catch (err) {
        log.warn({ err, run_id: h.run.id }, 'recording the end of a run failed; retrying');
        await sleep(delay);
      }
    }
  };

  // The slot and the uid are free again once the run's processes, files and cgroup are gone.
  const launch = (h: RunHandle, lease: Lease | undefined) => {
    active.set(h.run.id, h);
    h.ended
      .catch(
        (err: Error): RunEnd => ({ status: 'error', exitCode: null, signal: null, error: `runner error: ${err.message}`, logBytes: 0 }),
      )
      .then(async (end) => record(h, { ...end, ...(await sampler.end(h.run.id)) }))
      .then(() => h.cleanUp())
      .catch((err): boolean => {
        log.error({ err, run_id: h.run.id, uid: lease?.uid }, 'cleaning up after a run failed');
        return false;
      })
      // A uid that may still hold something of the run is never used again (its lease stays held).
      .then((clean) => lease && (clean ? leases?.give(lease) : leases?.retire(lease)))
      .then(prepareIdle)
      .finally(() => {
        active.delete(h.run.id);
        tick();
      });
  };

  // A run needs a uid of its own (taskrun is root): claim only as many runs as there are uids leased.
  // Leasing a new uid means clearing it first (a /proc scan, the temp folders): done ahead, beside the
  // claims, so a run waits for one only when none is idle.
  let poolWarned = 0;
  let topping: Promise<boolean> | undefined;
  const topUp = (want: number): Promise<boolean> =>
    (topping ??= leases!
      .reserve(want)
      .then((idle): boolean => {
        if (idle < want && leases!.busy + idle < cfg.maxTaskWorkers && Date.now() - poolWarned > 60_000) {
          poolWarned = Date.now();
          log.warn(
            { uids: cfg.runUidCount, in_use_here: leases!.busy },
            'every run uid of RUN_UID_BASE..+RUN_UID_COUNT is in use on this host; runs wait (raise RUN_UID_COUNT)',
          );
        }
        return idle > 0;
      })
      .catch((err): boolean => {
        log.error({ err, runner_id: ctx.runnerId }, 'leasing run uids failed');
        return false;
      })
      .finally(() => (topping = undefined)));
  // The next run's shell, started ahead for each idle uid (src/runner/isolation/prepared.ts).
  const launchers = new Map<number, Prepared>();
  const preparing = new Set<number>();
  function prepareIdle(): void {
    if (!leases || stopping || ctx.isolation.refusal) return;
    const idle = new Set(leases.idleUids());
    for (const [uid, p] of launchers) {
      if (!idle.has(uid)) {
        void p.discard();
        launchers.delete(uid);
      }
    }
    for (const uid of idle) {
      if (launchers.has(uid) || preparing.has(uid)) continue;
      preparing.add(uid);
      prepareLauncher(ctx.isolation, cfg, ctx.outputSockets, uid)
        .then((p) => {
          // The uid was taken by a run, or given back, meanwhile: this one is not needed.
          if (stopping || !leases.idleUids().includes(uid) || launchers.has(uid)) void p.discard();
          else launchers.set(uid, p);
        })
        .catch((err) => log.warn({ err, uid }, "could not start a run's shell ahead"))
        .finally(() => preparing.delete(uid));
    }
  }

  const claimable = async (free: number): Promise<number> => {
    if (!leases || ctx.isolation.refusal) return free;
    if (leases.idleCount === 0) await topUp(free);
    const before = leases.idleCount;
    if (before < free && !topping) void topUp(free).then(() => leases.idleCount > before && tick());
    prepareIdle();
    return Math.min(free, leases.idleCount);
  };

  const claim = async () => {
    do {
      again = false;
      const free = cfg.maxTaskWorkers - active.size;
      if (stopping || free <= 0) return;
      const n = await claimable(free);
      const claimed = await claimRuns(db, ctx, n);
      for (const run of claimed) {
        // A uid whose shell is ready first; one whose shell is still starting last (it would join late).
        const lease = ctx.isolation.refusal
          ? undefined
          : leases?.take(
              (uid) => launchers.has(uid),
              (uid) => preparing.has(uid),
            );
        const ahead = lease && launchers.get(lease.uid);
        if (lease) launchers.delete(lease.uid);
        const h: RunHandle = startRun(ctx, run, lease, ahead, (watch) =>
          sampler.track(run, watch, run.settings, (why, now) => h.stop('limit', why, now)),
        );
        launch(h, lease);
      }
      if (claimed.length === n && n > 0) again = true;
    } while (again);
  };

  function tick(): void {
    if (claiming) {
      again = true;
      return;
    }
    claiming = true;
    claim()
      .catch((err) => log.error({ err, runner_id: ctx.runnerId }, 'claiming runs failed'))
      .finally(() => (claiming = false));
  }

  // Heartbeat plus upkeep: lost runs of dead runners, leftovers to kill, cancels whose NOTIFY was missed.
  let maintaining = false;
  const maintain = async () => {
    if (maintaining) return; // a query may hang while the database is away; never pile up
    maintaining = true;
    try {
      if (!(await heartbeat(db, ctx.runnerId))) {
        log.warn({ runner_id: ctx.runnerId }, 'another runner declared this one dead; stopping its runs');
        stopAll('lost');
      }
      lastBeat = Date.now();
      await ctx.isolation.recheck();
      await removeExpiredWorkdirs(cfg.runWorkDir);
      await recoverLostRuns(ctx);
      for (const id of await cancelRequested(db, [...active.keys()])) active.get(id)?.stop('canceled');
      tick();
    } catch (err) {
      log.error({ err, runner_id: ctx.runnerId }, 'runner upkeep failed');
    } finally {
      maintaining = false;
    }
  };
  // Others count our runs as lost once our heartbeat is RUNNER_DEAD_S old; letting them run on could run
  // a task twice. Checked on its own timer, since a query to an unreachable database may hang.
  let outage = false;
  const watchdog = () => {
    if (Date.now() - lastBeat <= cfg.runnerDeadMs) {
      outage = false;
    } else if (!outage && active.size > 0) {
      outage = true;
      log.error({ runner_id: ctx.runnerId }, 'database unreachable for longer than RUNNER_DEAD_S; stopping runs');
      stopAll('lost');
    }
  };

  const retain = () => applyRetention(ctx).catch((err) => log.error({ err }, 'retention failed'));
  const retentionTimer = setInterval(() => void retain(), RETENTION_EVERY_MS);
  void retain();

  const unlistenWake = await listen(db, CHANNEL.wake, () => tick());
  const unlistenCancel = await listen(db, CHANNEL.cancel, (payload) => active.get(Number(payload))?.stop('canceled'));
  await maintain();
  const beatMs = Math.max(100, Math.min(5000, cfg.runnerDeadMs / 3));
  const beatTimer = setInterval(() => {
    watchdog();
    void maintain();
  }, beatMs);
  const pollTimer = setInterval(tick, cfg.runnerPollMs);
  // Uids for the slots, cleared before the first run needs one.
  if (leases && !ctx.isolation.refusal) await topUp(cfg.maxTaskWorkers);
  prepareIdle();
  tick();

  const shutdown = async () => {
    stopping = true;
    clearInterval(pollTimer);
    const deadline = Date.now() + cfg.shutdownGraceMs;
    while (active.size > 0 && Date.now() < deadline) await sleep(100);
    stopAll('shutdown');
    // A run that cannot be ended (or recorded) must not keep the runner from stopping: after the kill's
    // grace and a margin it is left to recovery, which counts it lost when this runner's heartbeat stops.
    const bound = Date.now() + cfg.killGraceMs + 15_000;
    while (active.size > 0 && Date.now() < bound) await sleep(50);
    if (active.size > 0) log.error({ runs: [...active.keys()] }, 'runs did not end in time; stopping without them');
    await sampler.stop();
    await Promise.all([...launchers.values()].map((p) => p.discard()));
    launchers.clear();
    await leases?.releaseIdle();
    clearInterval(beatTimer);
    clearInterval(retentionTimer);
    await Promise.allSettled([unlistenWake(), unlistenCancel()]);
    await stopRunner(db, ctx.runnerId).catch((err: Error) =>
      log.warn({ err }, 'could not mark the runner stopped; others will see its heartbeat end'),
    );
  };
  return { active, tick, shutdown };
}

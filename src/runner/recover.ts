import fs from 'node:fs';
import { markRunnersStopped, runnersOnHost } from '../queries/runners';
import { forgetOtherBoots, markLostRuns, markReaped, runsToReap, setLogBytes } from '../runs/recover';
import { logPath } from '../logs';
import type { RunnerContext } from './context';
import { terminateGroup } from './terminate';

// A runner on this host whose process is gone is dead now; no need to wait for its heartbeat to age.
function isRunnerProcess(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('runner');
  } catch {
    return false;
  }
}

/** Marks the runs of dead runners lost, and kills what is left of lost runs' process groups on this host. */
export async function recoverLostRuns(ctx: RunnerContext): Promise<void> {
  const { db, host, bootId } = ctx;
  const local = await runnersOnHost(db, host, bootId);
  const gone = local.filter((r) => r.id !== ctx.runnerId && r.pid !== process.pid && !isRunnerProcess(r.pid));
  await markRunnersStopped(
    db,
    gone.map((r) => r.id),
  );
  for (const lost of await markLostRuns(db, ctx.cfg.runnerDeadMs)) {
    ctx.log.warn({ run_id: lost.id, task_id: lost.taskId }, 'run lost: its runner stopped heartbeating');
    // Nothing writes the log any more (its output went through the dead runner): its size is final.
    const size = await fs.promises.stat(logPath(ctx.cfg.logsDir, lost.taskId, lost.id)).then(
      (s) => s.size,
      () => 0,
    );
    await setLogBytes(db, lost.id, size);
  }
  await forgetOtherBoots(db, host, bootId);
  for (const r of await runsToReap(db, host, bootId)) {
    await terminateGroup(r.pid, ctx.cfg.killGraceMs);
    // What left the group ran as the run's uid: taken by lease, its processes and files go now. A uid
    // another runner holds was cleared by it when it took the lease, and may be another run's by now.
    if (r.runUid !== null) await ctx.isolation.leases?.reclaim(r.runUid);
    await markReaped(db, r.id);
    ctx.log.info({ run_id: r.id, pgid: r.pid }, 'killed what was left of a lost run');
  }
}

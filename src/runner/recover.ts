import fs from 'node:fs';
import { markRunnersStopped, runnersOnHost } from '../queries/runners';
import { forgetOtherBoots, markLostRuns, markReaped, runsToReap } from '../queries/runs-recover';
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
  await markRunnersStopped(db, gone.map((r) => r.id));
  for (const lost of await markLostRuns(db, ctx.cfg.runnerDeadMs)) {
    ctx.log.warn({ run_id: lost.id, task_id: lost.taskId }, 'run lost: its runner stopped heartbeating');
  }
  await forgetOtherBoots(db, host, bootId);
  for (const r of await runsToReap(db, host, bootId)) {
    await terminateGroup(r.pid, ctx.cfg.killGraceMs);
    await markReaped(db, r.id);
    ctx.log.info({ run_id: r.id, pgid: r.pid }, 'killed what was left of a lost run');
  }
}

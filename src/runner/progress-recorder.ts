import { notifyRunChange } from '../db/notify';
import { setRunProgress } from '../runs/progress';
import type { Run } from '../db/schema';
import { etaSeconds } from '../runs/progress';
import type { RunnerContext } from './context';
import type { Progress } from './progress-line';

/** How often at most a run's progress is written and announced; the latest report always is, in the end. */
export const PROGRESS_EVERY_MS = 500;

export type ProgressRecorder = {
  /** Takes a report; it is stored at once or, within PROGRESS_EVERY_MS of the last write, when that has passed. */
  report: (p: Progress) => void;
  /** Stores the last report not yet stored; for the end of the run. */
  flush: () => Promise<void>;
};

/**
 * Stores a run's latest progress (runs.progress_*) and announces it, so pages update live. A task may
 * print thousands of reports a second: only the latest counts, and writes are throttled.
 */
export function createProgressRecorder(
  ctx: Pick<RunnerContext, 'db' | 'log' | 'notify'>,
  run: Pick<Run, 'id' | 'taskId' | 'startedAt'>,
): ProgressRecorder {
  let latest: (Progress & { at: Date }) | undefined;
  let lastWrite = 0;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> | undefined;
  let flushed = false;

  const write = async (): Promise<void> => {
    const p = latest;
    if (!p) return;
    latest = undefined;
    lastWrite = Date.now();
    try {
      await setRunProgress(ctx.db, run.id, p.percent, p.message, p.at);
      notifyRunChange(ctx.notify, {
        id: run.id,
        status: 'running',
        task_id: run.taskId,
        progress_pct: p.percent,
        progress_msg: p.message,
        progress_eta_s: run.startedAt ? etaSeconds(p.percent, run.startedAt, p.at) : null,
      });
    } catch (err) {
      ctx.log.warn({ err, run_id: run.id }, "storing a run's progress failed");
    }
  };

  // One write at a time, in order; a report arriving meanwhile waits for the next turn.
  const schedule = () => {
    if (timer || writing || flushed) return;
    const wait = lastWrite + PROGRESS_EVERY_MS - Date.now();
    if (wait > 0) {
      timer = setTimeout(() => {
        timer = undefined;
        schedule();
      }, wait);
      return;
    }
    writing = write().finally(() => {
      writing = undefined;
      if (latest) schedule();
    });
  };

  return {
    report: (p) => {
      latest = { ...p, at: new Date() };
      schedule();
    },
    flush: async () => {
      flushed = true;
      clearTimeout(timer);
      timer = undefined;
      await writing;
      await write();
    },
  };
}

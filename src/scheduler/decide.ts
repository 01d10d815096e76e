import type { FireOutcome } from '../db/schema';
import type { Logger } from '../log';
import type { EnqueueInput } from '../runs/enqueue';
import { fireRun, recordFire } from '../queries/schedule-fires';
import type { ActiveSchedule } from '../queries/schedules';
import { AppError } from '../services/app-error';
import type { Deps } from '../services/deps';
import { prepareRun } from '../services/tasks-service';
import { dueFires } from './due-fires';

/** What a scheduler needs: the services' deps (to check parameters and queue runs) and a logger. */
export type SchedulerContext = Deps & { log: Logger };

/** A fire time this scheduler decided (one another scheduler decided first is not listed). */
export type Decision = { scheduleId: number; fireAt: Date; outcome: FireOutcome; runId: number | null; detail: string | null };

/**
 * Decides a schedule's due fire times up to `now`. Returns what this scheduler decided and the latest
 * fire time now known to be decided (by anyone).
 */
export async function decideSchedule(
  ctx: SchedulerContext,
  s: ActiveSchedule,
  now: Date,
): Promise<{ decided: Decision[]; reached: Date | null }> {
  const due = dueFires(s, s.lastDecided, now);
  const decided: Decision[] = [];
  const add = (d: Decision | null) => d && decided.push(d);
  if (due.missed) {
    const { at, count, more } = due.missed;
    const n = `${more ? 'more than ' : ''}${count} ${count === 1 && !more ? 'fire time' : 'fire times'}`;
    // One run catches up; when an on-time fire follows right away, that run is the one.
    if (s.missedPolicy === 'catch_up' && due.onTime.length === 0) add(await fire(ctx, s, at, `catch-up of ${n} missed`));
    else add(await record(ctx, s, at, 'missed', s.missedPolicy === 'catch_up' ? `${n} missed; the next fire catches up` : `${n} missed`));
  }
  for (const at of due.onTime) add(await fire(ctx, s, at, null));
  const latest = due.onTime.at(-1) ?? due.missed?.at ?? null;
  return { decided, reached: latest ?? s.lastDecided };
}

async function record(
  ctx: SchedulerContext,
  s: ActiveSchedule,
  fireAt: Date,
  outcome: FireOutcome,
  detail: string,
): Promise<Decision | null> {
  if (!(await recordFire(ctx.db, { scheduleId: s.id, fireAt, outcome, detail }))) return null;
  ctx.log.debug({ schedule_id: s.id, fire_at: fireAt, outcome, detail }, 'schedule fire decided');
  return { scheduleId: s.id, fireAt, outcome, runId: null, detail };
}

// Queues a run for one fire time. The task's parameters are checked again now: the task or its
// declared parameters may have changed since the schedule was saved.
async function fire(ctx: SchedulerContext, s: ActiveSchedule, fireAt: Date, detail: string | null): Promise<Decision | null> {
  let input: EnqueueInput;
  try {
    input = await prepareRun(ctx, s.taskId, 'schedule', s.params);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return record(ctx, s, fireAt, 'error', detail ? `${detail}; ${err.message}` : err.message);
  }
  const result = await fireRun(ctx.db, { scheduleId: s.id, fireAt, detail, actor: `schedule:${s.id}` }, input);
  if (!result) return null;
  ctx.log.debug({ schedule_id: s.id, fire_at: fireAt, outcome: result.outcome, run_id: result.runId }, 'schedule fire decided');
  return { scheduleId: s.id, fireAt, ...result };
}

import type { Cron } from 'croner';
import { CHANNEL, listen } from '../db/notify';
import { pruneFires } from '../queries/schedule-fires';
import { activeSchedules } from '../queries/schedules';
import { cronOf } from './cron';
import { decideSchedule, type Decision, type SchedulerContext } from './decide';

export type { SchedulerContext } from './decide';

/** What one tick did: the fire times it decided, and per schedule the latest fire time known decided. */
export type TickResult = { decided: Decision[]; reached: Map<number, Date | null>; failed: number[] };

/**
 * Decides every due fire time of the enabled schedules (or of those of `ids`) up to `now`. Each fire
 * time gets one record whichever scheduler gets there first (see fireRun). `now` is a parameter so
 * tests can drive the clock.
 */
export async function tick(ctx: SchedulerContext, now: Date, ids?: number[]): Promise<TickResult> {
  const result: TickResult = { decided: [], reached: new Map(), failed: [] };
  for (const s of await activeSchedules(ctx.db, ids)) {
    try {
      const { decided, reached } = await decideSchedule(ctx, s, now);
      result.decided.push(...decided);
      result.reached.set(s.id, reached);
    } catch (err) {
      result.failed.push(s.id);
      ctx.log.error({ err, schedule_id: s.id, task_id: s.taskId }, 'deciding fire times of a schedule failed');
    }
  }
  return result;
}

const MAX_SLEEP_MS = 1000;
const RELOAD_EVERY_MS = 30_000;
const PRUNE_EVERY_MS = 15 * 60 * 1000;

// A schedule as the loop keeps it: fire times up to `cursor` are decided; `next` is the one after.
type Known = { id: number; cron: Cron; cursor: Date; next: Date | null };

export type Scheduler = { stop: () => Promise<void> };

/**
 * The scheduler loop of a runner process. It keeps the enabled schedules in memory (reloaded when a
 * change is announced on taskrun_schedules, and every 30 s anyway) with how far each is decided, and
 * sleeps until the next fire time, at most 1 s, so a schedule firing every second keeps up. Only a
 * schedule with a fire time due costs a query.
 */
export async function startScheduler(ctx: SchedulerContext, clock: () => Date = () => new Date()): Promise<Scheduler> {
  let known: Known[] = [];
  let reloadAt = 0;
  let pruneAt = 0;
  let stopping = false;
  let wake: () => void = () => undefined;

  const reload = async (now: Date) => {
    const next: Known[] = [];
    for (const s of await activeSchedules(ctx.db)) {
      try {
        const cursor = s.lastDecided && s.lastDecided > s.activeSince ? s.lastDecided : s.activeSince;
        const cron = cronOf(s.cron, s.timezone);
        next.push({ id: s.id, cron, cursor, next: cron.nextRun(cursor) });
      } catch (err) {
        ctx.log.error({ err, schedule_id: s.id }, 'schedule has a cron expression or time zone croner refuses; skipped');
      }
    }
    known = next;
    reloadAt = now.getTime() + RELOAD_EVERY_MS;
  };

  const step = async (now: Date) => {
    if (now.getTime() >= reloadAt) await reload(now);
    const due = known.filter((k) => k.next !== null && k.next <= now);
    if (due.length > 0) {
      const result = await tick(
        ctx,
        now,
        due.map((k) => k.id),
      );
      for (const k of due) {
        const reached = result.reached.get(k.id);
        if (reached && reached > k.cursor) {
          k.cursor = reached;
          k.next = k.cron.nextRun(reached);
        }
      }
    }
    if (now.getTime() >= pruneAt && ctx.cfg.runRetentionDays > 0) {
      pruneAt = now.getTime() + PRUNE_EVERY_MS;
      await pruneFires(ctx.db, ctx.cfg.runRetentionDays);
    }
  };

  // How long until the next fire time (at most MAX_SLEEP_MS; a fire time still due waits the full
  // MAX_SLEEP_MS, so a failing one is retried once a second rather than in a busy loop).
  const sleepMs = (now: Date) => {
    let ms = MAX_SLEEP_MS;
    for (const k of known) if (k.next && k.next > now) ms = Math.min(ms, k.next.getTime() - now.getTime());
    return ms;
  };

  const unlisten = await listen(ctx.db, CHANNEL.schedules, () => {
    reloadAt = 0;
    wake();
  });

  const loop = (async () => {
    while (!stopping) {
      try {
        await step(clock());
      } catch (err) {
        ctx.log.error({ err }, 'scheduler step failed');
      }
      if (stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, sleepMs(clock()));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();

  return {
    stop: async () => {
      stopping = true;
      wake();
      await loop;
      await unlisten().catch(() => {
        // The connection is closing with the process: a LISTEN it cannot end ends with it.
      });
    },
  };
}

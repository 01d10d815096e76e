import { cronOf } from './cron';

/**
 * A fire time later than this after it is due counts as missed (everything was down, or the scheduler
 * was stalled): it follows the schedule's missed policy instead of running as if on time.
 */
export const MISSED_AFTER_MS = 60_000;
// Missed fire times are counted up to this many (a day of an every-second schedule is 86,400): past it
// the count says "more than".
export const MAX_MISSED_COUNT = 10_000;
// A stalled scheduler decides at most this many on-time fire times of one schedule in one tick.
const MAX_ON_TIME = 120;

/** What a scheduler needs of a schedule to know its fire times. */
export type Timing = { cron: string; timezone: string; activeSince: Date };

/** Fire times waiting for a decision: the latest missed one (with how many were missed) and those still on time. */
export type Due = {
  missed: { at: Date; count: number; more: boolean } | null;
  onTime: Date[];
};

/**
 * The fire times of a schedule after `lastDecided` (or after it became active, whichever is later)
 * up to `now`. Those older than MISSED_AFTER_MS are collapsed into one: the latest, with their count.
 */
export function dueFires(s: Timing, lastDecided: Date | null, now: Date, missedAfterMs = MISSED_AFTER_MS): Due {
  const cron = cronOf(s.cron, s.timezone);
  const from = lastDecided && lastDecided > s.activeSince ? lastDecided : s.activeSince;
  const cutoff = new Date(now.getTime() - missedAfterMs);
  let missed: Due['missed'] = null;
  const latestMissed = from < cutoff ? cron.previousRuns(1, cutoff)[0] : undefined;
  if (latestMissed && latestMissed > from) {
    let count = 0;
    for (const t of cron.enumerate(from)) {
      if (t >= cutoff || count > MAX_MISSED_COUNT) break;
      count++;
    }
    missed = { at: latestMissed, count: Math.min(count, MAX_MISSED_COUNT), more: count > MAX_MISSED_COUNT };
  }
  const onTime: Date[] = [];
  for (const t of cron.enumerate(missed?.at ?? from)) {
    if (t > now || onTime.length === MAX_ON_TIME) break;
    onTime.push(t);
  }
  return { missed, onTime };
}

import { Cron } from 'croner';

// Cron expressions and time zones of schedules, read by croner: 5 fields (minute precision) or 6
// (a leading seconds field), nicknames such as @daily, and an IANA time zone per schedule.

const MAX_CRON_CHARS = 200;
const ZONE_RE = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

/** Every IANA zone name this Node.js knows, plus UTC (which Intl accepts but does not list): for the form's suggestions. */
export const TIME_ZONES: readonly string[] = ['UTC', ...Intl.supportedValuesOf('timeZone')];
const ZONE_BY_LOWER = new Map(TIME_ZONES.map((z) => [z.toLowerCase(), z]));

/**
 * A time zone name as stored: its usual spelling when Intl lists it in another case ("europe/berlin"),
 * else as given when Intl accepts it (aliases such as Etc/UTC or Europe/Kyiv); undefined when unknown.
 */
export function canonicalZone(name: string): string | undefined {
  if (!ZONE_RE.test(name)) return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
  } catch {
    return undefined;
  }
  return ZONE_BY_LOWER.get(name.toLowerCase()) ?? name;
}

/** A parsed schedule pattern, never started as a timer: only asked for fire times. */
export function cronOf(cron: string, timezone: string): Cron {
  return new Cron(cron, { paused: true, timezone, mode: '5-or-6-parts' });
}

/** What is wrong with a cron expression (in the given zone), or undefined when it is usable. */
export function cronProblem(cron: string, timezone = 'UTC'): string | undefined {
  const text = cron.trim();
  if (text === '') return 'must be a cron expression such as "0 3 * * *" (5 fields, or 6 with seconds first)';
  if (text.length > MAX_CRON_CHARS) return `must be at most ${MAX_CRON_CHARS} characters`;
  const fields = text.split(/\s+/).length;
  if (!text.startsWith('@') && fields !== 5 && fields !== 6) {
    return `must have 5 fields (minute hour day month weekday) or 6 (seconds first); it has ${fields}`;
  }
  try {
    // A pattern can match no date at all ("0 0 30 2 *").
    if (cronOf(text, timezone).nextRun() === null) return 'never fires';
    return undefined;
  } catch (err) {
    const message = (err as Error).message.replace(/^Cron(Pattern|Date)?:\s*/, '');
    return message.charAt(0).toLowerCase() + message.slice(1);
  }
}

/** The next `n` fire times strictly after `from`. */
export function nextFires(cron: string, timezone: string, from: Date, n = 5): Date[] {
  return cronOf(cron, timezone).nextRuns(n, from);
}

/** What a rate limiter answers: go ahead, or wait this long. */
export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

export type RateWindow = { take: (key: string) => RateDecision };

/**
 * At most `limit` hits per key in any sliding window of `windowMs`, counted in this process (a sliding
 * log: the times of the hits let in). Refused hits are not counted, so a caller that waits for
 * Retry-After gets in.
 */
export function createRateWindow(limit: number, windowMs = 60_000, now: () => number = Date.now): RateWindow {
  const hits = new Map<string, number[]>();
  return {
    take(key) {
      const t = now();
      const log = hits.get(key) ?? [];
      while (log.length > 0 && log[0]! <= t - windowMs) log.shift();
      if (log.length >= limit) return { ok: false, retryAfterMs: log[0]! + windowMs - t };
      log.push(t);
      hits.set(key, log);
      return { ok: true };
    },
  };
}

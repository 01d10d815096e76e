import { describe, expect, it } from 'vitest';
import { MAX_BACKOFF_MS, retryDelayMs } from './backoff';

describe('retryDelayMs', () => {
  it('doubles from the back-off after each attempt, up to an hour', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(10_000, a))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(retryDelayMs(10_000, 12)).toBe(MAX_BACKOFF_MS);
    expect(retryDelayMs(10_000, 100)).toBe(MAX_BACKOFF_MS);
    expect(retryDelayMs(0, 3)).toBe(0);
  });
});

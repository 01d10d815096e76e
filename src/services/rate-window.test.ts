import { describe, expect, it } from 'vitest';
import { createRateWindow } from './rate-window';

describe('createRateWindow', () => {
  it('lets `limit` hits in per window and names the wait for the next one', () => {
    let t = 1_000;
    const rate = createRateWindow(2, 60_000, () => t);
    expect(rate.take('a')).toEqual({ ok: true });
    t += 10_000;
    expect(rate.take('a')).toEqual({ ok: true });
    expect(rate.take('a')).toEqual({ ok: false, retryAfterMs: 50_000 });
    expect(rate.take('b')).toEqual({ ok: true });
    t += 50_000; // the first hit has left the window
    expect(rate.take('a')).toEqual({ ok: true });
    expect(rate.take('a')).toEqual({ ok: false, retryAfterMs: 10_000 });
  });
});

import { describe, expect, it } from 'vitest';
import { attemptKeys, delayS, waitS } from './signin-throttle';

describe('sign-in slow-down', () => {
  it('lets the free failures through, then doubles the wait from 15 s up to 15 minutes', () => {
    expect([0, 4].map((f) => delayS(f, 5))).toEqual([0, 0]);
    expect([5, 6, 7, 10, 11, 40].map((f) => delayS(f, 5))).toEqual([15, 30, 60, 480, 900, 900]);
  });

  it('counts the wait from the last failure, and only the pair’s from an address the user signed in from', () => {
    const keys = attemptKeys('Alice', '10.0.0.1');
    expect(keys).toMatchObject({ pair: 'pair:10.0.0.1 alice', user: 'user:alice', ip: 'ip:10.0.0.1' });
    const counts = [
      { key: keys.pair, failures: 5, sinceS: 10 },
      { key: keys.user, failures: 31, sinceS: 2 },
      { key: keys.ip, failures: 0, sinceS: 0 },
    ];
    expect(waitS(counts, keys, false)).toBe(28);
    expect(waitS(counts, keys, true)).toBe(5);
    expect(waitS([{ key: keys.pair, failures: 5, sinceS: 15 }], keys, false)).toBe(0);
    expect(waitS([{ key: keys.pair, failures: 0, sinceS: -0.2 }], keys, false)).toBe(0); // no failures: no wait, whatever the clocks say
  });

  it('gives names longer than any user’s one key, and a request without an address the key `unknown`', () => {
    expect(attemptKeys('a'.repeat(5000), null).pair).toBe(`pair:unknown ${'a'.repeat(64)}`);
  });
});

import { describe, expect, it } from 'vitest';
import { etaSeconds, progressJson } from './progress';

const start = new Date('2026-01-01T00:00:00.000Z');
const secondsIn = (s: number) => new Date(start.getTime() + s * 1000);

describe('etaSeconds', () => {
  it('is elapsed × (100 − p) / p: 40% after 20 s leaves 30 s', () => {
    expect(etaSeconds(40, start, secondsIn(20))).toBe(30);
    expect(etaSeconds(100, start, secondsIn(20))).toBe(0);
  });

  it('is unknown at 0%', () => {
    expect(etaSeconds(0, start, secondsIn(20))).toBeNull();
  });
});

describe('progressJson', () => {
  const row = { status: 'running' as const, startedAt: start, progressPct: 25, progressMsg: 'rows', progressAt: secondsIn(10) };

  it('shapes the latest report with the time left while the run is running', () => {
    expect(progressJson(row)).toEqual({ percent: 25, message: 'rows', at: '2026-01-01T00:00:10.000Z', eta_s: 30 });
  });

  it('is null before any report, and has no time left once the run ended', () => {
    expect(progressJson({ ...row, progressPct: null, progressAt: null })).toBeNull();
    expect(progressJson({ ...row, status: 'success' })?.eta_s).toBeNull();
  });
});

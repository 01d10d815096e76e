import { describe, expect, it } from 'vitest';
import { parseProgressLine } from './progress-line';

describe('parseProgressLine', () => {
  it('reads a percent, with decimals or a % sign, and an optional message', () => {
    expect(parseProgressLine('::progress 40')).toEqual({ percent: 40, message: null });
    expect(parseProgressLine('::progress 12.5 Loading rows')).toEqual({ percent: 12.5, message: 'Loading rows' });
    expect(parseProgressLine('::progress\t100%\tdone  ')).toEqual({ percent: 100, message: 'done' });
    expect(parseProgressLine('::progress 0')).toEqual({ percent: 0, message: null });
  });

  it('turns colour codes and control characters out of the message and cuts it at 200 characters', () => {
    expect(parseProgressLine('::progress 5 \x1b[32mgreen\x1b[0m\tand\x07bell')).toEqual({ percent: 5, message: 'green and bell' });
    expect(parseProgressLine(`::progress 5 ${'é'.repeat(250)}`)?.message).toBe('é'.repeat(200));
  });

  it('refuses what is not a well-formed progress line', () => {
    for (const line of [
      '::progress',
      '::progress ',
      '::progress abc',
      '::progress 101',
      '::progress -5',
      '::progress 1e2',
      '::progressive 40',
      ' ::progress 40',
      '::progress 40.',
      '::progress 40x',
      '::progress 1000',
    ]) {
      expect(parseProgressLine(line), line).toBeUndefined();
    }
  });
});

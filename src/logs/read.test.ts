import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLogPiece, tailStart } from './read';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskrun-log-read-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const logOf = (text: string) => {
  const file = path.join(dir, `${++n}.log`);
  fs.writeFileSync(file, text);
  return file;
};

describe('tailStart', () => {
  it('starts a view of the last bytes at the first line start among them', async () => {
    const text = 'first line\nsecond\nthird line\n';
    const file = logOf(text);
    expect(await tailStart(file, text.length, 100)).toBe(0);
    expect(await tailStart(file, text.length, 15)).toBe(text.indexOf('third'));
    // A cut right at a line start keeps that line.
    expect(await tailStart(file, text.length, text.length - text.indexOf('second'))).toBe(text.indexOf('second'));
  });

  it('starts inside a line longer than it looks through at a character start, never inside a character', async () => {
    const text = `${'é'.repeat(100_000)}\n`; // two bytes each: characters start at even offsets
    const file = logOf(text);
    const size = Buffer.byteLength(text);
    for (const max of [150_000, 150_001]) {
      const start = await tailStart(file, size, max);
      expect([size - max, size - max + 1]).toContain(start);
      expect(fs.readFileSync(file).subarray(start).toString()).toBe(`${'é'.repeat((size - start - 1) / 2)}\n`);
    }
  });

  it('answers 0 for a log that is not there', async () => {
    expect(await tailStart(path.join(dir, 'missing.log'), 1000, 10)).toBe(0);
  });
});

describe('readLogPiece', () => {
  it('ends a piece at its last line break, or at a character boundary when a line is longer', async () => {
    const file = logOf('one\ntwo\nthr');
    expect((await readLogPiece(file, 0, 10)).toString()).toBe('one\ntwo\n');
    expect((await readLogPiece(file, 8, 10)).toString()).toBe('');
    expect((await readLogPiece(file, 8, 10, true)).toString()).toBe('thr');
    const wide = logOf('ééé');
    expect((await readLogPiece(wide, 0, 5)).toString()).toBe('éé');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PROGRESS_LINE_BYTES, ProgressFilter } from './progress-filter';
import type { Progress } from './progress-line';

async function filtered(chunks: (string | Buffer)[]): Promise<{ log: string; reports: Progress[] }> {
  const reports: Progress[] = [];
  const out: Buffer[] = [];
  const filter = new ProgressFilter((p) => reports.push(p));
  for (const c of chunks) out.push(filter.push(Buffer.from(c)) ?? Buffer.alloc(0));
  out.push(filter.end() ?? Buffer.alloc(0));
  return { log: Buffer.concat(out).toString('utf8'), reports };
}

describe('ProgressFilter', () => {
  it('takes well-formed progress lines out of the log and reports them in order', async () => {
    const r = await filtered(['start\n::progress 10\nwork\n::progress 50 Loading rows\n::progress 100 done\nend\n']);
    expect(r.log).toBe('start\nwork\nend\n');
    expect(r.reports).toEqual([
      { percent: 10, message: null },
      { percent: 50, message: 'Loading rows' },
      { percent: 100, message: 'done' },
    ]);
  });

  it('keeps malformed progress lines and the tag anywhere but at a line start', async () => {
    const text = '::progress lots\n::progress 140\nsay ::progress 40\n  ::progress 40\n::progressive 3\n';
    const r = await filtered([text]);
    expect(r.log).toBe(text);
    expect(r.reports).toEqual([]);
  });

  it('handles lines ended by \\r\\n or \\r, and a last line with no line break', async () => {
    const r = await filtered(['a\r\n::progress 20 x\r\n::progress 30\r::progress 40\rb\n::progress 90 last']);
    expect(r.log).toBe('a\r\nb\n');
    expect(r.reports.map((p) => p.percent)).toEqual([20, 30, 40, 90]);
  });

  it('joins a progress line split at every byte, including a \\r\\n split between chunks', async () => {
    const text = 'x\n::progress 33 third\r\ny\n';
    const r = await filtered([...Buffer.from(text)].map((b) => Buffer.from([b])));
    expect(r.log).toBe('x\ny\n');
    expect(r.reports).toEqual([{ percent: 33, message: 'third' }]);
  });

  it('lets a too long line starting with the tag through without waiting for its end', async () => {
    const long = `::progress 5 ${'z'.repeat(MAX_PROGRESS_LINE_BYTES)}`;
    const r = await filtered([long, 'more\n']);
    expect(r.log).toBe(`${long}more\n`);
    expect(r.reports).toEqual([]);
  });

  it('gives the same log and reports for any chunking', () => {
    const line = fc.oneof(
      fc.constantFrom('::progress 40', '::progress 7.5 rows', '::progress 101', '::progress', '::prog', 'plain', '', 'a ::progress 1'),
      fc.string({ unit: fc.constantFrom('a', ':', 'p', ' ', '4', 'é'), maxLength: 12 }),
    );
    const text = fc
      .array(fc.tuple(line, fc.constantFrom('\n', '\r\n', '\r')), { maxLength: 20 })
      .map((ls) => ls.map(([l, e]) => l + e).join(''));
    return fc.assert(
      fc.asyncProperty(text, fc.array(fc.nat(), { maxLength: 20 }), async (t, points) => {
        const whole = Buffer.from(t);
        const cuts = [...new Set(points.map((p) => p % (whole.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...cuts].map((from, i, all) => whole.subarray(from, all[i + 1] ?? whole.length)).filter((c) => c.length > 0);
        expect(await filtered(chunks)).toEqual(await filtered([whole]));
      }),
      { numRuns: 300 },
    );
  });
});

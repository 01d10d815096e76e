import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamLedger } from '../bench/lib/sse';
import { logEvent } from '../src/logs/sse';

// The bench's check that live viewers lose no byte unannounced, against the web's own encoder of log
// events; the others are one `data:` line each, as Hono's writeSSE makes them.
const textEvent = (event: string, data: string, id?: string) =>
  Buffer.from(`event: ${event}\ndata: ${data}\n${id === undefined ? '' : `id: ${id}\n`}\n`);

function streamOf(pieces: string[], skipAfter: number): { bytes: Buffer; total: number } {
  const events: Buffer[] = [textEvent('status', '{"status":"running"}')];
  let offset = 0;
  pieces.forEach((p, i) => {
    const piece = Buffer.from(p);
    offset += piece.length;
    events.push(logEvent(piece, offset));
    if (i === skipAfter) {
      events.push(textEvent('skipped', JSON.stringify({ from: offset, to: offset + 1000, bytes: 1000 }), String(offset + 1000)));
      offset += 1000;
    }
  });
  events.push(textEvent('end', '{"status":"success"}'));
  return { bytes: Buffer.concat(events), total: offset };
}

function feed(bytes: Buffer, cuts: number[], onLog?: (ev: Buffer) => void): StreamLedger {
  const ledger = new StreamLedger(onLog);
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...at, bytes.length]) {
    ledger.push(bytes.subarray(from, to));
    from = to;
  }
  return ledger;
}

const line = fc.string({ unit: fc.constantFrom('a', ' ', 'é', '→', ':', 'd'), maxLength: 20 });
const piece = fc.array(line, { minLength: 1, maxLength: 5 }).map((ls) => `${ls.join('\n')}\n`);

describe("the bench viewers' stream ledger", () => {
  it('accounts for every byte of a stream, whatever its chunking', () => {
    fc.assert(
      fc.property(
        fc.array(piece, { minLength: 1, maxLength: 8 }),
        fc.nat(10),
        fc.array(fc.nat(), { maxLength: 12 }),
        (pieces, skipAfter, cuts) => {
          const { bytes, total } = streamOf(pieces, skipAfter);
          const seen: string[] = [];
          const l = feed(bytes, cuts, (ev) => seen.push(ev.toString()));
          // Each log event whole, once, in order (the viewers look for stamped lines in them).
          expect(seen).toHaveLength(pieces.length);
          for (const ev of seen) expect(ev).toMatch(/^event: log\ndata: [\s\S]*\nid: \d+\n$/);
          expect(l.error).toBeUndefined();
          expect(l.ended).toBe(true);
          expect(l.offset).toBe(total);
          expect(l.logBytes + l.skipped).toBe(total);
        },
      ),
    );
  });

  it('catches a byte missing from a log event, and a skip that does not start where the stream was', () => {
    const short = Buffer.concat([logEvent(Buffer.from('one\n'), 4), logEvent(Buffer.from('tw\n'), 8)]);
    expect(feed(short, []).error).toMatch(/id 8 carries 3 bytes after offset 4/);
    const gap = Buffer.concat([logEvent(Buffer.from('one\n'), 4), textEvent('skipped', '{"from":10,"to":20,"bytes":10}', '20')]);
    expect(feed(gap, []).error).toMatch(/skipped event .* after offset 4/);
  });
});

import type { OutputStage } from '../logs';
import { parseProgressLine, type Progress } from './progress-line';

const TAG = Buffer.from('::progress');
const LF = 0x0a;
const CR = 0x0d;
// A longer line starting with the tag is ordinary output: it stays in the log, and nothing waits for its end.
export const MAX_PROGRESS_LINE_BYTES = 1024;

const isEol = (b: number | undefined) => b === LF || b === CR;

function lineEnd(data: Buffer, from: number): number {
  const lf = data.indexOf(LF, from);
  const cr = data.indexOf(CR, from);
  return lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
}

/**
 * Takes `::progress` lines out of a task's output on its way to the log, handing each well-formed one
 * to `onProgress`; malformed ones pass through as they are. The scan is one native search for the tag
 * per chunk. A line may straddle chunks: the bytes from a line start that may still become a progress
 * line (at most MAX_PROGRESS_LINE_BYTES) wait for the next chunk. A line ends at `\n`, `\r` or `\r\n`.
 */
export class ProgressFilter implements OutputStage {
  // Held bytes: they start a line and may be the beginning of a progress line.
  private carry: Buffer | undefined;
  // The next byte starts a line.
  private lineStart = true;
  // A removed progress line ended with `\r` at a chunk's end: a `\n` right after is part of its line break.
  private dropLf = false;

  constructor(private readonly onProgress: (p: Progress) => void) {}

  push(chunk: Buffer): Buffer | undefined {
    let data = chunk;
    if (this.dropLf) {
      this.dropLf = false;
      if (data[0] === LF) data = data.subarray(1);
    }
    if (this.carry) data = Buffer.concat([this.carry, data]);
    this.carry = undefined;
    if (data.length === 0) return undefined;
    const kept = this.scan(data);
    return kept.length > 0 ? kept : undefined;
  }

  end(): Buffer | undefined {
    const rest = this.carry;
    this.carry = undefined;
    // The output has ended, so a held line is complete even without its line break.
    const p = rest && rest.length <= MAX_PROGRESS_LINE_BYTES ? parseProgressLine(rest.toString('utf8')) : undefined;
    if (p) this.onProgress(p);
    return rest && !p ? rest : undefined;
  }

  // What of `data` goes to the log now; sets `carry` to what waits.
  private scan(data: Buffer): Buffer {
    const startsLine = this.lineStart;
    const kept: Buffer[] = [];
    let emitFrom = 0;
    let from = 0;
    for (;;) {
      const i = data.indexOf(TAG, from);
      if (i < 0) break;
      from = i + 1;
      if (!(i === 0 ? startsLine : isEol(data[i - 1]))) continue;
      const end = lineEnd(data, i + TAG.length);
      if (end < 0) {
        if (data.length - i > MAX_PROGRESS_LINE_BYTES) continue;
        this.carry = data.subarray(i);
        break;
      }
      if (end - i > MAX_PROGRESS_LINE_BYTES) continue;
      const p = parseProgressLine(data.toString('utf8', i, end));
      if (!p) continue;
      this.onProgress(p);
      kept.push(data.subarray(emitFrom, i));
      emitFrom = end + 1;
      if (data[end] === CR) {
        if (emitFrom === data.length) this.dropLf = true;
        else if (data[emitFrom] === LF) emitFrom++;
      }
      from = emitFrom;
    }
    if (this.carry) {
      kept.push(data.subarray(emitFrom, data.length - this.carry.length));
    } else {
      const tail = this.partialTagAt(data, Math.max(emitFrom, data.length - TAG.length + 1), startsLine);
      if (tail >= 0) this.carry = data.subarray(tail);
      kept.push(data.subarray(emitFrom, tail >= 0 ? tail : data.length));
    }
    // Copied so a held piece does not pin the whole chunk it came from.
    if (this.carry) this.carry = Buffer.from(this.carry);
    this.lineStart = this.carry !== undefined || this.dropLf || isEol(data[data.length - 1]);
    return kept.length === 1 ? kept[0]! : Buffer.concat(kept);
  }

  // Where the end of `data` (from `start` on) begins a line with an incomplete tag, or -1.
  private partialTagAt(data: Buffer, start: number, startsLine: boolean): number {
    for (let j = Math.max(0, start); j < data.length; j++) {
      if (!(j === 0 ? startsLine : isEol(data[j - 1]))) continue;
      if (data.subarray(j).equals(TAG.subarray(0, data.length - j))) return j;
    }
    return -1;
  }
}

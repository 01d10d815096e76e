import type { OutputStage } from '../logs';

/** What a secret value becomes in a log. */
export const MASK = '***';
/**
 * Values shorter than this (not counting surrounding white space) are not masked: masking every "a"
 * or "42" would garble the log while hiding nothing worth hiding.
 */
export const MIN_SECRET_CHARS = 3;

const MASK_BYTES = Buffer.from(MASK);

const longEnough = (s: string) => [...s.trim()].length >= MIN_SECRET_CHARS;

/**
 * The byte strings to mask for some secret values: each value, and each line of a multi-line value on
 * its own (a key file's lines may be printed one by one, or with other line breaks).
 */
export function maskPatterns(values: Iterable<string>): Buffer[] {
  const found = new Set<string>();
  for (const value of values) {
    if (longEnough(value)) found.add(value).add(value.trim());
    if (!/[\r\n]/.test(value)) continue;
    for (const line of value.split(/\r\n|\r|\n/)) if (longEnough(line)) found.add(line.trim());
  }
  return [...found].map((s) => Buffer.from(s, 'utf8'));
}

/**
 * Masks the occurrences in `data` that start before `limit`: leftmost first, the longest on a tie,
 * scanning on after each. Returns the output and where the unexamined rest of `data` begins.
 */
function maskBefore(data: Buffer, patterns: Buffer[], limit: number): { out: Buffer; rest: number } {
  const next = patterns.map((p) => data.indexOf(p));
  const pieces: Buffer[] = [];
  let pos = 0;
  for (;;) {
    let best = -1;
    let bestLen = 0;
    for (let k = 0; k < patterns.length; k++) {
      // An occurrence overlapping a masked one is looked for again after it.
      if (next[k]! >= 0 && next[k]! < pos) next[k] = data.indexOf(patterns[k]!, pos);
      const at = next[k]!;
      if (at >= 0 && (best < 0 || at < best || (at === best && patterns[k]!.length > bestLen))) {
        best = at;
        bestLen = patterns[k]!.length;
      }
    }
    if (best < 0 || best >= limit) break;
    pieces.push(data.subarray(pos, best), MASK_BYTES);
    pos = best + bestLen;
  }
  const rest = Math.max(pos, limit);
  pieces.push(data.subarray(pos, rest));
  return { out: pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces), rest };
}

/** Masks every pattern in a whole text. */
export function maskText(text: string, patterns: Buffer[]): string {
  if (patterns.length === 0) return text;
  const data = Buffer.from(text, 'utf8');
  return maskBefore(data, patterns, data.length).out.toString('utf8');
}

/**
 * Masks secret values in a stream of chunks. A value may straddle chunks, so the last (longest pattern − 1)
 * bytes of each chunk wait for the next one; what waits is flushed at the end. The output is the same
 * whatever the chunking (a property test checks it against `maskText`).
 */
export class SecretMask implements OutputStage {
  private readonly hold: number;
  private carry: Buffer = Buffer.alloc(0);

  constructor(private readonly patterns: Buffer[]) {
    this.hold = Math.max(0, ...patterns.map((p) => p.length - 1));
  }

  push(chunk: Buffer): Buffer | undefined {
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const { out, rest } = maskBefore(data, this.patterns, Math.max(0, data.length - this.hold));
    this.carry = Buffer.from(data.subarray(rest));
    return out.length > 0 ? out : undefined;
  }

  end(): Buffer | undefined {
    const { out } = maskBefore(this.carry, this.patterns, this.carry.length);
    this.carry = Buffer.alloc(0);
    return out.length > 0 ? out : undefined;
  }
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskPatterns, maskText, SecretMask } from './secret-mask';

// Runs `chunks` through a fresh mask, as the runner's log pump does.
async function masked(secrets: string[], chunks: Buffer[]): Promise<string> {
  const mask = new SecretMask(maskPatterns(secrets));
  const out = chunks.map((c) => mask.push(c) ?? Buffer.alloc(0));
  out.push(mask.end() ?? Buffer.alloc(0));
  return Buffer.concat(out).toString('utf8');
}

// Splits a buffer at the given cut points (any numbers; reduced into range, sorted, deduplicated).
function cut(buf: Buffer, points: number[]): Buffer[] {
  const at = [...new Set(points.map((p) => (buf.length === 0 ? 0 : p % buf.length)))].filter((p) => p > 0).sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const p of at) {
    pieces.push(buf.subarray(from, p));
    from = p;
  }
  pieces.push(buf.subarray(from));
  return pieces.filter((p) => p.length > 0);
}

describe('maskPatterns', () => {
  it('keeps values of at least 3 characters, each line of a multi-line value, and nothing shorter', () => {
    const texts = maskPatterns(['ab', 'abc', '  x ', '-----BEGIN-----\nMIIEvQ\nxy\n', 'ééé']).map((b) => b.toString());
    expect(texts).toEqual(expect.arrayContaining(['abc', '-----BEGIN-----\nMIIEvQ\nxy\n', '-----BEGIN-----', 'MIIEvQ', 'ééé']));
    expect(texts).not.toContain('ab');
    expect(texts).not.toContain('xy');
    expect(texts.some((t) => t.trim() === 'x')).toBe(false);
  });
});

describe('maskText', () => {
  it('replaces every occurrence with ***, the longest of two secrets starting at the same place', () => {
    const p = maskPatterns(['hunter2', 'hunter22x']);
    expect(maskText('pw=hunter2 and hunter22x, hunter2hunter2', p)).toBe('pw=*** and ***, ******');
  });

  it('leaves text alone when there is nothing to mask', () => {
    expect(maskText('nothing here', [])).toBe('nothing here');
  });
});

describe('SecretMask', () => {
  it('masks a value split across chunks, byte by byte', async () => {
    const text = Buffer.from('token: s3cr3t-välue!\nagain s3cr3t-välue');
    const bytes = [...text].map((b) => Buffer.from([b]));
    expect(await masked(['s3cr3t-välue'], bytes)).toBe('token: ***!\nagain ***');
  });

  it('gives the same output for any chunking as masking the whole text, and no secret survives', () => {
    const unit = fc.constantFrom('a', 'b', 'c', 'é', '\n', ' ');
    const secret = fc.string({ unit, minLength: 1, maxLength: 8 });
    // Texts made of the secrets themselves and bits of noise, so that occurrences and overlaps are common.
    const input = fc.array(secret, { minLength: 1, maxLength: 4 }).chain((secrets) =>
      fc.tuple(
        fc.constant(secrets),
        fc
          .array(fc.oneof(fc.constantFrom(...secrets), fc.string({ unit, maxLength: 5 })), { maxLength: 40 })
          .map((parts) => parts.join('')),
      ),
    );
    return fc.assert(
      fc.asyncProperty(input, fc.array(fc.nat(), { maxLength: 30 }), async ([secrets, text], points) => {
        const whole = Buffer.from(text);
        const expected = maskText(text, maskPatterns(secrets));
        expect(await masked(secrets, cut(whole, points))).toBe(expected);
        for (const p of maskPatterns(secrets)) expect(expected.includes(p.toString())).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { browserPattern } from './browser-pattern';
import { compilePattern, newBudget, matchesPattern } from './param-pattern';

// What the browser's `pattern` attribute does with the translation: the whole value, the `v` flag.
const browserAccepts = (js: string, value: string) => new RegExp(`^(?:${js})$`, 'v').test(value);
const serverAccepts = (source: string, value: string) => {
  const p = compilePattern(source);
  if ('error' in p) throw new Error(p.error);
  return matchesPattern(p, value, newBudget()) === true;
};

// Values that tell the two syntaxes apart: Unicode spaces and line separators, a NUL-free mix of
// ASCII, accents and an astral character.
const SPECIAL = [
  ' ',
  '\u00a0',
  '\u2028',
  '\u2003',
  '\t',
  '\v',
  '\r',
  '@',
  '.',
  '-',
  ']',
  ':',
  'é',
  'É',
  '😀',
  '_',
  'a',
  'Z',
  '7',
  'x',
  '"',
  '\\',
];
const value = fc.array(fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ maxLength: 3 })), { maxLength: 8 }).map((parts) => parts.join(''));

describe('browserPattern', () => {
  it.each([
    ['[a-z]+', '[a-z]+'],
    ['[a-z]+-[0-9]', '[a-z]+-[0-9]'],
    ['\\S+@\\S+\\.\\S+', '[^\\t\\n\\f\\r ]+@[^\\t\\n\\f\\r ]+\\.[^\\t\\n\\f\\r ]+'],
    ['(\\w|\\d)+', '(?:\\w|\\d)+'],
    ['a.b', 'a[^\\n]b'],
    ['(?P<y>\\d{4})-\\d{2}', '(?:\\d{4})-\\d{2}'],
    ['[\\s,;]', '[\\t\\n\\f\\r \\,\\;]'],
    ['[^\\S]', '[^[^\\t\\n\\f\\r ]]'],
    ['\\pL+', '\\p{L}+'],
    ['a]}', 'a\\]\\}'],
  ])('%s → %s', (source, js) => {
    expect(browserPattern(source)).toBe(js);
  });

  it.each(['[[:alpha:]]+', '(?i)abc', '\\Qa.b\\E', '\\z', '\\Aab', '(?s:.)', '\\p{^L}', '[\\d-z]', '(?=a)a', '('])(
    'gives the browser nothing for %s (not translated, or not a pattern at all): the server decides alone',
    (source) => {
      expect(browserPattern(source)).toBeUndefined();
    },
  );

  it.each([
    '[a-z]+',
    '\\S+@\\S+\\.\\S+',
    '(\\w|\\d)+',
    'a.b',
    '.*',
    '\\s*x\\s*',
    '[\\s\\S]+',
    '[^\\s]+',
    '[^a-c\\]]*',
    '\\w+\\b.?',
    '[\\x20-\\x7e]+',
    '[-a]+',
    '[]a]+',
    '\\p{L}+',
    '\\PL*',
    '[\\p{Lu}\\d]+',
    'é+|😀',
    '[\\.:\\-]+',
    '\\x{1F600}',
    '\\\\',
    'a{2,}',
    'a{,2}',
    '(a|)+',
    '[@:]+',
  ])('agrees with the server on every value for %s', (source) => {
    const js = browserPattern(source);
    expect(js, 'translated').toBeDefined();
    fc.assert(
      fc.property(value, (v) => browserAccepts(js!, v) === serverAccepts(source, v)),
      { numRuns: 300 },
    );
    for (const v of SPECIAL.flatMap((c) => [c, `a${c}@b.c`, `${c}x${c}`]))
      expect(browserAccepts(js!, v), JSON.stringify(v)).toBe(serverAccepts(source, v));
  });
});

import { RE2JS, RE2JSException } from 're2js';

// Parameter patterns are matched by RE2JS, a pure-JS port of RE2 whose matching is linear in the
// value: JavaScript's backtracking RegExp takes seconds over `(\w|\d)+` and 26 characters, in the web
// process, where a webhook's body is checked. Linear still means pattern size × value length, and
// RE2 expands counted repetitions (`.{1,1000}` is 2000 instructions), so both are bounded: a pattern
// compiles to at most MAX_PROGRAM instructions, and the checks of one request do at most MAX_STEPS
// (instructions × characters) in all. The bounds depend only on the pattern and the values, never
// on time, so a value is accepted or refused alike on a busy machine.

/** The largest compiled pattern (RE2 instructions): a few ms to compile, well under a second per request at the step bound. */
export const MAX_PROGRAM = 2000;
/** The matching work one request's values may take against patterns, in instructions × characters. */
export const MAX_STEPS = 2 ** 23;
// Compiling is itself linear in the program: a pattern whose size bound (read from its text) is past
// this is refused before RE2 expands it (50 × `.{1,1000}` takes most of a second to compile).
const SIZE_GUARD = 4 * MAX_PROGRAM;

/** A pattern ready to match, with its size in RE2 instructions. */
export type Pattern = { re: RE2JS; size: number };

/** What the checks of one request may still spend (`MAX_STEPS` at first); passed to each of them. */
export type MatchBudget = { left: number };

/** A full budget for the checks of one request. */
export const newBudget = (): MatchBudget => ({ left: MAX_STEPS });

const TOO_LARGE = 'is too large to match quickly: use fewer or smaller counted repetitions such as {1,1000}';

// Patterns are few (those of the tasks' parameters) and checked on every execute: each is compiled once.
const compiled = new Map<string, Pattern | { error: string }>();
const CACHED = 256;

/** The compiled pattern, or what is wrong with it (a sentence to follow "the pattern of NAME"). */
export function compilePattern(source: string): Pattern | { error: string } {
  let entry = compiled.get(source);
  if (!entry) {
    entry = compile(source);
    if (compiled.size >= CACHED) compiled.delete(compiled.keys().next().value!);
    compiled.set(source, entry);
  }
  return entry;
}

function compile(source: string): Pattern | { error: string } {
  if (sizeBound(source) > SIZE_GUARD) return { error: TOO_LARGE };
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (err) {
    if (!(err instanceof RE2JSException)) throw err;
    const why = err.message.replace(/^error parsing regexp: /, '');
    return { error: `must be a valid regular expression in RE2 syntax (no lookarounds or backreferences): ${why}` };
  }
  const size = re.programSize();
  return size > MAX_PROGRAM ? { error: TOO_LARGE } : { re, size };
}

/** Whether the whole value matches; 'too long' when matching it would take more than what is left of the budget. */
export function matchesPattern(pattern: Pattern, value: string, budget: MatchBudget): boolean | 'too long' {
  const steps = pattern.size * (value.length + 1);
  if (steps > budget.left) return 'too long';
  budget.left -= steps;
  return pattern.re.testExact(value);
}

/**
 * An upper bound of the instructions RE2 compiles `source` into, read from its text: each atom is one,
 * a group the sum of its alternatives (plus one per branch), and a repetition multiplies what it
 * repeats by its largest count (plus one per copy). Only a guard against expanding a huge pattern:
 * RE2's own count decides.
 */
export function sizeBound(source: string): number {
  type Frame = { done: number; alt: number; last: number };
  const stack: Frame[] = [];
  let f: Frame = { done: 0, alt: 0, last: 0 };
  const atom = (size: number) => {
    f.alt += size;
    f.last = size;
  };
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '\\') {
      if (source[i + 1] === 'Q') {
        const end = source.indexOf('\\E', i + 2);
        for (const _ of source.slice(i + 2, end < 0 ? source.length : end)) atom(1);
        i = end < 0 ? source.length : end + 2;
        continue;
      }
      i = source[i + 2] === '{' && 'pPx'.includes(source[i + 1] ?? '') ? closing(source, i + 2, '}') : i + 2;
      atom(1);
    } else if (ch === '[') {
      i = classEnd(source, i);
      atom(1);
    } else if (ch === '(') {
      const flagsOnly = /^\(\?[imsU-]*\)/.exec(source.slice(i));
      if (flagsOnly) {
        i += flagsOnly[0].length;
        continue;
      }
      stack.push(f);
      f = { done: 0, alt: 0, last: 0 };
      i = source[i + 1] === '?' ? groupBodyStart(source, i) : i + 1;
    } else if (ch === ')') {
      const size = f.done + f.alt + 1;
      f = stack.pop() ?? { done: 0, alt: 0, last: 0 };
      atom(size);
      i++;
    } else if (ch === '|') {
      f.done += f.alt + 1;
      f.alt = 0;
      f.last = 0;
      i++;
    } else if (ch === '*' || ch === '+' || ch === '?') {
      f.alt += 1;
      f.last += 1;
      i++;
    } else {
      const repeat = ch === '{' ? /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i, i + 24)) : null;
      if (repeat) {
        const least = Number(repeat[1]);
        const most = repeat[2] === undefined ? least : repeat[3] === '' ? least + 1 : Number(repeat[3]);
        const size = Math.max(least, most) * (f.last + 1);
        f.alt += size - f.last;
        f.last = size;
        i += repeat[0].length;
      } else {
        atom(1);
        i++;
      }
    }
  }
  return stack.reduce((n, s) => n + s.done + s.alt, f.done + f.alt);
}

// The index after the `end` character that closes what starts at `from`, or the end of the text.
function closing(source: string, from: number, end: string): number {
  const at = source.indexOf(end, from);
  return at < 0 ? source.length : at + 1;
}

// The index after a character class starting at `from` (`[`): a `]` first is a member, as are
// escapes and `[:alpha:]`.
function classEnd(source: string, from: number): number {
  let i = from + 1;
  if (source[i] === '^') i++;
  if (source[i] === ']') i++;
  while (i < source.length && source[i] !== ']') {
    if (source[i] === '\\') i = source[i + 2] === '{' && 'pPx'.includes(source[i + 1] ?? '') ? closing(source, i + 2, '}') : i + 2;
    else if (source.startsWith('[:', i)) i = closing(source, i + 2, ']');
    else i++;
  }
  return i + 1;
}

// Where the body of a group starting `(?` begins: after `(?:`, `(?P<name>`, `(?<name>` or `(?flags:`.
function groupBodyStart(source: string, from: number): number {
  const head = /^\(\?(?:P?<[^>]*>|[imsU-]*:)/.exec(source.slice(from, from + 80));
  return from + (head ? head[0].length : 2);
}

// The Run form gives a string parameter's pattern to the browser (the `pattern` attribute), which
// checks it as a JavaScript RegExp with the `v` flag, while the server matches RE2 (param-pattern.ts)
// and has the last word. Where the two syntaxes read the same text differently (`\s` and `.` are
// Unicode-wide in JavaScript, ASCII and "not \n" in RE2; `[[:alpha:]]` is a POSIX class in RE2 and a
// nested set in `v` mode), the browser would refuse a value the server takes, or the reverse. So the
// browser gets a translation to the same language, for the part of RE2 both can express, and no
// `pattern` at all for the rest: the server's answer then shows beside the field.

import { compilePattern } from './param-pattern';

const SPACE = '\\t\\n\\f\\r '; // RE2's \s
const CLASS_ESCAPES = new Set(['d', 'D', 'w', 'W']); // ASCII in both without the i flag
const JS_SYNTAX = new Set([...'^$\\.*+?()[]{}|/']);
const CLASS_LITERAL = /^[A-Za-z0-9_"' ]$/; // written bare inside a `v` class; any other character is escaped
const NAME = /^[A-Za-z_]+$/;

/** The JavaScript (`v` flag) equivalent of an RE2 pattern, or undefined when it uses what this does not translate. */
export function browserPattern(source: string): string | undefined {
  if ('error' in compilePattern(source)) return undefined;
  const out = translate(source);
  if (out === undefined) return undefined;
  try {
    new RegExp(`^(?:${out})$`, 'v');
    return out;
  } catch {
    return undefined;
  }
}

const hex = (c: string) => `\\u{${c.codePointAt(0)!.toString(16)}}`;

function translate(source: string): string | undefined {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '\\') {
      const esc = escapeOutside(source, i);
      if (!esc) return undefined;
      out += esc.js;
      i = esc.next;
    } else if (ch === '[') {
      const cls = characterClass(source, i);
      if (!cls) return undefined;
      out += cls.js;
      i = cls.next;
    } else if (ch === '(') {
      // Capturing or named, the group only groups here: no name can clash in the browser.
      const head = /^\((?:\?:|\?P?<[A-Za-z_][A-Za-z0-9_]*>)?/.exec(source.slice(i))![0];
      if (source[i + 1] === '?' && head.length === 1) return undefined; // flags, lookarounds: not translated
      out += '(?:';
      i += head.length;
    } else if (ch === '{') {
      const repeat = /^\{\d+(?:,\d*)?\}/.exec(source.slice(i));
      out += repeat ? repeat[0] : '\\{';
      i += repeat ? repeat[0].length : 1;
    } else if (ch === '.') {
      out += '[^\\n]'; // RE2's dot; JavaScript's also leaves out \r, U+2028 and U+2029
      i++;
    } else if (ch === ']' || ch === '}') {
      out += `\\${ch}`; // literal in RE2, a syntax error in `v` mode
      i++;
    } else {
      const c = String.fromCodePoint(source.codePointAt(i)!);
      out += c;
      i += c.length;
    }
  }
  return out;
}

type Piece = { js: string; next: number };

// `\x` outside a class at `at`.
function escapeOutside(source: string, at: number): Piece | undefined {
  const e = source[at + 1];
  if (e === undefined) return undefined;
  if (e === 's') return { js: `[${SPACE}]`, next: at + 2 };
  if (e === 'S') return { js: `[^${SPACE}]`, next: at + 2 };
  if (e === 'b' || e === 'B') return { js: `\\${e}`, next: at + 2 };
  const common = escapeAnywhere(source, at);
  if (common) return common;
  if (/[\p{P}\p{S}]/u.test(e) && e.length === 1) return { js: JS_SYNTAX.has(e) ? `\\${e}` : e, next: at + 2 };
  return undefined;
}

// Escapes that mean the same inside and outside a class: \d \w (and negations), \n \t \r \f \v, \xHH
// and \x{H…}, \p{Name} and \pL.
function escapeAnywhere(source: string, at: number): Piece | undefined {
  const e = source[at + 1]!;
  if (CLASS_ESCAPES.has(e)) return { js: `\\${e}`, next: at + 2 };
  if ('ntrfv'.includes(e)) return { js: `\\${e}`, next: at + 2 };
  if (e === 'x') {
    const m = /^\\x(?:([0-9A-Fa-f]{2})|\{([0-9A-Fa-f]{1,6})\})/.exec(source.slice(at));
    return m ? { js: `\\u{${m[1] ?? m[2]}}`, next: at + m[0].length } : undefined;
  }
  if (e === 'p' || e === 'P') {
    const m = /^\\[pP](?:([A-Za-z])|\{([^}]*)\})/.exec(source.slice(at));
    const name = m ? (m[1] ?? m[2]!) : '';
    return m && NAME.test(name) ? { js: `\\${e}{${name}}`, next: at + m[0].length } : undefined;
  }
  return undefined;
}

// A character class starting at `at` (`[`), as a `v` mode class.
function characterClass(source: string, at: number): Piece | undefined {
  let i = at + 1;
  let js = '[';
  if (source[i] === '^') {
    js += '^';
    i++;
  }
  let first = true;
  while (i < source.length && (source[i] !== ']' || first)) {
    const member = classMember(source, i);
    if (!member) return undefined;
    i = member.next;
    first = false;
    if (source[i] === '-' && source[i + 1] !== ']' && i + 1 < source.length) {
      const to = classMember(source, i + 1);
      if (!to || !member.char || !to.char) return undefined; // a range needs a character at both ends
      js += `${member.js}-${to.js}`;
      i = to.next;
    } else js += member.js;
  }
  if (source[i] !== ']') return undefined;
  return { js: `${js}]`, next: i + 1 };
}

// One member of a class: a character (`char`, which may end a range) or a class escape.
function classMember(source: string, at: number): (Piece & { char: boolean }) | undefined {
  const ch = source[at]!;
  if (ch === '[') return undefined; // [:alpha:] and friends
  if (ch === '\\') {
    const e = source[at + 1];
    if (e === 's') return { js: SPACE, next: at + 2, char: false };
    if (e === 'S') return { js: `[^${SPACE}]`, next: at + 2, char: false };
    const common = escapeAnywhere(source, at);
    if (common) return { ...common, char: !CLASS_ESCAPES.has(e!) && e !== 'p' && e !== 'P' };
    if (e !== undefined && /[\p{P}\p{S}]/u.test(e)) return { js: CLASS_LITERAL.test(e) ? e : `\\${e}`, next: at + 2, char: true };
    return undefined;
  }
  const c = String.fromCodePoint(source.codePointAt(at)!);
  return {
    js: CLASS_LITERAL.test(c) || c.codePointAt(0)! > 0x7f ? c : /[\p{P}\p{S}]/u.test(c) ? `\\${c}` : hex(c),
    next: at + c.length,
    char: true,
  };
}

import { nearestXterm } from './ansi-palette';

/** A colour of xterm's 256: 0–15 are the 16 themed colours, 16–255 the fixed palette; each is a CSS class. */
export type AnsiColour = number;

/** The text attributes that SGR sequences switch on and off. */
export interface SgrState {
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  fg: AnsiColour | null;
  bg: AnsiColour | null;
}

/** The state of a terminal that has seen no SGR sequence, or a reset. */
export const PLAIN: SgrState = { bold: false, dim: false, italic: false, underline: false, fg: null, bg: null };

const inByteRange = (n: number | undefined): n is number => n !== undefined && n >= 0 && n <= 255;

// Reads the 5;n or 2;r;g;b after a 38/48 at params[i]; returns the colour (null if invalid) and params consumed.
function extendedColour(params: number[], i: number): [AnsiColour | null, number] {
  const mode = params[i + 1];
  if (mode === 5) {
    const n = params[i + 2];
    return [inByteRange(n) ? n : null, 3];
  }
  if (mode === 2) {
    const [r, g, b] = params.slice(i + 2, i + 5);
    const valid = inByteRange(r) && inByteRange(g) && inByteRange(b);
    // Truecolor becomes the nearest palette colour: a class, never an inline style a strict CSP would block.
    return [valid ? nearestXterm(r, g, b) : null, 5];
  }
  return [null, params.length - i];
}

/** The state after applying the numeric parameters of one `ESC[...m` sequence. */
export function applySgr(state: SgrState, params: number[]): SgrState {
  const next = { ...state };
  if (params.length === 0) return { ...PLAIN };
  for (let i = 0; i < params.length; ) {
    const p = params[i];
    let used = 1;
    if (p === 0) Object.assign(next, PLAIN);
    else if (p === 1) next.bold = true;
    else if (p === 2) next.dim = true;
    else if (p === 3) next.italic = true;
    else if (p === 4) next.underline = true;
    else if (p === 22) next.bold = next.dim = false;
    else if (p === 23) next.italic = false;
    else if (p === 24) next.underline = false;
    else if (p >= 30 && p <= 37) next.fg = p - 30;
    else if (p >= 90 && p <= 97) next.fg = p - 90 + 8;
    else if (p >= 40 && p <= 47) next.bg = p - 40;
    else if (p >= 100 && p <= 107) next.bg = p - 100 + 8;
    else if (p === 39) next.fg = null;
    else if (p === 49) next.bg = null;
    else if (p === 38 || p === 48) {
      const [colour, n] = extendedColour(params, i);
      if (colour !== null) next[p === 38 ? 'fg' : 'bg'] = colour;
      used = n;
    }
    i += used;
  }
  return next;
}

// The class of a colour: themed for 0–15, fixed palette for 16–255.
const colourClass = (kind: 'fg' | 'bg', n: number): string => (n < 16 ? `ansi-${kind}-${n}` : `ansi-${kind}-256-${n}`);

/** The `<span class="...">` that renders text in this state, or '' when the state is plain. */
export function openTag(state: SgrState): string {
  const classes: string[] = [];
  if (state.bold) classes.push('ansi-bold');
  if (state.dim) classes.push('ansi-dim');
  if (state.italic) classes.push('ansi-italic');
  if (state.underline) classes.push('ansi-underline');
  if (state.fg !== null) classes.push(colourClass('fg', state.fg));
  if (state.bg !== null) classes.push(colourClass('bg', state.bg));
  return classes.length === 0 ? '' : `<span class="${classes.join(' ')}">`;
}

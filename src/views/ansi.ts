/**
 * Terminal output to HTML for the log views, run in the browser as a log streams in.
 *
 * Written here rather than taken from a library, because each candidate breaks a need of the log view:
 * - the CSP (`style-src 'self'`) blocks style attributes, so every colour must be a class: ansi-to-html
 *   writes every colour as an inline style, ansi_up does so for bold, the 256 colours and truecolor even
 *   with `use_classes`, and anser leaves truecolor to a data attribute no stylesheet can turn into a colour;
 * - a log arrives in chunks cut anywhere, inside an escape sequence too, and anser parses each call alone;
 * - OSC titles and carriage returns come out as text in anser and ansi_up, charset switches (ESC ( B) in anser;
 * - neither of those two is faster on a coloured log, and each is two to five times this in the bundle.
 *
 * Output: `<span class="ansi-…">` around styled text, and escaped text; ansi-css.ts styles the classes.
 */

/** Turns terminal output arriving in chunks into HTML, carrying colours and half-read sequences over. */
export interface AnsiRenderer {
  /** HTML for one chunk; every span it opens is closed at its end. */
  render(chunk: string): string;
}

// ---- Colours ----------------------------------------------------------------------------------------

// xterm's 256-colour palette beyond the 16 themed colours: 16–231 a 6×6×6 cube, 232–255 a grey ramp.
const LEVELS = [0, 95, 135, 175, 215, 255];

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** The `#rrggbb` of xterm colour 16–255. */
export function xtermHex(n: number): string {
  if (n >= 232) return `#${hex2(8 + (n - 232) * 10).repeat(3)}`;
  const i = n - 16;
  return `#${[Math.floor(i / 36), Math.floor(i / 6) % 6, i % 6].map((v) => hex2(LEVELS[v])).join('')}`;
}

function nearestLevel(v: number): number {
  let best = 0;
  for (let i = 1; i < LEVELS.length; i++) if (Math.abs(LEVELS[i] - v) < Math.abs(LEVELS[best] - v)) best = i;
  return best;
}

const distance = (a: number[], b: number[]): number => a.reduce((sum, v, i) => sum + (v - b[i]) ** 2, 0);

// The xterm colour (16–255) closest to a truecolor: a class, never an inline style the CSP would block.
function nearestXterm(r: number, g: number, b: number): number {
  const [ri, gi, bi] = [r, g, b].map(nearestLevel);
  const cube = 16 + ri * 36 + gi * 6 + bi;
  const greyIndex = Math.min(23, Math.max(0, Math.round(((r + g + b) / 3 - 8) / 10)));
  const grey = 8 + greyIndex * 10;
  const target = [r, g, b];
  const cubeRgb = [LEVELS[ri], LEVELS[gi], LEVELS[bi]];
  return distance(target, [grey, grey, grey]) < distance(target, cubeRgb) ? 232 + greyIndex : cube;
}

// ---- SGR state --------------------------------------------------------------------------------------

// The text attributes that SGR sequences switch on and off. A colour is one of xterm's 256: 0–15 are
// the 16 themed colours, 16–255 the fixed palette.
interface SgrState {
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  fg: number | null;
  bg: number | null;
}

// A terminal that has seen no SGR sequence, or a reset.
const PLAIN: SgrState = { bold: false, dim: false, italic: false, underline: false, fg: null, bg: null };

const inByteRange = (n: number | undefined): n is number => n !== undefined && n >= 0 && n <= 255;

// Reads the 5;n or 2;r;g;b after a 38/48 at params[i]; returns the colour (null if invalid) and params consumed.
function extendedColour(params: number[], i: number): [number | null, number] {
  const mode = params[i + 1];
  if (mode === 5) {
    const n = params[i + 2];
    return [inByteRange(n) ? n : null, 3];
  }
  if (mode === 2) {
    const [r, g, b] = params.slice(i + 2, i + 5);
    return [inByteRange(r) && inByteRange(g) && inByteRange(b) ? nearestXterm(r, g, b) : null, 5];
  }
  return [null, params.length - i];
}

// The state after applying the numeric parameters of one `ESC[...m` sequence.
function applySgr(state: SgrState, params: number[]): SgrState {
  if (params.length === 0) return PLAIN;
  const next = { ...state };
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

// The `<span class="...">` that renders text in this state, or '' when the state is plain.
function openTag(state: SgrState): string {
  const classes: string[] = [];
  if (state.bold) classes.push('ansi-bold');
  if (state.dim) classes.push('ansi-dim');
  if (state.italic) classes.push('ansi-italic');
  if (state.underline) classes.push('ansi-underline');
  if (state.fg !== null) classes.push(colourClass('fg', state.fg));
  if (state.bg !== null) classes.push(colourClass('bg', state.bg));
  return classes.length === 0 ? '' : `<span class="${classes.join(' ')}">`;
}

// ---- Parsing ----------------------------------------------------------------------------------------

// Where the parser is: in text, just after ESC, inside ESC[ … (CSI), or inside a string
// sequence such as an OSC title (ESC] … BEL), which may end with ESC \ (osc-esc).
type Mode = 'text' | 'esc' | 'csi' | 'osc' | 'osc-esc';

// Caps keep a hostile or broken stream from holding unbounded text back as a "pending sequence".
const MAX_CSI = 64;
const MAX_OSC = 4096;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const SPECIAL = /[&<>"']/;
// Printable text plus \t and \n; every other C0/C1 control (\r included) is dropped.
// biome-ignore lint/suspicious/noControlCharactersInRegex: telling text from control characters is the point
const PLAIN_RUN = /[^\x00-\x08\x0b-\x1f\x7f-\x9f]+/y;
// The parameter bytes of a CSI sequence, read in one step rather than a character at a time.
const CSI_PARAMS = /[\x20-\x3f]*/y;

// Escapes the five characters that are special in HTML text and attributes.
const escapeHtml = (text: string): string => (SPECIAL.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c]) : text);

// Numbers of an `ESC[...m` body (an empty parameter counts as 0), or null when it is not a plain SGR
// (private markers, colons…). Read by hand: SGR bodies are most of a coloured log's sequences.
function sgrParams(body: string): number[] | null {
  const params: number[] = [];
  let n = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 0x3b) {
      params.push(n);
      n = 0;
    } else if (c >= 0x30 && c <= 0x39) n = n * 10 + c - 0x30;
    else return null;
  }
  if (body !== '') params.push(n);
  return params;
}

/** A renderer whose SGR state and any half-received escape sequence persist between chunks. */
export function createAnsiRenderer(): AnsiRenderer {
  let mode: Mode = 'text';
  let pending = '';
  let oscLength = 0;
  let state: SgrState = PLAIN;

  function render(chunk: string): string {
    let out = '';
    let tag = openTag(state);
    let open = false;
    let i = 0;
    while (i < chunk.length) {
      const c = chunk[i];
      const code = chunk.charCodeAt(i);
      if (mode === 'text') {
        PLAIN_RUN.lastIndex = i;
        const run = PLAIN_RUN.exec(chunk);
        if (run) {
          if (!open && tag !== '') {
            out += tag;
            open = true;
          }
          out += escapeHtml(run[0]);
          i += run[0].length;
          continue;
        }
        if (c === '\x1b') mode = 'esc';
        i++;
      } else if (mode === 'esc') {
        if (c === '[') {
          mode = 'csi';
          pending = '';
        } else if (c === ']' || c === 'P' || c === 'X' || c === '^' || c === '_') {
          mode = 'osc';
          oscLength = 0;
        } else if (code >= 0x20 && code <= 0x2f) {
          // An intermediate byte, as in ESC ( B: the sequence goes on.
          i++;
          continue;
        } else if (code < 0x30 || code > 0x7e) {
          // Not an escape sequence after all: drop the ESC and read this character as text.
          mode = 'text';
          continue;
        } else {
          mode = 'text';
        }
        i++;
      } else if (mode === 'csi') {
        if (code >= 0x20 && code <= 0x3f) {
          CSI_PARAMS.lastIndex = i;
          const params = CSI_PARAMS.exec(chunk)![0];
          if (pending.length + params.length > MAX_CSI) {
            // Too long to be a sequence: the byte past the cap ends it, and what follows reads as text.
            i += MAX_CSI + 1 - pending.length;
            mode = 'text';
          } else {
            pending += params;
            i += params.length;
          }
        } else if (code >= 0x40 && code <= 0x7e) {
          const params = c === 'm' ? sgrParams(pending) : null;
          if (params) {
            state = applySgr(state, params);
            const next = openTag(state);
            if (open && next !== tag) {
              out += '</span>';
              open = false;
            }
            tag = next;
          }
          mode = 'text';
          i++;
        } else {
          // Malformed: abandon the sequence and read this character afresh.
          mode = 'text';
        }
      } else {
        // Inside a string sequence; a newline also ends it, so one broken title cannot eat the log.
        if (c === '\x07' || c === '\x9c' || (mode === 'osc-esc' && c === '\\')) {
          mode = 'text';
          i++;
        } else if (mode === 'osc-esc') {
          // ESC followed by anything but \ starts a new sequence.
          mode = 'esc';
        } else if (c === '\n' || ++oscLength > MAX_OSC) {
          mode = 'text';
        } else {
          if (c === '\x1b') mode = 'osc-esc';
          i++;
        }
      }
    }
    if (open) out += '</span>';
    return out;
  }

  return { render };
}

/** Converts a complete piece of terminal output to safe HTML. */
export function ansiToHtml(text: string): string {
  return createAnsiRenderer().render(text);
}

import { applySgr, openTag, PLAIN, type SgrState } from './ansi-sgr';

/** Turns terminal output arriving in chunks into HTML, carrying colours and half-read sequences over. */
export interface AnsiRenderer {
  /** HTML for one chunk; every span it opens is closed at its end. */
  render(chunk: string): string;
}

// Where the parser is: in text, just after ESC, inside ESC[ … (CSI), or inside a string
// sequence such as an OSC title (ESC] … BEL), which may end with ESC \ (osc-esc).
type Mode = 'text' | 'esc' | 'csi' | 'osc' | 'osc-esc';

// Caps keep a hostile or broken stream from holding unbounded text back as a "pending sequence".
const MAX_CSI = 64;
const MAX_OSC = 4096;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
// Printable text plus \t and \n; every other C0/C1 control (\r included) is dropped.
const PLAIN_RUN = /[^\x00-\x08\x0b-\x1f\x7f-\x9f]+/y;

/** Escapes the five characters that are special in HTML text and attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

// Numbers of an `ESC[...m` body, or null when it is not a plain SGR (private markers, colons…).
function sgrParams(body: string): number[] | null {
  if (!/^[\d;]*$/.test(body)) return null;
  return body === '' ? [] : body.split(';').map((p) => (p === '' ? 0 : Number(p)));
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
    const setState = (next: SgrState): void => {
      state = next;
      const nextTag = openTag(state);
      if (open && nextTag !== tag) {
        out += '</span>';
        open = false;
      }
      tag = nextTag;
    };
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
          pending += c;
          if (pending.length > MAX_CSI) mode = 'text';
          i++;
        } else if (code >= 0x40 && code <= 0x7e) {
          const params = c === 'm' ? sgrParams(pending) : null;
          if (params) setState(applySgr(state, params));
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

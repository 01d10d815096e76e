// `::progress 40` or `::progress 40 Loading rows`: a task's report of how far it is.

/** What one progress line says. */
export type Progress = { percent: number; message: string | null };

/** The longest message kept; a longer one is cut. */
export const PROGRESS_MESSAGE_CHARS = 200;

const LINE_RE = /^::progress[ \t]+(\d{1,3}(?:\.\d+)?)%?(?:[ \t]+(.*?))?[ \t]*$/s;
// Colour codes and other control characters would be noise in a message shown as text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point
const ANSI_RE = /\x1b\[[0-9;:?]*[ -/]*[@-~]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_RE = /[\x00-\x1f\x7f]+/g;

/** Parses one line (without its line break); undefined when it is not a well-formed progress line. */
export function parseProgressLine(line: string): Progress | undefined {
  const m = LINE_RE.exec(line);
  if (!m) return undefined;
  const percent = Number(m[1]);
  if (!(percent >= 0 && percent <= 100)) return undefined;
  const cleaned = (m[2] ?? '').replace(ANSI_RE, '').replace(CONTROL_RE, ' ').trim();
  const message = [...cleaned].slice(0, PROGRESS_MESSAGE_CHARS).join('').trimEnd();
  return { percent, message: message === '' ? null : message };
}

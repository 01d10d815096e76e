import { createAnsiRenderer } from '../ansi';
import { formatBytes } from '../format';

const NEWLINE = 0x0a;

// Drops the partial first line of a piece cut out of the middle of a log (or, in one endless line,
// the partial UTF-8 character), so the piece starts where a line starts. Returns bytes and their offset.
function fromLineStart(bytes: Uint8Array, from: number): [Uint8Array, number] {
  if (from === 0) return [bytes, 0];
  const nl = bytes.indexOf(NEWLINE);
  if (nl >= 0 && nl < bytes.length - 1) return [bytes.subarray(nl + 1), from + nl + 1];
  let i = 0;
  while (i < bytes.length && (bytes[i] & 0xc0) === 0x80) i++;
  return [bytes.subarray(i), from + i];
}

/** The "Load earlier output" button: fetches the part of the log before what is shown, by byte range. */
export function initLoadEarlier(log: HTMLElement, button: HTMLButtonElement, pieceBytes: number): void {
  const url = log.dataset.logUrl ?? '';
  button.addEventListener('click', async () => {
    const before = Number(button.dataset.before);
    if (!(before > 0)) return;
    const from = Math.max(0, before - pieceBytes);
    button.disabled = true;
    try {
      const res = await fetch(url, { headers: { Range: `bytes=${from}-${before - 1}` } });
      if (!res.ok) throw new Error(`the server answered ${res.status}`);
      const [bytes, start] = fromLineStart(new Uint8Array(await res.arrayBuffer()), from);
      const piece = document.createElement('span');
      piece.dataset.from = String(start);
      // Safe: the renderer escapes the text before it adds its own <span class> tags.
      piece.innerHTML = createAnsiRenderer().render(new TextDecoder().decode(bytes));
      const height = log.scrollHeight;
      log.querySelector('.log-placeholder')?.remove();
      log.prepend(piece);
      log.scrollTop += log.scrollHeight - height;
      button.dataset.before = String(start);
      button.hidden = start === 0;
      const skipped = document.getElementById('log-skipped');
      if (skipped) skipped.textContent = start === 0 ? 'The whole log is shown.' : `The first ${formatBytes(start)} are not shown.`;
    } catch (err) {
      button.title = `Could not load: ${(err as Error).message}`;
    } finally {
      button.disabled = false;
    }
  });
}

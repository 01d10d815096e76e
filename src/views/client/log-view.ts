import { createAnsiRenderer } from '../ansi';
import { formatBytes } from '../format';
import { initLoadEarlier } from './log-earlier';
import { onContent, refresh, within } from './on-content';

const PIECE_BYTES = 256 * 1024; // what one "load earlier" click fetches
const MAX_SHOWN_CHARS = 4 * 1024 * 1024; // beyond this, the oldest pieces leave the page while following
const RETRY_MS = 3000;

function stage(status: string | undefined): number {
  return status === 'queued' ? 0 : status === 'running' ? 1 : status ? 2 : -1;
}

type Follow = { on: boolean; set: (on: boolean) => void };

// Follow keeps the newest line in view; scrolling up pauses it, scrolling back to the end resumes it.
function initFollow(log: HTMLElement, button: HTMLElement | null): Follow {
  const follow: Follow = {
    on: true,
    set(on) {
      follow.on = on;
      button?.setAttribute('aria-pressed', String(on));
      if (on) log.scrollTop = log.scrollHeight;
    },
  };
  button?.addEventListener('click', () => follow.set(!follow.on));
  log.addEventListener('scroll', () => {
    const atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 4;
    if (atEnd !== follow.on) follow.set(atEnd);
  });
  return follow;
}

// A very long live log would make the page slow: the oldest pieces go, and "load earlier" can bring them back.
function trim(log: HTMLElement, earlier: HTMLButtonElement | null): void {
  let shown = log.textContent?.length ?? 0;
  while (shown > MAX_SHOWN_CHARS && log.firstElementChild && log.childElementCount > 1) {
    const first = log.firstElementChild;
    shown -= first.textContent?.length ?? 0;
    first.remove();
    const next = log.firstElementChild as HTMLElement | null;
    if (earlier && next?.dataset.from) {
      earlier.dataset.before = next.dataset.from;
      earlier.hidden = false;
    }
  }
}

/**
 * The live log of the run view: reads the run's event stream from a byte offset, appends each piece
 * as escaped ANSI-coloured HTML, refreshes the status on changes, and resumes after a dropped
 * connection where it stopped (EventSource sends Last-Event-ID, the byte offset, by itself).
 */
export function initLogView(): void {
  const log = document.querySelector<HTMLElement>('#log[data-stream]');
  if (!log) return;
  const earlier = document.querySelector<HTMLButtonElement>('#log-earlier');
  const size = document.getElementById('log-size');
  const follow = initFollow(log, document.getElementById('log-follow'));
  if (earlier) initLoadEarlier(log, earlier, PIECE_BYTES);
  const renderer = createAnsiRenderer();
  let offset = Number(log.dataset.offset) || 0;
  let ended = false;

  const append = (text: string, from: number): void => {
    const html = renderer.render(text);
    if (html === '') return;
    log.querySelector('.log-placeholder')?.remove();
    const piece = document.createElement('span');
    piece.dataset.from = String(from);
    piece.innerHTML = html; // escaped by the renderer
    log.append(piece);
    if (follow.on) {
      trim(log, earlier);
      log.scrollTop = log.scrollHeight;
    }
  };

  // The server skipped ahead (this view fell more than a few MB behind a busy log): say so in place.
  const skipped = (bytes: number): void => {
    const note = document.createElement('span');
    note.className = 'log-skipped muted';
    note.textContent = `\n[… ${formatBytes(bytes)} not shown: the output came faster than this view could follow; the download has all of it]\n`;
    log.append(note);
    if (follow.on) log.scrollTop = log.scrollHeight;
  };

  // A status only moves forward (queued, running, an end), so the view is behind when the stream's
  // latest is further along. Checked again on every new #run-status: the Cancel answer can replace
  // the status after the stream's end was already shown, and no later event would correct it.
  let latest: string | undefined;
  const behind = (shown: HTMLElement): boolean => latest !== undefined && stage(latest) > stage(shown.dataset.status);
  const statusChanged = (data: string): void => {
    latest = (JSON.parse(data) as { status?: string }).status ?? latest;
    const shown = document.getElementById('run-status');
    if (shown && behind(shown)) refresh(shown);
  };
  onContent((root) => {
    for (const shown of within<HTMLElement>(root, '#run-status')) if (behind(shown)) refresh(shown);
  });

  const connect = (): void => {
    const events = new EventSource(`${log.dataset.stream}?offset=${offset}`);
    events.addEventListener('log', (event) => {
      const e = event as MessageEvent<string>;
      const from = offset;
      offset = Number(e.lastEventId) || offset;
      append(e.data, from);
      if (size) size.textContent = formatBytes(offset);
    });
    events.addEventListener('skipped', (event) => {
      const e = event as MessageEvent<string>;
      offset = Number(e.lastEventId) || offset;
      skipped((JSON.parse(e.data) as { bytes: number }).bytes);
    });
    events.addEventListener('status', (event) => statusChanged((event as MessageEvent<string>).data));
    events.addEventListener('end', (event) => {
      ended = true;
      events.close();
      statusChanged((event as MessageEvent<string>).data);
      const placeholder = log.querySelector('.log-placeholder');
      if (placeholder) placeholder.textContent = offset === 0 ? '(no output)' : '';
      document.getElementById('log-end')?.removeAttribute('hidden');
    });
    events.addEventListener('error', () => {
      // Retried by the browser after a dropped connection; after an HTTP error it gives up, so we retry.
      if (events.readyState === EventSource.CLOSED && !ended) setTimeout(connect, RETRY_MS);
    });
  };
  connect();
}

import { formatDuration } from '../format';
import { onContent, within } from './on-content';

// Server-rendered times are UTC; the reader's own time zone is only known here.
function localise(root: Element | Document): void {
  for (const el of within<HTMLTimeElement>(root, 'time[data-local]')) {
    const date = new Date(el.dateTime);
    if (Number.isNaN(date.getTime())) continue;
    el.textContent = date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
    el.title = el.dateTime;
    el.removeAttribute('data-local');
  }
}

// Durations of active runs count up between server updates.
function tick(): void {
  for (const el of document.querySelectorAll<HTMLElement>('[data-elapsed-since]')) {
    const since = Date.parse(el.dataset.elapsedSince ?? '');
    if (!Number.isNaN(since)) el.textContent = formatDuration(Math.max(0, Date.now() - since));
  }
}

/** Local times and ticking durations. */
export function initTimes(): void {
  onContent(localise);
  setInterval(tick, 1000);
}

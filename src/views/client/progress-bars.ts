import { formatPct, formatTimeLeft } from '../format';
import { refresh } from './on-content';

/** A `progress` event of /events/tasks: a running run's latest report. */
export type ProgressReport = { run_id: number; task_id: string; percent: number; message: string | null; eta_s: number | null };

function showEta(eta: HTMLElement, etaS: number | null): void {
  eta.hidden = etaS === null;
  if (etaS === null) {
    delete eta.dataset.etaUntil;
    eta.textContent = '';
  } else {
    eta.dataset.etaUntil = new Date(Date.now() + etaS * 1000).toISOString();
    eta.textContent = formatTimeLeft(etaS);
  }
}

/**
 * Shows a run's new progress in every bar of it on the page. Where the page shows the run but has no
 * bar for it yet (its first report), that part is fetched again, and comes back with one.
 */
export function showProgress(p: ProgressReport): void {
  const bars = document.querySelectorAll<HTMLElement>(`[data-progress-run="${p.run_id}"]`);
  if (bars.length === 0) {
    const status = document.getElementById('run-status');
    if (status?.getAttribute('hx-get') === `/runs/${p.run_id}/status`) refresh(status);
    refresh(document.getElementById(`task-state-${p.task_id}`));
    return;
  }
  for (const el of bars) {
    const bar = el.querySelector('progress');
    if (bar) {
      bar.value = p.percent;
      bar.textContent = formatPct(p.percent);
    }
    const pct = el.querySelector('.progress-pct');
    if (pct) pct.textContent = formatPct(p.percent);
    const msg = el.querySelector<HTMLElement>('.progress-msg');
    if (msg) {
      msg.textContent = p.message ?? '';
      msg.hidden = p.message === null;
    }
    if (p.message === null) el.removeAttribute('title');
    else el.title = p.message;
    const eta = el.querySelector<HTMLElement>('.progress-eta');
    if (eta) showEta(eta, p.eta_s);
  }
}

// The time left counts down between reports.
function tick(): void {
  for (const el of document.querySelectorAll<HTMLElement>('[data-eta-until]')) {
    const until = Date.parse(el.dataset.etaUntil ?? '');
    if (!Number.isNaN(until)) el.textContent = formatTimeLeft((until - Date.now()) / 1000);
  }
}

/** Counts the time left of progress bars down. */
export function initProgressBars(): void {
  setInterval(tick, 1000);
}

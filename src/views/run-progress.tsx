import type { RunJson } from '../runs/json';
import { formatPct, formatTimeLeft } from './format';

/** When the estimated time left runs out, as an ISO instant: the report's time plus the estimate. */
function etaUntil(at: string, etaS: number): string {
  return new Date(new Date(at).getTime() + etaS * 1000).toISOString();
}

/**
 * A run's latest `::progress` report: a bar, the percent, the message and the time left (which the page
 * script counts down). `data-progress-run` lets the page script update it in place from `progress`
 * events; `compact` is the task list's one-line form. Nothing until the run reports progress.
 */
export function RunProgress({ run, compact }: { run: RunJson; compact?: boolean }) {
  const p = run.progress;
  if (!p) return null;
  const eta = p.eta_s === null ? undefined : etaUntil(p.at, p.eta_s);
  const label = `Progress of run #${run.run_id}`;
  return (
    <div class={compact ? 'progress progress-compact' : 'progress'} data-progress-run={String(run.run_id)} title={p.message ?? undefined}>
      <progress class="progress-bar" max="100" value={String(p.percent)} aria-label={label}>
        {formatPct(p.percent)}
      </progress>
      <span class="progress-pct">{formatPct(p.percent)}</span>
      <span class="progress-msg" hidden={p.message === null}>
        {p.message}
      </span>
      <span class="progress-eta muted" data-eta-until={eta} hidden={eta === undefined}>
        {p.eta_s === null ? '' : formatTimeLeft(p.eta_s)}
      </span>
    </div>
  );
}

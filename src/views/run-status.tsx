import type { RunJson } from '../runs/json';
import { formatDuration } from './format';
import { RunAgain, RunAttempts, type RunRelations } from './run-attempts';
import { RunProgress } from './run-progress';
import { Elapsed, StatusBadge, Time } from './status-badge';

/** A run, whether a cancel was asked for but the process has not ended yet, and its retries. */
export type RunState = { run: RunJson; stopping: boolean; relations?: RunRelations };

function Fact({ label, children }: { label: string; children: unknown }) {
  return (
    <div class="fact">
      <dt>{label}</dt>
      <dd>{children ?? <span class="muted">–</span>}</dd>
    </div>
  );
}

function duration(run: RunJson) {
  if (run.duration_ms === null) return null;
  const text = formatDuration(run.duration_ms);
  return run.status === 'running' && run.started_at ? <Elapsed since={run.started_at} text={text} /> : text;
}

/**
 * The facts of a run and its Cancel button. The page script fires `refresh` on it when the live
 * stream reports a status change, so it is always rendered here, never in the browser.
 */
export function RunStatus({ state }: { state: RunState }) {
  const { run, stopping } = state;
  const active = run.status === 'queued' || run.status === 'running';
  return (
    <section
      id="run-status"
      class="run-status"
      hx-get={`/runs/${run.run_id}/status`}
      hx-trigger="refresh"
      hx-swap="outerHTML"
      aria-label="Run status"
      data-status={run.status}
    >
      <dl class="facts">
        <Fact label="Status">
          <StatusBadge status={run.status} />
          {stopping && active && <span class="muted"> stopping…</span>}
        </Fact>
        <Fact label="Exit code">{run.exit_code ?? run.signal}</Fact>
        <Fact label="Queued">
          <Time iso={run.created_at} />
        </Fact>
        <Fact label="Started">{run.started_at && <Time iso={run.started_at} />}</Fact>
        <Fact label="Ended">{run.finished_at && <Time iso={run.finished_at} />}</Fact>
        <Fact label="Duration">{duration(run)}</Fact>
        <Fact label="Trigger">{run.trigger}</Fact>
      </dl>
      <RunProgress run={run} />
      <RunAttempts run={run} relations={state.relations} />
      {run.error && <p class="alert alert-error">{run.error}</p>}
      <div class="run-actions">
        {active && !stopping && (
          <button
            type="button"
            class="btn btn-danger"
            hx-post={`/runs/${run.run_id}/cancel`}
            hx-target="#run-status"
            hx-swap="outerHTML"
            hx-disabled-elt="this"
          >
            Cancel run
          </button>
        )}
        <RunAgain run={run} relations={state.relations} />
        <div id="run-msg" class="task-msg" role="status"></div>
      </div>
    </section>
  );
}

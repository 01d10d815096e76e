import type { RunJson } from '../runs/json';
import type { TaskJson } from '../services/tasks-service';
import { formatAgo, formatDuration } from './format';
import { RunProgress } from './run-progress';
import { Elapsed, StatusBadge, Time } from './status-badge';

/** The part of a task that changes while it runs: its active or last run. */
export type TaskRuns = Pick<TaskJson, 'id' | 'active_run' | 'last_run'>;

function RunSummary({ run, active }: { run: RunJson; active: boolean }) {
  const since = run.started_at ?? run.created_at;
  const when = run.finished_at ?? since;
  const duration = run.duration_ms === null ? '' : formatDuration(run.duration_ms);
  return (
    <>
      <a class="run-link" href={`/runs/${run.run_id}`} aria-label={`Run #${run.run_id}: ${run.status}`}>
        <StatusBadge status={run.status} />
      </a>
      <span class="run-facts">
        {run.exit_code !== null && <span class="exit-code">exit {run.exit_code}</span>}
        {run.signal && <span class="exit-code">{run.signal}</span>}
        <Time iso={when} text={formatAgo(when)} />
        {active && run.started_at ? <Elapsed since={run.started_at} text={duration} /> : duration && <span>{duration}</span>}
      </span>
      {run.status === 'running' && <RunProgress run={run} compact />}
    </>
  );
}

/**
 * A task's run state. It refetches itself on a `refresh` event, which the page script fires when the
 * task's runs change (server-sent events). While a run is active it also polls slowly, in case an
 * event was missed (say, before the event stream connected); an ended run comes back without the poll.
 */
export function TaskState({ task }: { task: TaskRuns }) {
  const run = task.active_run ?? task.last_run;
  return (
    <div
      id={`task-state-${task.id}`}
      class="task-state"
      hx-get={`/tasks/${task.id}/state`}
      hx-trigger={task.active_run ? 'refresh, every 5s' : 'refresh'}
      hx-swap="outerHTML"
      data-active={task.active_run ? 'true' : undefined}
    >
      {run ? <RunSummary run={run} active={task.active_run !== null} /> : <span class="muted">never run</span>}
    </div>
  );
}

/**
 * The Run button and the slot where its refusal (409 busy, 429 queue full) is shown. A task with
 * parameters gets a link to its Run form instead of the one-click run.
 */
export function RunControl({ id, hasParams, oob }: { id: string; hasParams?: boolean; oob?: boolean }) {
  // `oob`: sent out of band when the task's parameters were saved, so the button follows them.
  const attrs = { id: `run-control-${id}`, class: 'run-control', 'hx-swap-oob': oob ? 'true' : undefined };
  if (hasParams) {
    return (
      <div {...attrs}>
        <a class="btn btn-run" href={`/tasks/${id}/run`}>
          Run…<span class="sr-only"> {id} with parameters</span>
        </a>
        <TaskMessage id={id} />
      </div>
    );
  }
  return (
    <div {...attrs}>
      <button
        type="button"
        class="btn btn-run"
        hx-post={`/tasks/${id}/run`}
        hx-target={`#task-state-${id}`}
        hx-swap="outerHTML"
        hx-disabled-elt="this"
        aria-describedby={`task-msg-${id}`}
      >
        Run<span class="sr-only"> {id}</span>
      </button>
      <TaskMessage id={id} />
    </div>
  );
}

/** The (empty) message slot of a task; sent out of band to clear an old message after a good run. */
export function TaskMessage({ id, oob }: { id: string; oob?: boolean }) {
  return <div id={`task-msg-${id}`} class="task-msg" role="status" hx-swap-oob={oob ? 'true' : undefined}></div>;
}

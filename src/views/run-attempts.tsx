import type { RunJson } from '../runs/json';
import { Time } from './status-badge';

/**
 * What the run view knows beyond the run itself: the retry that followed it (a run whose retry_of is
 * this one) and the parameters its task declares now (Run again then opens the form, prefilled).
 */
export type RunRelations = { retryRunId: number | null; paramNames: string[] };

/** Attempt N of M, the run it retries and its retry, and a retry's wait; nothing for a plain run. */
export function RunAttempts({ run, relations }: { run: RunJson; relations?: RunRelations }) {
  const retried = relations?.retryRunId ?? null;
  const waiting = run.status === 'queued' && run.not_before !== null;
  if (run.max_attempts <= 1 && run.attempt <= 1 && run.retry_of === null && retried === null && !waiting) return null;
  return (
    <p class="run-attempts">
      <span class="attempt">
        Attempt {run.attempt} of {Math.max(run.attempt, run.max_attempts)}
      </span>
      {run.retry_of !== null && (
        <>
          {' '}
          · retries <a href={`/runs/${run.retry_of}`}>run #{run.retry_of}</a>
        </>
      )}
      {retried !== null && (
        <>
          {' '}
          · retried as <a href={`/runs/${retried}`}>run #{retried}</a>
        </>
      )}
      {waiting && (
        <>
          {' '}
          ·{' '}
          <span class="retry-wait">
            waiting to retry until <Time iso={run.not_before!} />
          </span>
        </>
      )}
    </p>
  );
}

/** Run again: the prefilled Run form for a task with parameters, else at once with the same values. */
export function RunAgain({ run, relations }: { run: RunJson; relations?: RunRelations }) {
  if (run.status === 'queued' || run.status === 'running' || !relations) return null;
  if (relations.paramNames.length > 0) {
    return (
      <a class="btn" href={`/tasks/${run.task_id}/run?from=${run.run_id}`}>
        Run again…
      </a>
    );
  }
  return (
    <button type="button" class="btn" hx-post={`/runs/${run.run_id}/rerun`} hx-disabled-elt="this">
      Run again
    </button>
  );
}

/**
 * The parameter values a run ran with (secret ones are never kept, so never shown), in the order the
 * task declares them; the database keeps no order of its own.
 */
export function RunParams({ params, order = [] }: { params: RunJson['params']; order?: string[] }) {
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  const entries = Object.entries(params).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
  if (entries.length === 0) return null;
  return (
    <section class="run-params" aria-labelledby="params-heading">
      <h2 id="params-heading">Parameters</h2>
      <dl>
        {entries.map(([name, value]) => (
          <div class="param">
            <dt>
              <code>{name}</code>
            </dt>
            <dd>
              <code class="param-value">{String(value)}</code>
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

import { RUN_STATUSES } from '../db/schema';
import type { RunJson } from '../runs/json';
import { formatDuration } from './format';
import { Layout } from './layout';
import { StatusBadge, Time } from './status-badge';

/** The filters of the history as the form shows them (strings; empty means "any"). */
export type RunsFilter = { task_id: string; status: string; cursor: string };

/** One page of the history, newest first, and the cursor of the next (older) page. */
export type RunsPageData = { runs: RunJson[]; next_cursor: string | null };

/** The URL of the history with these filters, for links and the address bar. */
export function runsUrl(f: Partial<RunsFilter>): string {
  const params = new URLSearchParams(Object.entries(f).filter(([, v]) => v) as [string, string][]);
  const qs = params.toString();
  return qs ? `/runs?${qs}` : '/runs';
}

function RunRow({ run }: { run: RunJson }) {
  return (
    <tr>
      <th scope="row">
        <a href={`/runs/${run.run_id}`}>#{run.run_id}</a>
      </th>
      <td data-label="Task">
        <a href={runsUrl({ task_id: run.task_id })} title={`Runs of ${run.task_id}`}>
          {run.task_id}
        </a>
      </td>
      <td data-label="Status">
        <StatusBadge status={run.status} />
      </td>
      <td data-label="Exit">{run.exit_code ?? run.signal ?? ''}</td>
      <td data-label="Queued">
        <Time iso={run.created_at} />
      </td>
      <td data-label="Duration">{run.duration_ms === null ? '' : formatDuration(run.duration_ms)}</td>
      <td data-label="Trigger">{run.trigger}</td>
    </tr>
  );
}

function PageLink({ href, children }: { href: string; children: string }) {
  return (
    <a class="btn btn-small" href={href} hx-get={href} hx-target="#runs-results" hx-swap="outerHTML" hx-push-url="true">
      {children}
    </a>
  );
}

/** The results part of the history: the table and its keyset pagination; swapped when filters change. */
export function RunsResults({ page, filter }: { page: RunsPageData; filter: RunsFilter }) {
  const any = filter.task_id || filter.status;
  return (
    <div id="runs-results" class="runs-results">
      {page.runs.length === 0 ? (
        <p class="empty">{filter.cursor ? 'No older runs.' : any ? 'No runs match these filters.' : 'No runs yet.'}</p>
      ) : (
        <table class="table runs">
          <caption class="sr-only">Runs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Task</th>
              <th scope="col">Status</th>
              <th scope="col">Exit</th>
              <th scope="col">Queued</th>
              <th scope="col">Duration</th>
              <th scope="col">Trigger</th>
            </tr>
          </thead>
          <tbody>
            {page.runs.map((r) => (
              <RunRow run={r} />
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label="Pages">
        {filter.cursor && <PageLink href={runsUrl({ ...filter, cursor: '' })}>Newest</PageLink>}
        {page.next_cursor && <PageLink href={runsUrl({ ...filter, cursor: page.next_cursor })}>Older runs →</PageLink>}
      </nav>
    </div>
  );
}

/** The history of runs: filters by task and status, newest first, paged by keyset. */
export function RunsPage({ page, filter }: { page: RunsPageData; filter: RunsFilter }) {
  return (
    <Layout title="Runs" section="runs">
      <div class="page-head">
        <h1>Runs</h1>
      </div>
      <form
        class="toolbar filters"
        action="/runs"
        method="get"
        role="search"
        hx-get="/runs"
        hx-target="#runs-results"
        hx-swap="outerHTML"
        hx-push-url="true"
        hx-trigger="submit, change"
      >
        <label>
          Task <input name="task_id" value={filter.task_id} maxlength={64} autocomplete="off" spellcheck={false} placeholder="any" />
        </label>
        <label>
          Status{' '}
          <select name="status">
            <option value="">any</option>
            {RUN_STATUSES.map((s) => (
              <option value={s} selected={filter.status === s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="btn">
          Filter
        </button>
      </form>
      <RunsResults page={page} filter={filter} />
    </Layout>
  );
}

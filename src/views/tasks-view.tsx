import type { TaskListItem } from '../services/task-list';
import { Layout } from './layout';
import { RunControl, TaskState } from './task-state';

type Task = TaskListItem;

/** How many tasks one piece of the list shows; more come on demand, so a thousand tasks render as fast as ten. */
export const TASKS_PAGE = 100;

/** A piece of the list: the tasks from `offset` on (matching `q`), and how many match in all. */
export type TaskSlice<T = Task> = { tasks: T[]; q: string; offset: number; matching: number };

/** A task's isolation level, as a badge: strict ones stand out, and say when they have no network. */
export function IsolationBadge({ isolation, network }: { isolation: 'standard' | 'strict'; network: boolean }) {
  const title =
    isolation === 'strict'
      ? `strict isolation: namespaces, read-only system, private /tmp${network ? '' : ', no network'}`
      : 'standard isolation: an unprivileged user, a scratch folder, kernel limits';
  return (
    <span class={`level level-${isolation}`} title={title}>
      {isolation}
      {isolation === 'strict' && !network ? ', no network' : ''}
    </span>
  );
}

function TaskRow({ task }: { task: Task }) {
  return (
    <tr id={`task-${task.id}`}>
      <th scope="row" class="task-name">
        <a href={`/tasks/${task.id}/edit`}>{task.id}</a>
        {task.description && (
          <p class="task-desc" title={task.description}>
            {task.description}
          </p>
        )}
      </th>
      <td class="task-lang" data-label="Language">
        <span class="lang">{task.language}</span> <IsolationBadge isolation={task.isolation} network={task.network} />
      </td>
      <td data-label="Last run">
        <TaskState task={task} />
      </td>
      <td class="task-actions">
        <RunControl id={task.id} hasParams={task.params.length > 0} />
      </td>
    </tr>
  );
}

function moreUrl(q: string, offset: number): string {
  const params = new URLSearchParams({ offset: String(offset) });
  if (q) params.set('q', q);
  return `/tasks/rows?${params}`;
}

/** The rows of one piece of the list, and a "more" row that loads the next piece in its place. */
export function TaskRowsMore({ slice }: { slice: TaskSlice }) {
  const next = slice.offset + slice.tasks.length;
  return (
    <>
      {slice.tasks.map((t) => (
        <TaskRow task={t} />
      ))}
      {next < slice.matching && (
        <tr id="tasks-more" class="more">
          <td colspan={4}>
            <button
              type="button"
              class="btn"
              hx-get={moreUrl(slice.q, next)}
              hx-trigger="click, revealed"
              hx-target="#tasks-more"
              hx-swap="outerHTML"
            >
              Show more tasks ({slice.matching - next} left)
            </button>
          </td>
        </tr>
      )}
    </>
  );
}

/**
 * The table body of the task list. It reloads itself (with the filter) on `refresh`, which the page
 * script fires after the live connection was lost, as changes may have been missed meanwhile.
 */
export function TaskRows({ slice }: { slice: TaskSlice }) {
  const { q } = slice;
  return (
    <tbody id="task-rows" hx-get="/tasks/rows" hx-trigger="refresh" hx-include="#task-filter" hx-swap="outerHTML">
      <TaskRowsMore slice={slice} />
      {slice.matching === 0 && (
        <tr class="empty">
          <td colspan={4}>
            {q ? (
              <>No task matches “{q}”.</>
            ) : (
              <>
                No tasks yet. <a href="/tasks/new">Create one</a>, or put a script into the tasks folder.
              </>
            )}
          </td>
        </tr>
      )}
    </tbody>
  );
}

/**
 * The piece of `all` tasks from `offset` that match `q` (in id or description, case-insensitive). The
 * page slices tasks before their runs are read, so this takes anything with an id and a description.
 */
export function sliceTasks<T extends Pick<Task, 'id' | 'description'>>(all: T[], q: string, offset: number): TaskSlice<T> {
  const needle = q.trim().toLowerCase();
  const matching = needle ? all.filter((t) => t.id.toLowerCase().includes(needle) || t.description.toLowerCase().includes(needle)) : all;
  return { tasks: matching.slice(offset, offset + TASKS_PAGE), q, offset, matching: matching.length };
}

type TasksPageProps = { slice: TaskSlice; total: number; notice?: string };

/** The home page: the tasks (those matching `q`) with their live run state and a Run button. */
export function TasksPage({ slice, total, notice }: TasksPageProps) {
  const { q } = slice;
  return (
    <Layout title="Tasks" section="tasks">
      <div class="page-head">
        <h1>Tasks</h1>
        <p class="muted">{total === 1 ? '1 task' : `${total} tasks`}</p>
      </div>
      {notice && (
        <p class="alert alert-info" role="status">
          {notice}
        </p>
      )}
      <form class="toolbar" role="search" action="/" method="get">
        <label for="task-filter" class="sr-only">
          Filter tasks
        </label>
        <input
          id="task-filter"
          type="search"
          name="q"
          value={q}
          placeholder="Filter by name or description"
          autocomplete="off"
          hx-get="/tasks/rows"
          hx-trigger="input changed delay:200ms, search"
          hx-target="#task-rows"
          hx-swap="outerHTML"
        />
      </form>
      <table class="table tasks" data-task-events="/events/tasks">
        <caption class="sr-only">Tasks and their last runs</caption>
        <thead>
          <tr>
            <th scope="col">Task</th>
            <th scope="col">Language</th>
            <th scope="col">Last run</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <TaskRows slice={slice} />
      </table>
    </Layout>
  );
}

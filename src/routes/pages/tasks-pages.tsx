import { Hono } from 'hono';
import { AppError } from '../../services/app-error';
import { taskListEntries, taskListItems, type TaskListEntry } from '../../services/task-list';
import { executeTask, getTask } from '../../services/tasks-service';
import { taskIdParam } from '../../services/task-input';
import { isTaskId } from '../../tasks/task-id';
import { TaskMessage, TaskState } from '../../views/task-state';
import { sliceTasks, TaskRows, TaskRowsMore, TasksPage, type TaskSlice } from '../../views/tasks-view';
import { allow } from '../security/authenticate';
import { who } from '../security/context';
import type { WebDeps } from '../deps';
import { sendFragment, sendPage, type PageEnv } from './render';
import { isRunForm, submitTaskRunForm } from './run-form-pages';

const OFFSET_RE = /^[0-9]{1,9}$/;

function offsetParam(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  if (!OFFSET_RE.test(value)) throw new AppError(400, 'offset must be a whole number');
  return Number(value);
}

// The shown piece of the list with its runs: sliced first, so only the shown tasks' runs are read.
async function withRuns(deps: WebDeps, slice: TaskSlice<TaskListEntry>): Promise<TaskSlice> {
  return { ...slice, tasks: await taskListItems(deps, slice.tasks) };
}

/** The task list (home), its live parts, and Run (one click, or the Run form's post); Run is the same service call as execute. */
export function taskPages(deps: WebDeps): Hono<PageEnv> {
  return new Hono<PageEnv>()
    .get('/', allow('viewer'), async (c) => {
      const q = c.req.query('q') ?? '';
      const deleted = c.req.query('deleted');
      const all = await taskListEntries(deps, q.trim() !== '');
      const notice = isTaskId(deleted) ? `Task ${deleted} was deleted.` : undefined;
      return sendPage(c, <TasksPage slice={await withRuns(deps, sliceTasks(all, q, 0))} total={all.length} notice={notice} />);
    })
    .get('/tasks/rows', allow('viewer'), async (c) => {
      const q = c.req.query('q') ?? '';
      const offset = offsetParam(c.req.query('offset'));
      const slice = await withRuns(deps, sliceTasks(await taskListEntries(deps, q.trim() !== ''), q, offset));
      // The first piece replaces the whole body (filter, refresh); later ones replace the "more" row.
      return sendFragment(c, offset === 0 ? <TaskRows slice={slice} /> : <TaskRowsMore slice={slice} />);
    })
    .get('/tasks/:id/state', allow('viewer'), async (c) => {
      const task = await getTask(deps, taskIdParam(c.req.param('id')), { secrets: false });
      return sendFragment(c, <TaskState task={task} />);
    })
    .post('/tasks/:id/run', allow('operator'), async (c) => {
      const id = taskIdParam(c.req.param('id'));
      if (await isRunForm(c)) return submitTaskRunForm(c, deps, id);
      // A refusal (409 busy, 429 queue full) is shown next to this task's Run button.
      c.set('errorTarget', `#task-msg-${id}`);
      await executeTask(deps, id, 'web', who(c));
      const task = await getTask(deps, id, { secrets: false });
      return sendFragment(
        c,
        <>
          <TaskState task={task} />
          <TaskMessage id={id} oob />
        </>,
      );
    });
}

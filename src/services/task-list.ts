import { recentRunsOfTasks } from '../runs/read';
import { taskDescriptions } from '../queries/task-settings';
import { getTaskSettings } from '../queries/task-settings';
import { listTaskFiles, type TaskFile } from '../tasks/task-files';
import type { Deps } from './deps';
import { activeAndLast } from '../runs/json';
import type { TaskJson } from './tasks-service';

/** A task in the list before its runs are read: enough to filter and slice a thousand of them. */
export type TaskListEntry = Pick<TaskJson, 'id' | 'description'> & { file: TaskFile };

/** A row of the task list: what it shows of a task (its active or last run, whether Run asks for parameters). */
export type TaskListItem = Pick<
  TaskJson,
  'id' | 'file' | 'language' | 'description' | 'params' | 'isolation' | 'network' | 'active_run' | 'last_run'
>;

/**
 * Every script in TASKS_DIR, in id order; `withDescriptions` (to filter on them) reads every task's
 * description with one light query, else they are left empty: the shown ones are read with their runs.
 */
export async function taskListEntries(deps: Deps, withDescriptions: boolean): Promise<TaskListEntry[]> {
  const [files, descriptions] = await Promise.all([
    listTaskFiles(deps.cfg.tasksDir),
    withDescriptions ? taskDescriptions(deps.db) : undefined,
  ]);
  return files.map((file) => ({ id: file.id, description: descriptions?.get(file.id) ?? '', file }));
}

/**
 * The rows of the given tasks: settings and newest runs read for these only. The list shows a page of
 * tasks at a time, so a thousand tasks cost a hundred tasks' reads (all of them: 2,000 rows).
 */
export async function taskListItems(deps: Deps, entries: TaskListEntry[]): Promise<TaskListItem[]> {
  const ids = entries.map((e) => e.id);
  const [settings, recent] = await Promise.all([getTaskSettings(deps.db, ids), recentRunsOfTasks(deps.db, ids)]);
  return entries.map(({ id, file }) => {
    const s = settings.get(id)!;
    return {
      id,
      file: file.file,
      language: file.language,
      description: s.description,
      params: s.params,
      isolation: s.isolation,
      network: s.network,
      ...activeAndLast(recent.get(id) ?? []),
    };
  });
}

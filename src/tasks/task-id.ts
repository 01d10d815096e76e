/** A task id: the script's file name without its extension. Nothing else ever names a file. */
export const TASK_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** True when `id` is a valid task id. */
export function isTaskId(id: unknown): id is string {
  return typeof id === 'string' && TASK_ID_RE.test(id);
}

import type { Context } from 'hono';
import { AppError } from '../../services/app-error';
import type { FieldErrors, FormValues } from '../../views/editor-fields';

/** The editor form's values as typed; browsers send textareas with \r\n, scripts are saved with \n. */
export async function readTaskForm(c: Context): Promise<FormValues> {
  const body = await c.req.parseBody();
  const text = (key: string): string => {
    const v = body[key];
    return typeof v === 'string' ? v : '';
  };
  return {
    id: text('id').trim(),
    language: text('language'),
    description: text('description').replace(/\r\n?/g, '\n'),
    timeout_s: text('timeout_s').trim(),
    content: text('content').replace(/\r\n?/g, '\n'),
  };
}

// An empty timeout means "the default": absent when creating, null (reset) when saving.
const timeout = (v: string, empty: null | undefined) => (v === '' ? empty : Number(v));

/** The form as the body of POST /api/tasks, for the same validation. */
export function createPayload(v: FormValues): Record<string, unknown> {
  return { id: v.id, language: v.language, content: v.content, description: v.description, timeout_s: timeout(v.timeout_s, undefined) };
}

/** The form as the body of PUT /api/tasks/:id. */
export function updatePayload(v: FormValues): Record<string, unknown> {
  return { content: v.content, description: v.description, timeout_s: timeout(v.timeout_s, null) };
}

/** The per-field messages of a validation error, or undefined for any other error. */
export function fieldErrors(err: unknown): FieldErrors | undefined {
  if (!(err instanceof AppError) || err.status !== 400) return undefined;
  const fields = err.extra.fields;
  return fields && typeof fields === 'object' ? (fields as FieldErrors) : undefined;
}

/** A new task's id that is taken is an error of the id field, shown beside it. */
export function takenIdError(err: unknown): FieldErrors | undefined {
  return err instanceof AppError && err.status === 409 ? { id: 'a task with this id already exists' } : undefined;
}

import type { Context } from 'hono';
import { AppError } from '../../services/app-error';
import { updateTaskInput, type UpdateTaskInput } from '../../services/task-input';
import { parseInput } from '../../services/validate';
import type { TaskJson } from '../../services/tasks-service';
import type { FieldErrors, FormValues } from '../../views/editor-fields';
import { LIMIT_FIELDS, type SettingsValues } from '../../views/editor-settings';

const MB = 1024 * 1024;

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

/** The settings form's values as typed. */
export async function readSettingsForm(c: Context): Promise<SettingsValues> {
  const body = await c.req.parseBody();
  const text = (key: string): string => {
    const v = body[key];
    return typeof v === 'string' ? v.replace(/\r\n?/g, '\n') : '';
  };
  return {
    params: text('params'),
    env: text('env'),
    max_retries: text('max_retries').trim(),
    retry_delay_s: text('retry_delay_s').trim(),
    isolation: text('isolation').trim(),
    // The form sends a hidden "false" before the box, so an unchecked box still says so (the last wins).
    network: text('network'),
    ...Object.fromEntries(LIMIT_FIELDS.map((f) => [f.name, text(f.name).trim()])),
  } as SettingsValues;
}

// An empty timeout means "the default": absent when creating, null (reset) when saving.
const timeout = (v: string, empty: null | undefined) => (v === '' ? empty : Number(v));

function invalidField(field: string, message: string): never {
  throw new AppError(400, `${field}: ${message}`, { fields: { [field]: message } });
}

/** The parameters field: the JSON list of definitions, or null (none) when empty. */
function paramsOf(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch (err) {
    return invalidField('params', `must be valid JSON: ${(err as Error).message}`);
  }
}

/**
 * Environment variables as NAME=value lines (blank lines and # comments skipped). A value in double
 * quotes is read as a JSON string, so one with line breaks still fits on its line.
 */
export function parseEnvText(text: string): Record<string, string> {
  const entries: [string, string][] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) invalidField('env', `line ${i + 1} must be NAME=value`);
    const name = line.slice(0, eq).trim();
    let value = line.slice(eq + 1);
    if (value.startsWith('"')) {
      try {
        const parsed: unknown = JSON.parse(value);
        if (typeof parsed === 'string') value = parsed;
      } catch {
        // Not a JSON string: the value is taken as it is.
      }
    }
    if (seen.has(name)) invalidField('env', `line ${i + 1}: ${name} is set twice`);
    seen.add(name);
    entries.push([name, value]);
  });
  // fromEntries, not assignment: a `__proto__` line stays a key, to be refused by name.
  return Object.fromEntries(entries);
}

/** Environment variables as the form shows them: the inverse of parseEnvText. */
export function envText(env: Record<string, string>): string {
  const quote = (v: string) => (/[\r\n]/.test(v) || v.startsWith('"') ? JSON.stringify(v) : v);
  return Object.entries(env)
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join('\n');
}

/** The form as the body of POST /api/tasks, for the same validation. */
export function createPayload(v: FormValues): Record<string, unknown> {
  return { id: v.id, language: v.language, content: v.content, description: v.description, timeout_s: timeout(v.timeout_s, undefined) };
}

/** The form as the body of PUT /api/tasks/:id. */
export function updatePayload(v: FormValues): Record<string, unknown> {
  return { content: v.content, description: v.description, timeout_s: timeout(v.timeout_s, null) };
}

/**
 * The settings form as the body of PUT /api/tasks/:id, checked; empty fields restore the defaults
 * (none, 0). Text that does not even parse is reported together with the other fields' problems.
 */
export function settingsPayload(v: SettingsValues): UpdateTaskInput {
  const errors: FieldErrors = {};
  const parsed = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (err) {
      const fields = fieldErrors(err);
      if (!fields) throw err;
      Object.assign(errors, fields);
      return undefined;
    }
  };
  const number = (text: string) => (text === '' ? null : Number(text));
  const limits = Object.fromEntries(
    LIMIT_FIELDS.map((f) => {
      const n = number(v[f.name]);
      return [f.name, n !== null && f.mb ? n * MB : n];
    }),
  );
  const payload = {
    params: parsed(() => paramsOf(v.params)),
    env: parsed(() => parseEnvText(v.env)),
    max_retries: number(v.max_retries),
    retry_delay_s: number(v.retry_delay_s),
    // Absent (a form without these fields, such as a page loaded before an upgrade): unchanged.
    isolation: v.isolation === '' ? undefined : v.isolation,
    network: v.network === '' ? undefined : v.network === 'true',
    ...limits,
  };
  const checked = parsed(() => parseInput(updateTaskInput, payload));
  if (checked === undefined || Object.keys(errors).length > 0) {
    const message = Object.entries(errors)
      .map(([k, m]) => `${k}: ${m}`)
      .join('; ');
    throw new AppError(400, message, { fields: errors });
  }
  return checked;
}

/** A task's settings as the settings form shows them. */
export function settingsValues(
  task: Pick<
    TaskJson,
    'params' | 'env' | 'max_retries' | 'retry_delay_s' | 'isolation' | 'network' | (typeof LIMIT_FIELDS)[number]['name']
  >,
): SettingsValues {
  const limit = (f: (typeof LIMIT_FIELDS)[number]) => {
    const v = task[f.name];
    return v === null ? '' : String(f.mb ? Math.round(v / MB) : v);
  };
  return {
    params: task.params.length > 0 ? JSON.stringify(task.params, null, 2) : '',
    env: envText(task.env),
    max_retries: String(task.max_retries),
    retry_delay_s: String(task.retry_delay_s),
    isolation: task.isolation,
    network: String(task.network),
    ...Object.fromEntries(LIMIT_FIELDS.map((f) => [f.name, limit(f)])),
  } as SettingsValues;
}

// Where in a field a nested error is: `params.1.name` is "parameter 2, name", `env.KEY` is "KEY".
function nestedWhere(field: string, rest: string[]): string {
  if (field === 'params' && /^[0-9]+$/.test(rest[0] ?? '')) return [`parameter ${Number(rest[0]) + 1}`, ...rest.slice(1)].join(', ');
  return rest.join('.');
}

/**
 * The per-field messages of a validation error, or undefined for any other error. Messages about a
 * part of a field (`params.0.name`, `env.KEY`) are shown beside the field they belong to.
 */
export function fieldErrors(err: unknown): FieldErrors | undefined {
  if (!(err instanceof AppError) || err.status !== 400) return undefined;
  const fields = err.extra.fields;
  if (!fields || typeof fields !== 'object') return undefined;
  // No prototype: a field named __proto__ is a key like any other.
  const out: FieldErrors = Object.create(null);
  for (const [key, message] of Object.entries(fields as Record<string, string>)) {
    const [field, ...rest] = key.split('.');
    out[field] ??= rest.length === 0 ? message : `${nestedWhere(field, rest)}: ${message}`;
  }
  return out;
}

/** A new task's id that is taken is an error of the id field, shown beside it. */
export function takenIdError(err: unknown): FieldErrors | undefined {
  return err instanceof AppError && err.status === 409 ? { id: 'a task with this id already exists' } : undefined;
}

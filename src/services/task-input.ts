import { z } from 'zod';
import { MAX_TIMEOUT_S } from '../config';
import { envVars } from '../tasks/env-vars';
import { CREATABLE_LANGUAGES } from '../tasks/languages';
import { paramDefs } from '../tasks/params';
import { TASK_ID_RE } from '../tasks/task-id';
import { parsePath } from './validate';

const MAX_CONTENT = 1024 * 1024;

const id = z
  .string({ error: 'must be a string' })
  .regex(TASK_ID_RE, { error: 'must be 1 to 64 letters, digits, _ or -, starting with a letter or digit' });
// Text that would not be stored as sent is refused: Postgres cannot hold a NUL byte (it failed as a
// 500), and a lone UTF-16 surrogate would be saved as U+FFFD.
const LONE_SURROGATE = /\p{Cs}/u;
const text = (max: number, tooLong: string) =>
  z
    .string({ error: 'must be a string' })
    .max(max, { error: tooLong })
    .refine((s) => !s.includes('\0'), { error: 'must not contain NUL bytes' })
    .refine((s) => !LONE_SURROGATE.test(s), { error: 'must be valid Unicode: it has a lone surrogate' });
const content = text(MAX_CONTENT, 'must be at most 1 MB');
const description = text(2000, 'must be at most 2000 characters');
const timeoutS = z
  .number({ error: 'must be a whole number of seconds' })
  .int({ error: 'must be a whole number of seconds' })
  .min(1, { error: 'must be at least 1' })
  .max(MAX_TIMEOUT_S, { error: `must be at most ${MAX_TIMEOUT_S}` });
// A setting that is a whole number in a range; null restores its default.
const wholeNumber = (unit: string, min: number, max: number) => {
  const error = `must be a whole number${unit ? ` of ${unit}` : ''}`;
  return z
    .number({ error })
    .int({ error })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` })
    .nullable()
    .optional();
};
// Resource limits of a run's process tree; null means the environment's default (RUN_MAX_RSS_MB, ...).
const limits = {
  max_rss_bytes: z
    .number({ error: 'must be a whole number of bytes' })
    .int({ error: 'must be a whole number of bytes' })
    .min(1024 * 1024, { error: 'must be at least 1048576 (1 MB)' })
    .max(Number.MAX_SAFE_INTEGER, { error: 'is too large' })
    .nullable()
    .optional(),
  max_cpu_pct: z
    .number({ error: 'must be a number (100 = one core)' })
    .min(1, { error: 'must be at least 1' })
    .max(1_000_000, { error: 'must be at most 1000000' })
    .nullable()
    .optional(),
  limit_grace_s: wholeNumber('seconds', 0, 86400),
  // Fleet settings: queue a run lost with its runner once more; keep runs this many days (null: RUN_RETENTION_DAYS, 0: forever).
  retry_on_lost: z.boolean({ error: 'must be true or false' }).optional(),
  retention_days: wholeNumber('days', 0, 36500),
};
// Isolation and the limits the kernel enforces on every run; null restores the runner's default
// (RUN_MAX_PROCESSES, RUN_MAX_MEMORY_MB, ...).
const bytes = (min: number, minText: string) =>
  z
    .number({ error: 'must be a whole number of bytes' })
    .int({ error: 'must be a whole number of bytes' })
    .min(min, { error: `must be at least ${min} (${minText})` })
    .max(Number.MAX_SAFE_INTEGER, { error: 'is too large' })
    .nullable()
    .optional();
const isolation = {
  isolation: z.enum(['standard', 'strict'], { error: 'must be standard or strict' }).optional(),
  network: z.boolean({ error: 'must be true or false' }).optional(),
  max_processes: wholeNumber('', 1, 4_194_304),
  max_memory_bytes: bytes(16 * 1024 * 1024, '16 MB'),
  max_file_bytes: bytes(1024 * 1024, '1 MB'),
  max_open_files: wholeNumber('', 16, 1_048_576),
  max_cpu_seconds: wholeNumber('seconds', 1, 365 * 86400),
};

// Automation: declared parameters, plain environment variables (secrets have routes of their own), and
// retries of a run that ended failed, timeout or lost. null restores the default (none, none, 0, 0).
const automation = {
  params: paramDefs.nullable().optional(),
  env: envVars.nullable().optional(),
  max_retries: wholeNumber('', 0, 10),
  retry_delay_s: wholeNumber('seconds', 0, 86400),
};

/** POST /api/tasks and the editor's create form. */
export const createTaskInput = z.strictObject(
  {
    id,
    language: z.enum(CREATABLE_LANGUAGES, { error: `must be one of ${CREATABLE_LANGUAGES.join(', ')}` }),
    content,
    description: description.optional(),
    timeout_s: timeoutS.nullable().optional(),
    ...limits,
    ...isolation,
    ...automation,
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field ${iss.keys.join(', ')}` : 'must be a JSON object') },
);
export type CreateTaskInput = z.infer<typeof createTaskInput>;

/** PUT /api/tasks/:id and the editor's save form: any of the fields; null timeout_s means the default. */
export const updateTaskInput = z.strictObject(
  {
    content: content.optional(),
    description: description.optional(),
    timeout_s: timeoutS.nullable().optional(),
    ...limits,
    ...isolation,
    ...automation,
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field ${iss.keys.join(', ')}` : 'must be a JSON object') },
);
export type UpdateTaskInput = z.infer<typeof updateTaskInput>;

/** A task id in a URL's path: 400 when it could name anything but a task. */
export const taskIdPath = z
  .string()
  .regex(TASK_ID_RE, { error: 'invalid task id: use 1 to 64 letters, digits, _ or -, starting with a letter or digit' });

/** A task id from a URL: 400 when it could name anything but a task. */
export function taskIdParam(value: string): string {
  return parsePath(taskIdPath, value);
}

/** The optional body of POST /api/tasks/:id/execute and POST /api/runs/:run_id/rerun: parameter values. */
export const runInput = z.strictObject(
  {
    params: z
      .unknown()
      .meta({
        type: 'object',
        additionalProperties: { type: ['string', 'number', 'boolean'] },
        description: "Values of the task's declared parameters.",
      })
      .optional(),
  },
  {
    error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field ${iss.keys.join(', ')}` : 'must be a JSON object {"params": {...}}'),
  },
);

import { z } from 'zod';

// Names and values of a task's environment variables and secrets: both become variables of the
// script's environment, so both follow the same rules.

export const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const MAX_ENV_NAME = 100;
export const MAX_ENV_VARS = 100;
export const MAX_ENV_VALUE = 32768;
const LONE_SURROGATE = /\p{Cs}/u;

const SHELL_OWN = new Set(['OPTIND', 'UID', 'EUID', 'PPID', 'SHELLOPTS', 'BASHOPTS', 'BASH_VERSINFO', 'GROUPS']);

/** What is wrong with a variable name, or undefined when it is fine. */
export function envNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > MAX_ENV_NAME) return `must be 1 to ${MAX_ENV_NAME} characters`;
  if (!ENV_NAME_RE.test(name)) return 'must be letters, digits or _, not starting with a digit';
  // taskrun sets TASKRUN_RUN_ID, TASKRUN_PARAM_* and the like itself.
  if (/^TASKRUN_/i.test(name)) return 'must not start with TASKRUN_ (taskrun sets those)';
  // A JSON key that would change an object's prototype instead of naming a variable.
  if (name === '__proto__') return 'is reserved';
  // The shell that starts a run sets the variables; these it holds itself (dash, or bash).
  if (SHELL_OWN.has(name)) return "is the shell's own: the shell that starts a run cannot take it";
  return undefined;
}

/** What is wrong with a variable's value, or undefined when it is fine. */
export function envValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length > MAX_ENV_VALUE) return `must be at most ${MAX_ENV_VALUE} characters`;
  // The environment of a process cannot carry a NUL byte.
  if (value.includes('\0')) return 'must not contain NUL bytes';
  if (LONE_SURROGATE.test(value)) return 'must be valid Unicode: it has a lone surrogate';
  return undefined;
}

/** A variable or secret name, as a zod schema. */
export const envName = z.string({ error: 'must be a string' }).superRefine((name, ctx) => {
  const problem = envNameProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * The `env` setting of a task: an object of NAME: value. Checked by hand rather than with z.record,
 * which drops a `__proto__` key silently instead of refusing it.
 */
export const envVars = z
  .unknown()
  .transform((input, ctx): Record<string, string> => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of NAME: "value"' });
      return z.NEVER;
    }
    const entries = Object.entries(input);
    if (entries.length > MAX_ENV_VARS) ctx.addIssue({ code: 'custom', message: `must have at most ${MAX_ENV_VARS} variables` });
    for (const [name, value] of entries) {
      const problem = envNameProblem(name) ?? envValueProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
    }
    return Object.fromEntries(entries) as Record<string, string>;
  })
  .meta({ type: 'object', additionalProperties: { type: 'string' } }); // what an OpenAPI document shows of the check above

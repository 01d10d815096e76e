import { z } from 'zod';
import { compilePattern, matchesPattern, newBudget, type MatchBudget } from './param-pattern';

// Typed parameters of a task: declared in its settings, filled in by the Run form, the API, a
// schedule or a webhook, and handed to the script as argv and environment, never through a shell.

export const PARAM_TYPES = ['string', 'integer', 'number', 'boolean', 'choice', 'text', 'secret'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];
export type ParamValue = string | number | boolean;
export type ParamValues = Record<string, ParamValue>;

export const PARAM_NAME_RE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const MAX_VALUE_CHARS = 65536;
const MAX_PARAMS = 50;

const LONE_SURROGATE = /\p{Cs}/u;
const label = z.string({ error: 'must be a string' }).max(200, { error: 'must be at most 200 characters' });

/** One declared parameter. `min`/`max` bound a number's value or a text's length. */
export const paramDef = z
  .strictObject(
    {
      name: z
        .string({ error: 'must be a string' })
        .regex(PARAM_NAME_RE, { error: 'must be 1 to 64 letters, digits or _, starting with a letter' }),
      type: z.enum(PARAM_TYPES, { error: `must be one of ${PARAM_TYPES.join(', ')}` }),
      label: label.optional(),
      description: z.string({ error: 'must be a string' }).max(2000, { error: 'must be at most 2000 characters' }).optional(),
      required: z.boolean({ error: 'must be true or false' }).optional(),
      default: z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, number or boolean' }).optional(),
      choices: z
        .array(label, { error: 'must be a list of strings' })
        .min(1, { error: 'must list at least one choice' })
        .max(200)
        .optional(),
      // RE2 syntax, matched in linear time (param-pattern.ts); checked in the refinement below, which knows the name.
      pattern: z.string({ error: 'must be a string' }).max(500).optional(),
      min: z.number({ error: 'must be a number' }).optional(),
      max: z.number({ error: 'must be a number' }).optional(),
    },
    { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field ${iss.keys.join(', ')}` : 'must be an object') },
  )
  .superRefine((d, ctx) => {
    if (d.type === 'choice' && !d.choices) ctx.addIssue({ code: 'custom', path: ['choices'], message: 'a choice parameter needs choices' });
    if (d.type !== 'choice' && d.choices)
      ctx.addIssue({ code: 'custom', path: ['choices'], message: 'only a choice parameter has choices' });
    if (d.min !== undefined && d.max !== undefined && d.min > d.max)
      ctx.addIssue({ code: 'custom', path: ['min'], message: 'must not be above max' });
    if (d.type === 'secret' && d.default !== undefined)
      ctx.addIssue({ code: 'custom', path: ['default'], message: 'a secret parameter cannot have a default' });
    const pattern = d.pattern === undefined ? undefined : compilePattern(d.pattern);
    if (pattern && 'error' in pattern) {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: `the pattern of ${d.name} ${pattern.error}` });
    } else if (d.default !== undefined && d.type !== 'secret') {
      const checked = checkValue(d, d.default, newBudget());
      if (typeof checked === 'object') ctx.addIssue({ code: 'custom', path: ['default'], message: checked.error });
    }
  });
export type ParamDef = z.infer<typeof paramDef>;

/** The `params` setting of a task: names unique regardless of case, since each becomes an environment variable. */
export const paramDefs = z
  .array(paramDef, { error: 'must be a list of parameters' })
  .max(MAX_PARAMS, { error: `must declare at most ${MAX_PARAMS} parameters` })
  .superRefine((defs, ctx) => {
    const seen = new Set<string>();
    defs.forEach((d, i) => {
      const key = d.name.toUpperCase();
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `${d.name} is declared twice` });
      seen.add(key);
    });
  });

/** A value as the given type, or what is wrong with it. Strings are accepted for every type (forms, webhooks). */
function checkValue(def: Omit<ParamDef, 'default'>, raw: unknown, budget: MatchBudget): ParamValue | { error: string } {
  const bad = (error: string) => ({ error });
  switch (def.type) {
    case 'integer':
    case 'number': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : NaN;
      if (!Number.isFinite(n)) return bad(def.type === 'integer' ? 'must be a whole number' : 'must be a number');
      if (def.type === 'integer' && !Number.isSafeInteger(n)) return bad('must be a whole number');
      if (def.min !== undefined && n < def.min) return bad(`must be at least ${def.min}`);
      if (def.max !== undefined && n > def.max) return bad(`must be at most ${def.max}`);
      return n;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'on' || raw === '1') return true;
      if (raw === 'false' || raw === 'off' || raw === '0') return false;
      return bad('must be true or false');
    }
    default: {
      if (typeof raw !== 'string') return bad('must be a string');
      if (raw.length > MAX_VALUE_CHARS) return bad(`must be at most ${MAX_VALUE_CHARS} characters`);
      // argv and the environment cannot carry a NUL byte.
      if (raw.includes('\0')) return bad('must not contain NUL bytes');
      if (LONE_SURROGATE.test(raw)) return bad('must be valid Unicode: it has a lone surrogate');
      if (def.type !== 'text' && def.type !== 'secret' && /[\r\n]/.test(raw)) return bad('must be a single line');
      if (def.type === 'choice' && !def.choices!.includes(raw)) return bad(`must be one of ${def.choices!.join(', ')}`);
      if (def.min !== undefined && raw.length < def.min) return bad(`must be at least ${def.min} characters`);
      if (def.max !== undefined && raw.length > def.max) return bad(`must be at most ${def.max} characters`);
      if (def.pattern !== undefined) return checkPattern(def.pattern, raw, budget);
      return raw;
    }
  }
}

// A value against its parameter's pattern. A stored pattern RE2 cannot compile (a lookaround or a
// backreference, in settings from an older taskrun or written around the API) checks nothing: the
// value is refused until an editor changes the pattern.
function checkPattern(source: string, value: string, budget: MatchBudget): string | { error: string } {
  const pattern = compilePattern(source);
  if ('error' in pattern) return { error: `cannot be checked: the parameter's pattern ${pattern.error}; an editor must change it` };
  const matched = matchesPattern(pattern, value, budget);
  if (matched === 'too long') return { error: 'is too long to check against its pattern' };
  return matched ? value : { error: `must match ${source}` };
}

/** Values split into what the run shows and keeps (`values`) and what it must not keep (`secrets`). */
export type CheckedParams = { values: ParamValues; secrets: Record<string, string> };

/**
 * Checks the values given for a task's parameters: defaults fill what is missing, and every problem is
 * named by field (`errors`). An empty string counts as missing, as a blank form field does.
 */
export function checkParams(defs: ParamDef[], input: unknown): CheckedParams | { errors: Record<string, string> } {
  // No prototype: an unknown key named __proto__ must be reported like any other, not swallowed by the setter.
  const errors: Record<string, string> = Object.create(null);
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) return { errors: { params: 'must be a JSON object of parameter values' } };
  const given = input as Record<string, unknown>;
  const known = new Set(defs.map((d) => d.name));
  for (const key of Object.keys(given)) if (!known.has(key)) errors[key] = 'is not a parameter of this task';
  const values: ParamValues = {};
  const secrets: Record<string, string> = {};
  const budget = newBudget();
  for (const def of defs) {
    let raw = given[def.name];
    if (raw === '' || raw === null) raw = undefined;
    if (raw === undefined) raw = def.default;
    if (raw === undefined) {
      if (def.type === 'boolean') raw = false;
      else {
        if (def.required) errors[def.name] = 'is required';
        continue;
      }
    }
    const value = checkValue(def, raw, budget);
    if (typeof value === 'object') errors[def.name] = value.error;
    else if (def.type === 'secret') secrets[def.name] = String(value);
    else values[def.name] = value;
  }
  return Object.keys(errors).length > 0 ? { errors } : { values, secrets };
}

/** The environment variable a parameter reaches the script as. */
export function paramEnvName(name: string): string {
  return `TASKRUN_PARAM_${name.toUpperCase()}`;
}

/**
 * argv and environment for a run's values. Each value is one `--name=value` entry, so a value that
 * starts with `-` stays a value: argparse and minimist would take a separate `-x` for an option.
 * Secrets go only to the environment: argv can be read by any user of the machine through /proc.
 */
export function paramsForProcess(
  defs: ParamDef[],
  values: ParamValues,
  secrets: Record<string, string>,
): { args: string[]; env: Record<string, string> } {
  const args: string[] = [];
  const env: Record<string, string> = {};
  for (const def of defs) {
    if (def.name in secrets) {
      env[paramEnvName(def.name)] = secrets[def.name]!;
    } else if (def.name in values) {
      const v = String(values[def.name]);
      args.push(`--${def.name}=${v}`);
      env[paramEnvName(def.name)] = v;
    }
  }
  return { args, env };
}

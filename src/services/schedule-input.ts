import { z } from 'zod';
import { MISSED_POLICIES } from '../db/schema';
import type { ParamValues } from '../tasks/params';
import { canonicalZone, cronProblem } from '../scheduler/cron';
import { intIdPath } from './name-input';
import { parseInput, parsePath, withoutEmptyValues } from './validate';

// What clients may send to create, change and preview schedules; the 400s name each field.

const unknownKeys = (what: string) => (iss: { code: string; keys?: string[] }) =>
  iss.code === 'unrecognized_keys' ? `unknown ${what} ${iss.keys!.join(', ')}` : 'must be a JSON object';

// A cron expression, its spaces made single; `notText` is the problem with anything but a string.
const cronText = (notText: string) =>
  z
    .string({ error: notText })
    .transform((v) => v.trim().replace(/\s+/g, ' '))
    .superRefine((v, ctx) => {
      const problem = cronProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
const cron = cronText('must be a string');

const timezone = z.string({ error: 'must be a string' }).transform((v, ctx) => {
  const zone = canonicalZone(v.trim());
  if (!zone) ctx.addIssue({ code: 'custom', message: 'must be an IANA time zone name such as Europe/Berlin or UTC' });
  return zone ?? z.NEVER;
});

// Kept as sent (not rebuilt by z.record), so a key such as __proto__ reaches the check against the
// task's parameters and is refused there instead of silently vanishing.
const params = z
  .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), {
    error: 'must be a JSON object of parameter values',
  })
  .superRefine((p, ctx) => {
    const keys = Object.keys(p);
    if (keys.length > 50) ctx.addIssue({ code: 'custom', message: 'must give at most 50 values' });
    for (const k of keys) {
      if (!['string', 'number', 'boolean'].includes(typeof p[k]))
        ctx.addIssue({ code: 'custom', path: [k], message: 'must be a string, number or boolean' });
    }
  })
  .transform((p) => p as ParamValues)
  .meta({ type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } });

const fields = {
  cron,
  timezone,
  enabled: z.boolean({ error: 'must be true or false' }),
  missed_policy: z.enum(MISSED_POLICIES, { error: `must be one of ${MISSED_POLICIES.join(', ')}` }),
  params,
};

export const createScheduleInput = z.strictObject(
  {
    cron: fields.cron,
    timezone: fields.timezone.default('UTC'),
    enabled: fields.enabled.default(true),
    missed_policy: fields.missed_policy.default('skip'),
    params: fields.params.default({}),
  },
  { error: unknownKeys('field') },
);
export type CreateScheduleInput = z.infer<typeof createScheduleInput>;

export const updateScheduleInput = z
  .strictObject(
    {
      cron: fields.cron.optional(),
      timezone: fields.timezone.optional(),
      enabled: fields.enabled.optional(),
      missed_policy: fields.missed_policy.optional(),
      params: fields.params.optional(),
    },
    { error: unknownKeys('field') },
  )
  .refine((p) => Object.values(p).some((v) => v !== undefined), {
    error: 'nothing to change: give cron, timezone, enabled, missed_policy or params',
  });
export type UpdateScheduleInput = z.infer<typeof updateScheduleInput>;

/** `?cron=&timezone=` of a preview; an absent cron is reported like an empty one, an empty zone is refused. */
export const previewQuery = z.strictObject(
  { cron: cronText(cronProblem('')!), timezone: timezone.default('UTC') },
  { error: unknownKeys('parameter') },
);

/** Parses `?cron=&timezone=` of a preview. */
export function parsePreviewQuery(q: Record<string, string>): { cron: string; timezone: string } {
  return parseInput(previewQuery, q);
}

/** `?limit=&before=` of a schedule's fire records. */
export const firesQuery = z
  .strictObject(
    {
      limit: z.coerce
        .number({ error: 'must be a number' })
        .int({ error: 'must be a whole number' })
        .min(1, { error: 'must be 1 to 500' })
        .max(500, { error: 'must be 1 to 500' })
        .default(50),
      before: z.iso.datetime({ offset: true, error: 'must be a time such as 2026-01-31T03:00:00Z, as next_before gives' }).optional(),
    },
    { error: unknownKeys('parameter') },
  )
  .transform((q): { limit: number; before?: Date } => ({
    limit: q.limit,
    before: q.before === undefined ? undefined : new Date(q.before),
  }));

/** `?limit=&before=` of a schedule's fire records; empty values count as absent. */
export function parseFiresQuery(q: Record<string, string>): { limit: number; before?: Date } {
  return parseInput(firesQuery, withoutEmptyValues(q));
}

/** A schedule id in a URL's path; 400 for anything but a positive whole number that fits the column. */
export const scheduleIdPath = intIdPath('schedule id');

/** A schedule id from a URL; 400 for anything but a positive whole number that fits the column. */
export function scheduleIdParam(value: string): number {
  return parsePath(scheduleIdPath, value);
}

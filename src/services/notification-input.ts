import { z } from 'zod';
import { NOTIFY_EVENTS } from '../db/schema';
import { displayName, strictObjectError } from './name-input';

const EVENT_LIST = NOTIFY_EVENTS.join(', ');

/** Where notifications go: an http or https URL with a host and no credentials in it. */
export const targetUrl = z
  .string({ error: 'must be a string' })
  .max(2000, { error: 'must be at most 2000 characters' })
  .superRefine((s, ctx) => {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an absolute http or https URL' });
      return;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'must use http or https' });
    else if (u.username !== '' || u.password !== '') ctx.addIssue({ code: 'custom', message: 'must not contain a user name or password' });
    else if (u.hostname === '') ctx.addIssue({ code: 'custom', message: 'must name a host' });
  });

/** The run ends a target is told about; `any` is every end. Kept in a fixed order, each once. */
export const targetEvents = z
  .array(z.enum(NOTIFY_EVENTS, { error: `each must be one of ${EVENT_LIST}` }), { error: `must be a list of events (${EVENT_LIST})` })
  .min(1, { error: 'must name at least one event' })
  .max(20, { error: 'must name at most 20 events' })
  .transform((list) => NOTIFY_EVENTS.filter((e) => list.includes(e)));

/** POST /api/tasks/:id/notifications and POST /api/notifications. */
export const newTargetInput = z.strictObject({ name: displayName, url: targetUrl, events: targetEvents }, strictObjectError);
export type NewTargetInput = z.infer<typeof newTargetInput>;

/** PATCH /api/notifications/:target_id: any of the fields, at least one. */
export const targetPatchInput = z
  .strictObject(
    {
      name: displayName.optional(),
      url: targetUrl.optional(),
      events: targetEvents.optional(),
      enabled: z.boolean({ error: 'must be true or false' }).optional(),
    },
    strictObjectError,
  )
  .refine((p) => Object.values(p).some((v) => v !== undefined), { error: 'must change at least one of name, url, events, enabled' });
export type TargetPatch = z.infer<typeof targetPatchInput>;

/** `?limit=&before=` of a target's delivery log. */
export const deliveriesQuery = z.strictObject(
  {
    limit: z.coerce
      .number({ error: 'must be a whole number from 1 to 200' })
      .int({ error: 'must be a whole number from 1 to 200' })
      .min(1, { error: 'must be a whole number from 1 to 200' })
      .max(200, { error: 'must be a whole number from 1 to 200' })
      .default(50),
    before: z
      .string()
      .regex(/^[1-9][0-9]{0,14}$/, { error: 'not a cursor from a previous page' })
      .transform(Number)
      .optional(),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown parameter ${iss.keys.join(', ')}` : 'bad query') },
);
export type DeliveriesQuery = z.infer<typeof deliveriesQuery>;

import { Hono } from 'hono';
import {
  createScheduleInput, parseFiresQuery, parsePreviewQuery, scheduleIdParam, updateScheduleInput,
} from '../services/schedule-input';
import {
  createSchedule, deleteSchedule, getScheduleJson, listSchedulesJson, listTaskSchedules, previewSchedule, scheduleFires, updateSchedule,
} from '../services/schedules-service';
import { taskIdParam } from '../services/task-input';
import { parseInput } from '../services/validate';
import { readJson } from './body';
import type { WebDeps } from './deps';
import { allow } from './security/authenticate';
import { who } from './security/context';

/** Cron schedules of tasks, mounted at /api: /api/schedules and /api/tasks/:id/schedules. */
export function scheduleRoutes(deps: WebDeps): Hono {
  return (
    new Hono()
      .get('/schedules', allow('viewer'), async (c) => c.json(await listSchedulesJson(deps)))
      // Before /schedules/:schedule_id, which would otherwise take "preview" for an id.
      .get('/schedules/preview', allow('viewer'), (c) => {
        const q = parsePreviewQuery(c.req.query());
        return c.json(previewSchedule(q.cron, q.timezone));
      })
      .get('/schedules/:schedule_id', allow('viewer'), async (c) => c.json(await getScheduleJson(deps, scheduleIdParam(c.req.param('schedule_id')))))
      .patch('/schedules/:schedule_id', allow('editor'), async (c) => {
        const id = scheduleIdParam(c.req.param('schedule_id'));
        return c.json(await updateSchedule(deps, id, parseInput(updateScheduleInput, await readJson(c)), who(c)));
      })
      .delete('/schedules/:schedule_id', allow('editor'), async (c) => {
        await deleteSchedule(deps, scheduleIdParam(c.req.param('schedule_id')), who(c));
        return c.body(null, 204);
      })
      .get('/schedules/:schedule_id/fires', allow('viewer'), async (c) => {
        const id = scheduleIdParam(c.req.param('schedule_id'));
        return c.json(await scheduleFires(deps, id, parseFiresQuery(c.req.query())));
      })
      .get('/tasks/:id/schedules', allow('viewer'), async (c) => c.json(await listTaskSchedules(deps, taskIdParam(c.req.param('id')))))
      .post('/tasks/:id/schedules', allow('editor'), async (c) => {
        const id = taskIdParam(c.req.param('id'));
        return c.json(await createSchedule(deps, id, parseInput(createScheduleInput, await readJson(c)), who(c)), 201);
      })
  );
}

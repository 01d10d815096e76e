import type { Context } from 'hono';
import { Hono } from 'hono';
import { roleAtLeast } from '../../auth/roles';
import { getOneTaskSettings } from '../../queries/task-settings';
import { TIME_ZONES } from '../../scheduler/cron';
import { AppError } from '../../services/app-error';
import { createScheduleInput, parsePreviewQuery, scheduleIdParam } from '../../services/schedule-input';
import {
  createSchedule,
  deleteSchedule,
  listSchedulesJson,
  listTaskSchedules,
  previewSchedule,
  recentFires,
  updateSchedule,
} from '../../services/schedules-service';
import { taskIdParam } from '../../services/task-input';
import { parseInput } from '../../services/validate';
import { EMPTY_SCHEDULE_FORM, SchedulePreview, TaskSchedules, type ScheduleFormValues } from '../../views/schedule-form';
import { ScheduleRow, SchedulesPage } from '../../views/schedules-view';
import type { WebDeps } from '../deps';
import { allow } from '../security/authenticate';
import { who } from '../security/context';
import { isHtmx, redirectTo, sendFragment, sendPage, type PageEnv } from './render';

const RECENT_FIRES = 50;

const canEdit = (c: Context) => {
  const p = who(c).principal;
  return p !== undefined && roleAtLeast(p.role, 'editor');
};

// The add-a-schedule form as typed; `param.NAME` fields carry the parameters, empty ones left out.
async function readScheduleForm(c: Context): Promise<ScheduleFormValues> {
  const body = await c.req.parseBody();
  const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
  const params = Object.fromEntries(
    Object.keys(body)
      .filter((k) => k.startsWith('param.') && str(k) !== '')
      .map((k) => [k.slice('param.'.length), str(k)]),
  );
  return {
    cron: str('cron'),
    timezone: str('timezone').trim() || 'UTC',
    missed_policy: str('missed_policy') || 'skip',
    enabled: str('enabled') === 'true',
    params,
  };
}

/** The Schedules page, a task's schedules section, the live preview, and add, pause, resume, delete. */
export function schedulePages(deps: WebDeps): Hono<PageEnv> {
  const taskSection = async (
    c: Context,
    taskId: string,
    values = EMPTY_SCHEDULE_FORM,
    errors: Record<string, string> = {},
    status: 200 | 400 = 200,
  ) => {
    const [schedules, settings] = await Promise.all([listTaskSchedules(deps, taskId), getOneTaskSettings(deps.db, taskId)]);
    const section = (
      <TaskSchedules
        taskId={taskId}
        schedules={schedules}
        canEdit={canEdit(c)}
        defs={settings.params}
        zones={TIME_ZONES}
        values={values}
        errors={errors}
      />
    );
    if (status === 400) {
      // htmx sends a 4xx to #flash unless told otherwise: the form shows its own errors.
      c.header('HX-Retarget', `#schedules-${taskId}`);
      c.header('HX-Reswap', 'outerHTML');
    }
    return sendFragment(c, section, status);
  };

  const setEnabled = async (c: Context, enabled: boolean) => {
    const s = await updateSchedule(deps, scheduleIdParam(c.req.param('schedule_id')!), { enabled }, who(c));
    return sendFragment(c, <ScheduleRow s={s} place={c.req.query('in') === 'task' ? 'task' : 'list'} canEdit />);
  };

  return (
    new Hono<PageEnv>()
      .get('/schedules', allow('viewer'), async (c) => {
        const raw = c.req.query('schedule_id');
        const scheduleId = raw ? scheduleIdParam(raw) : undefined;
        const [schedules, fires] = await Promise.all([listSchedulesJson(deps), recentFires(deps, RECENT_FIRES, scheduleId)]);
        return sendPage(c, <SchedulesPage schedules={schedules} fires={fires} canEdit={canEdit(c)} scheduleId={scheduleId} />);
      })
      // Answers 200 whatever was typed: the message takes the place of the fire times.
      .get('/schedules/preview', allow('viewer'), (c) => {
        const cron = c.req.query('cron') ?? '';
        if (cron.trim() === '') return sendFragment(c, <SchedulePreview empty />);
        try {
          const q = parsePreviewQuery({ cron, timezone: c.req.query('timezone')?.trim() || 'UTC' });
          return sendFragment(c, <SchedulePreview nextFires={previewSchedule(q.cron, q.timezone).next_fires} timezone={q.timezone} />);
        } catch (err) {
          if (err instanceof AppError) return sendFragment(c, <SchedulePreview error={err.message} />);
          throw err;
        }
      })
      .get('/tasks/:id/schedules', allow('viewer'), (c) => taskSection(c, taskIdParam(c.req.param('id'))))
      .post('/tasks/:id/schedules', allow('editor'), async (c) => {
        const taskId = taskIdParam(c.req.param('id'));
        const values = await readScheduleForm(c);
        try {
          const payload = {
            cron: values.cron,
            timezone: values.timezone,
            enabled: values.enabled,
            missed_policy: values.missed_policy,
            params: values.params,
          };
          await createSchedule(deps, taskId, parseInput(createScheduleInput, payload), who(c));
        } catch (err) {
          const fields =
            err instanceof AppError && err.status === 400 ? (err.extra.fields as Record<string, string> | undefined) : undefined;
          if (!fields || !isHtmx(c)) throw err;
          return taskSection(c, taskId, values, fields, 400);
        }
        if (!isHtmx(c)) return redirectTo(c, `/tasks/${taskId}/edit`);
        return taskSection(c, taskId);
      })
      .post('/schedules/:schedule_id/pause', allow('editor'), (c) => setEnabled(c, false))
      .post('/schedules/:schedule_id/resume', allow('editor'), (c) => setEnabled(c, true))
      // The row goes (hx-swap="delete"); an empty 200, since the pages' htmx does not swap a 204.
      .post('/schedules/:schedule_id/delete', allow('editor'), async (c) => {
        await deleteSchedule(deps, scheduleIdParam(c.req.param('schedule_id')), who(c));
        return c.body('', 200);
      })
  );
}

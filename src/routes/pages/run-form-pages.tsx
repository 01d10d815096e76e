import type { Context } from 'hono';
import { Hono } from 'hono';
import { getOneTaskSettings } from '../../queries/task-settings';
import { AppError } from '../../services/app-error';
import { rerunRun, rerunValues } from '../../runs/service';
import { runIdParam } from '../../runs/service';
import { executeTask, requireTask, type ExecuteJson } from '../../services/tasks-service';
import { taskIdParam } from '../../services/task-input';
import type { ParamDef } from '../../tasks/params';
import { defaultValues, paramField, RunForm, RunFormPage, type RunFormValues } from '../../views/run-form';
import { allow } from '../security/authenticate';
import { who } from '../security/context';
import type { WebDeps } from '../deps';
import { fieldErrors } from './editor-form';
import { isHtmx, redirectTo, sendFragment, sendPage, type PageEnv } from './render';

/** True when the request is a submission of the Run form (rather than a one-click Run). */
export async function isRunForm(c: Context): Promise<boolean> {
  return (await c.req.parseBody())._form === '1';
}

/**
 * The Run form's values: `params` as sent to the service, `values` as shown again after a refusal
 * (secrets left out). An unchecked checkbox sends nothing, so a boolean is false unless it is there.
 */
async function readRunForm(c: Context, defs: ParamDef[]): Promise<{ params: Record<string, unknown>; values: RunFormValues }> {
  const body = await c.req.parseBody();
  const params: Record<string, unknown> = {};
  const values: RunFormValues = {};
  const declared = new Set(defs.map((d) => paramField(d.name)));
  for (const def of defs) {
    const raw = body[paramField(def.name)];
    if (def.type === 'boolean') {
      params[def.name] = values[def.name] = raw !== undefined;
      continue;
    }
    if (typeof raw !== 'string') continue;
    // Browsers send a textarea's line breaks as \r\n.
    const value = def.type === 'text' ? raw.replace(/\r\n?/g, '\n') : raw;
    params[def.name] = value;
    if (def.type !== 'secret') values[def.name] = value;
  }
  // A field the task does not declare (a stale form) is passed on, to be refused by name.
  for (const [key, raw] of Object.entries(body)) {
    if (key.startsWith('param.') && !declared.has(key) && typeof raw === 'string') params[key.slice('param.'.length)] = raw;
  }
  return { params, values };
}

type FormTarget = {
  taskId: string;
  defs: ParamDef[];
  action: string;
  rerunOf?: number;
  start: (params: Record<string, unknown>) => Promise<ExecuteJson>;
};

/** Starts the run the form asks for and opens its page; refused values come back beside their fields. */
async function submitRunForm(c: Context<PageEnv>, t: FormTarget): Promise<Response> {
  c.set('errorTarget', '#run-form-status');
  const { params, values } = await readRunForm(c, t.defs);
  try {
    const run = await t.start(params);
    return redirectTo(c, `/runs/${run.run_id}`);
  } catch (err) {
    const errors = fieldErrors(err);
    if (!errors) throw err;
    const props = { taskId: t.taskId, defs: t.defs, values, errors, action: t.action, rerunOf: t.rerunOf };
    if (!isHtmx(c)) return sendPage(c, <RunFormPage {...props} />, 400);
    c.header('HX-Retarget', '#run-form');
    c.header('HX-Reswap', 'outerHTML');
    return sendFragment(c, <RunForm {...props} />, 400);
  }
}

/** The Run form of a task: a fresh run (`POST /tasks/:id/run`, see tasks-pages) or one started again. */
export async function submitTaskRunForm(c: Context<PageEnv>, deps: WebDeps, taskId: string): Promise<Response> {
  const defs = (await getOneTaskSettings(deps.db, taskId)).params;
  return submitRunForm(c, {
    taskId,
    defs,
    action: `/tasks/${taskId}/run`,
    start: (params) => executeTask(deps, taskId, 'web', who(c), params),
  });
}

const asFormValues = (values: Record<string, unknown>): RunFormValues =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === 'boolean' ? v : String(v)]));

/** The Run form page (`?from=RUN` prefills it with that run's values and starts it again), and Run again. */
export function runFormPages(deps: WebDeps): Hono<PageEnv> {
  return new Hono<PageEnv>()
    .get('/tasks/:id/run', allow('operator'), async (c) => {
      const taskId = taskIdParam(c.req.param('id'));
      await requireTask(deps, taskId);
      const defs = (await getOneTaskSettings(deps.db, taskId)).params;
      const from = c.req.query('from');
      if (from === undefined || from === '') {
        return sendPage(
          c,
          <RunFormPage taskId={taskId} defs={defs} values={defaultValues(defs)} errors={{}} action={`/tasks/${taskId}/run`} />,
        );
      }
      const runId = runIdParam(from);
      const kept = await rerunValues(deps, runId);
      if (kept.taskId !== taskId) throw new AppError(404, `run ${runId} is not a run of ${taskId}`);
      const values = { ...defaultValues(defs), ...asFormValues(kept.values) };
      return sendPage(
        c,
        <RunFormPage taskId={taskId} defs={defs} values={values} errors={{}} action={`/runs/${runId}/rerun`} rerunOf={runId} />,
      );
    })
    .post('/runs/:id/rerun', allow('operator'), async (c) => {
      const runId = runIdParam(c.req.param('id'));
      c.set('errorTarget', '#run-msg');
      if (await isRunForm(c)) {
        const { taskId } = await rerunValues(deps, runId);
        const defs = (await getOneTaskSettings(deps.db, taskId)).params;
        return submitRunForm(c, {
          taskId,
          defs,
          action: `/runs/${runId}/rerun`,
          rerunOf: runId,
          start: (params) => rerunRun(deps, runId, who(c), params),
        });
      }
      const run = await rerunRun(deps, runId, who(c));
      return redirectTo(c, `/runs/${run.run_id}`);
    });
}

import { Hono } from 'hono';
import { logName, logPath, tailStart } from '../../logs';
import { retryOfRun } from '../../runs/read';
import { getOneTaskSettings } from '../../queries/task-settings';
import { runJsonLive } from '../../runs/json';
import { cancelRunById, requireRun, runIdParam } from '../../runs/service';
import { allow } from '../security/authenticate';
import { who } from '../security/context';
import type { WebDeps } from '../deps';
import { LOG_TAIL_BYTES, RunPage } from '../../views/run-view';
import { getRunResources } from '../../services/resources-service';
import { RunStatus, type RunState } from '../../views/run-status';
import { sendFragment, sendPage, type PageEnv } from './render';

/** The run view, its status fragment and Cancel; the same service calls as GET /api/runs/:id and cancel. */
export function runPages(deps: WebDeps): Hono<PageEnv> {
  const state = async (runId: number): Promise<RunState> => {
    const row = await requireRun(deps, runId);
    const [retryRunId, settings] = await Promise.all([retryOfRun(deps.db, row), getOneTaskSettings(deps.db, row.taskId)]);
    return {
      run: await runJsonLive(deps, row),
      stopping: row.cancelRequested,
      relations: { retryRunId, paramNames: settings.params.map((d) => d.name) },
    };
  };

  return new Hono<PageEnv>()
    .get('/runs/:id', allow('viewer'), async (c) => {
      const s = await state(runIdParam(c.req.param('id')));
      const run = { taskId: s.run.task_id, id: s.run.run_id };
      const start = await tailStart(logPath(deps.cfg.logsDir, run.taskId, run.id), s.run.log_bytes, LOG_TAIL_BYTES);
      const resources = await getRunResources(deps, run.id);
      return sendPage(c, <RunPage state={s} tailStart={start} logName={logName(run.taskId, run.id)} resources={resources} />);
    })
    .get('/runs/:id/status', allow('viewer'), async (c) =>
      sendFragment(c, <RunStatus state={await state(runIdParam(c.req.param('id')))} />),
    )
    .post('/runs/:id/cancel', allow('operator'), async (c) => {
      const runId = runIdParam(c.req.param('id'));
      c.set('errorTarget', '#run-msg');
      await cancelRunById(deps, runId, who(c));
      return sendFragment(c, <RunStatus state={await state(runId)} />);
    });
}

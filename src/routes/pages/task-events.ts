import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { AppError } from '../../services/app-error';
import { requireRun } from '../../runs/service';
import { allow } from '../security/authenticate';
import type { WebDeps } from '../deps';
import { keepAlive } from '../sse-keepalive';

/**
 * GET /events/tasks: a `task` event (data: the task id) whenever one of its runs changes status, so
 * the page script refreshes just that task's state; a `progress` event (data: JSON {run_id, task_id,
 * percent, message, eta_s}) with a running run's latest progress report, which the page script shows
 * in place without a request.
 */
export function taskEventRoutes(deps: WebDeps): Hono {
  return new Hono().get('/events/tasks', allow('viewer'), (c) =>
    streamSSE(c, async (sse) => {
      // Changes name their task when the sender knew it; the others are looked up by run id.
      const pending = new Map<number, string | undefined>();
      // The latest report of each run since the last write: a slow reader skips the ones in between.
      const progress = new Map<number, string>();
      let closed = false;
      let wake: () => void = () => undefined;
      const unsubscribe = deps.events.subscribe(
        'all',
        (e) => {
          if (e.progress_pct !== undefined) {
            const { id, task_id, progress_pct, progress_msg, progress_eta_s } = e;
            progress.set(
              id,
              JSON.stringify({ run_id: id, task_id, percent: progress_pct, message: progress_msg ?? null, eta_s: progress_eta_s ?? null }),
            );
          } else pending.set(e.id, e.task_id ?? pending.get(e.id));
          wake();
        },
        { progress: true },
      );
      sse.onAbort(() => {
        closed = true;
        wake();
      });
      const stopKeepAlive = keepAlive(sse, deps.cfg.sseKeepAliveMs);
      try {
        await sse.writeSSE({ event: 'ready', data: 'listening', retry: 3000 });
        while (!closed) {
          const changes = [...pending];
          pending.clear();
          const taskIds = new Set<string>();
          for (const [runId, known] of changes) {
            // A run gone meanwhile has nothing to show; a database hiccup costs one update, not the stream.
            const taskId =
              known ??
              (await requireRun(deps, runId).then(
                (run) => run.taskId,
                (err) => {
                  if (!(err instanceof AppError)) deps.log.warn({ err, run_id: runId }, 'task events: run lookup failed');
                  return undefined;
                },
              ));
            if (taskId) taskIds.add(taskId);
          }
          for (const id of taskIds) await sse.writeSSE({ event: 'task', data: id });
          const reports = [...progress.values()];
          progress.clear();
          for (const data of reports) await sse.writeSSE({ event: 'progress', data });
          if (pending.size > 0 || progress.size > 0 || closed) continue;
          await new Promise<void>((resolve) => (wake = resolve));
        }
      } finally {
        stopKeepAlive();
        unsubscribe();
      }
    }),
  );
}

import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { AppError } from '../../services/app-error';
import { requireRun } from '../../services/runs-service';
import type { WebDeps } from '../deps';

const KEEPALIVE_MS = 25_000; // below the idle timeouts of common proxies

/**
 * GET /events/tasks: a `task` event (data: the task id) whenever one of its runs changes status, so
 * the page script refreshes just that task's state.
 */
export function taskEventRoutes(deps: WebDeps): Hono {
  return new Hono().get('/events/tasks', (c) =>
    streamSSE(c, async (sse) => {
      const pending = new Set<number>();
      let closed = false;
      let wake = () => {};
      const unsubscribe = deps.events.subscribe('all', (e) => {
        pending.add(e.id);
        wake();
      });
      sse.onAbort(() => {
        closed = true;
        wake();
      });
      try {
        await sse.writeSSE({ event: 'ready', data: '', retry: 3000 });
        while (!closed) {
          const runIds = [...pending];
          pending.clear();
          const taskIds = new Set<string>();
          for (const runId of runIds) {
            // A run gone meanwhile has nothing to show; a database hiccup costs one update, not the stream.
            const run = await requireRun(deps, runId).catch((err) => {
              if (!(err instanceof AppError)) deps.log.warn({ err, run_id: runId }, 'task events: run lookup failed');
              return null;
            });
            if (run) taskIds.add(run.taskId);
          }
          for (const id of taskIds) await sse.writeSSE({ event: 'task', data: id });
          if (pending.size > 0 || closed) continue;
          const woken = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), KEEPALIVE_MS);
            wake = () => {
              clearTimeout(timer);
              resolve(true);
            };
          });
          if (!woken && !closed) await sse.write(': keepalive\n\n');
        }
      } finally {
        unsubscribe();
      }
    }),
  );
}

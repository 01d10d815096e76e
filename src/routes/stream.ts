import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { ACTIVE_STATUSES } from '../db/schema';
import { logPath, LogViewer } from '../logs';
import { getRun } from '../runs/read';
import type { Run } from '../db/schema';
import { AppError } from '../services/app-error';
import { runJsonLive } from '../runs/json';
import { requireRun } from '../runs/service';
import type { WebDeps } from './deps';
import { keepAlive } from './sse-keepalive';

const OFFSET_RE = /^[0-9]{1,15}$/;
const WAIT_MS = 50; // the longest a viewer waits without looking at its run
const STATUS_POLL_MS = 2000; // fallback for a status NOTIFY missed while the database connection was away

function startOffset(c: Context): number {
  const raw = c.req.header('last-event-id') ?? c.req.query('offset') ?? '0';
  if (!OFFSET_RE.test(raw)) throw new AppError(400, 'Last-Event-ID and offset must be a byte offset');
  return Number(raw);
}

/**
 * GET /api/runs/:run_id/stream: the log as `log` events whose id is the byte offset after them (a
 * reconnect with Last-Event-ID resumes exactly), `status` events on each change, then `end`.
 *
 * The viewers of a running run share one reader of its log, which encodes each piece once; a viewer
 * that falls behind skips ahead and is told which bytes it did not get (src/logs/viewer.ts), so a slow
 * viewer holds back no one and a live view stays live. The log file and /api/logs have every byte.
 */
export async function streamRun(c: Context, deps: WebDeps, runId: number): Promise<Response> {
  let changed = false;
  let wake: () => void = () => undefined;
  // Subscribed before the first read, so a change right after it is not missed: that read then serves
  // as the stream's first look at the run (one database round trip less per stream).
  const unsubscribe = deps.events.subscribe(runId, () => {
    changed = true;
    wake();
  });
  let run: Run;
  let offset: number;
  try {
    run = await requireRun(deps, runId);
    offset = startOffset(c);
  } catch (err) {
    unsubscribe();
    throw err;
  }
  const file = logPath(deps.cfg.logsDir, run.taskId, run.id);
  return streamSSE(c, async (sse) => {
    let closed = false;
    const log = new LogViewer(
      sse,
      deps.logTails,
      file,
      offset,
      () => wake(),
      () => closed,
    );
    sse.onAbort(() => {
      closed = true;
      wake();
    });
    const stopKeepAlive = keepAlive(sse, deps.cfg.sseKeepAliveMs);
    try {
      // The newest row read and not yet looked at, and the last one looked at.
      let unseen: Run | undefined = run;
      let last: Run = run;
      let sent: string | undefined;
      let lastPoll = Date.now();
      while (!closed) {
        if (changed || Date.now() - lastPoll > STATUS_POLL_MS) {
          changed = false;
          lastPoll = Date.now();
          unseen = await getRun(deps.db, runId);
        }
        if (unseen) {
          if (unseen.status !== sent) {
            await sse.writeSSE({ event: 'status', data: JSON.stringify(await runJsonLive(deps, unseen)) });
            sent = unseen.status;
          }
          last = unseen;
          unseen = undefined;
        }
        if (ACTIVE_STATUSES.includes(last.status)) {
          await log.live();
        } else {
          await log.rest();
          // An ended run's row does not change any more: the one that said so is its final state.
          await sse.writeSSE({ event: 'end', data: JSON.stringify(await runJsonLive(deps, last)) });
          break;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, WAIT_MS);
        });
      }
    } finally {
      stopKeepAlive();
      unsubscribe();
      log.release();
    }
  });
}

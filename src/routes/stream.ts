import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { ACTIVE_STATUSES } from '../db/schema';
import { getRun } from '../queries/runs-read';
import { logPath } from '../runs/log-path';
import { readLogPiece } from '../runs/log-reader';
import { AppError } from '../services/app-error';
import { runJsonLive } from '../services/run-json';
import { requireRun } from '../services/runs-service';
import type { WebDeps } from './deps';

const OFFSET_RE = /^[0-9]{1,15}$/;
const TAIL_MS = 50; // how often a live log is looked at: the bound on a line's delay to a viewer
const STATUS_POLL_MS = 2000; // fallback for a status NOTIFY missed while the database connection was away

function startOffset(c: Context): number {
  const raw = c.req.header('last-event-id') ?? c.req.query('offset') ?? '0';
  if (!OFFSET_RE.test(raw)) throw new AppError(400, 'Last-Event-ID and offset must be a byte offset');
  return Number(raw);
}

/**
 * GET /api/runs/:run_id/stream: the log as `log` events whose id is the byte offset after them (a
 * reconnect with Last-Event-ID resumes exactly), `status` events on each change, then `end`.
 */
export async function streamRun(c: Context, deps: WebDeps, runId: number): Promise<Response> {
  const run = await requireRun(deps, runId);
  let offset = startOffset(c);
  const file = logPath(deps.cfg.logsDir, run.taskId, run.id);
  return streamSSE(c, async (sse) => {
    let closed = false;
    let wake: () => void = () => {};
    let changed = true;
    const unsubscribe = deps.events.subscribe(runId, () => {
      changed = true;
      wake();
    });
    sse.onAbort(() => {
      closed = true;
      wake();
    });
    try {
      let status = run.status;
      let sent: string | undefined;
      let lastPoll = 0;
      while (!closed) {
        if (changed || Date.now() - lastPoll > STATUS_POLL_MS) {
          changed = false;
          lastPoll = Date.now();
          const now = await getRun(deps.db, runId);
          if (now && now.status !== sent) {
            await sse.writeSSE({ event: 'status', data: JSON.stringify(await runJsonLive(deps, now)) });
            sent = now.status;
          }
          status = now?.status ?? status;
        }
        const done = !ACTIVE_STATUSES.includes(status);
        // Once the run has ended its log is complete: send the rest, including a last line without a line break.
        offset = await sendLog(sse, file, offset, done);
        if (done) {
          const final = await getRun(deps.db, runId);
          await sse.writeSSE({ event: 'end', data: JSON.stringify(final ? await runJsonLive(deps, final) : { run_id: runId, status }) });
          break;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, TAIL_MS);
        });
      }
    } finally {
      unsubscribe();
    }
  });
}

async function sendLog(sse: SSEStreamingApi, file: string, offset: number, whole: boolean): Promise<number> {
  for (;;) {
    const piece = await readLogPiece(file, offset, 64 * 1024, whole);
    if (piece.length === 0) return offset;
    offset += piece.length;
    await sse.writeSSE({ event: 'log', id: String(offset), data: piece.toString('utf8') });
  }
}

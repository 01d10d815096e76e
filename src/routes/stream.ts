import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { ACTIVE_STATUSES } from '../db/schema';
import { getRun } from '../queries/runs-read';
import type { Run } from '../queries/run-types';
import { logPath } from '../runs/log-path';
import { readLogPiece } from '../runs/log-reader';
import { AppError } from '../services/app-error';
import { runJsonLive } from '../services/run-json';
import { requireRun } from '../services/runs-service';
import type { WebDeps } from './deps';
import { acquireTail, PIECE_BYTES, SKIP_BYTES, type LogTail } from './log-tail';
import { logEvent, textEvent } from './sse-encode';
import { keepAlive } from './sse-keepalive';
import { sleep } from '../timing';

const OFFSET_RE = /^[0-9]{1,15}$/;
const WAIT_MS = 50; // the longest a viewer waits without looking at its run
const STATUS_POLL_MS = 2000; // fallback for a status NOTIFY missed while the database connection was away
// A live view is sent at most this fast (with bursts of a few pieces): far more than a browser can
// show, and a client that reads slower would otherwise fill the connection's kernel buffers, which
// delay every later line by their size over the client's rate.
const LIVE_BYTES_PER_S = 8 * 1024 * 1024;
const LIVE_BURST_BYTES = 4 * PIECE_BYTES;

/** A viewer's sending allowance for the live view (a token bucket). */
type Pace = { at: number; allowance: number };

async function paced(pace: Pace, bytes: number): Promise<void> {
  const refill = () => {
    const now = performance.now();
    pace.allowance = Math.min(LIVE_BURST_BYTES, pace.allowance + ((now - pace.at) * LIVE_BYTES_PER_S) / 1000);
    pace.at = now;
  };
  refill();
  if (pace.allowance < bytes) {
    await sleep(((bytes - pace.allowance) * 1000) / LIVE_BYTES_PER_S);
    refill();
  }
  pace.allowance -= bytes;
}

function startOffset(c: Context): number {
  const raw = c.req.header('last-event-id') ?? c.req.query('offset') ?? '0';
  if (!OFFSET_RE.test(raw)) throw new AppError(400, 'Last-Event-ID and offset must be a byte offset');
  return Number(raw);
}

/**
 * GET /api/runs/:run_id/stream: the log as `log` events whose id is the byte offset after them (a
 * reconnect with Last-Event-ID resumes exactly), `status` events on each change, then `end`.
 *
 * The viewers of a running run share one reader of its log (`log-tail.ts`), which encodes each piece
 * once, and each is sent at most LIVE_BYTES_PER_S. A viewer more than SKIP_BYTES behind the newest
 * output (a slow connection, or a task writing faster than that) is not waited for: it skips ahead,
 * and a `skipped` event `{"from", "to", "bytes"}` (id: `to`) says which bytes it did not get; the log
 * file and /api/logs have them all. So a slow viewer holds back no one, and a live view stays live.
 * A run that has ended is streamed whole from the given offset, at the client's pace.
 */
export async function streamRun(c: Context, deps: WebDeps, runId: number): Promise<Response> {
  let changed = false;
  let wake: () => void = () => {};
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
    let tail: LogTail | undefined;
    const pace: Pace = { at: performance.now(), allowance: LIVE_BURST_BYTES };
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
            await sse.write(textEvent('status', JSON.stringify(await runJsonLive(deps, unseen))));
            sent = unseen.status;
          }
          last = unseen;
          unseen = undefined;
        }
        const done = !ACTIVE_STATUSES.includes(last.status);
        if (!done) {
          tail ??= acquireTail(file, () => wake());
          offset = await follow(sse, file, tail, offset, () => closed, pace);
        } else {
          // Once the run has ended its log is complete: the rest, including a last line without a line break.
          if (tail) {
            await tail.finish();
            offset = await follow(sse, file, tail, offset, () => closed);
          }
          // A finished tail has read the file to its end (and `follow` sent it); otherwise this viewer reads the rest itself.
          if (!tail?.complete) offset = await sendLog(sse, file, offset, Number.MAX_SAFE_INTEGER);
          // An ended run's row does not change any more: the one that said so is its final state.
          await sse.write(textEvent('end', JSON.stringify(await runJsonLive(deps, last))));
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
      tail?.release();
    }
  });
}

// Sends what the shared tail has beyond `offset`, at this viewer's own pace; returns the new offset.
async function follow(sse: SSEStreamingApi, file: string, tail: LogTail, offset: number, closed: () => boolean, pace?: Pace): Promise<number> {
  while (!closed() && offset < tail.end) {
    // (When the newest event is the tail's own skip, starting here, that event is the way ahead.)
    const newest = tail.newest();
    if (tail.end - offset > SKIP_BYTES && newest > offset) {
      offset = await skip(sse, offset, newest);
      continue;
    }
    const ev = tail.at(offset);
    if (!ev) {
      // Before the tail's window, or a resumed offset between its events: read up to where they start.
      offset = await sendLog(sse, file, offset, tail.boundaryAfter(offset));
    } else if (ev.sse) {
      if (pace) {
        await paced(pace, ev.sse.length);
        // Waiting for its turn may have left this viewer behind: the check above decides again.
        if (tail.end - offset > SKIP_BYTES && tail.newest() > offset) continue;
      }
      await sse.write(ev.sse);
      offset = ev.to;
    } else {
      offset = await skip(sse, ev.from, ev.to);
    }
  }
  if (offset >= tail.end) tail.want();
  return offset;
}

async function skip(sse: SSEStreamingApi, from: number, to: number): Promise<number> {
  await sse.write(textEvent('skipped', JSON.stringify({ from, to, bytes: to - from }), String(to)));
  return to;
}

// This viewer's own reads, from `offset` up to `until` (a boundary of the tail's events, or the end of
// a finished log): pieces end at a line end (or a character boundary); the bytes before `until` are
// complete, so a last line without its line break is sent as it is.
async function sendLog(sse: SSEStreamingApi, file: string, offset: number, until: number): Promise<number> {
  while (offset < until) {
    const max = Math.min(PIECE_BYTES, until - offset);
    let piece = await readLogPiece(file, offset, max);
    if (piece.length === 0) piece = await readLogPiece(file, offset, max, true);
    if (piece.length === 0) break;
    offset += piece.length;
    await sse.write(logEvent(piece, offset));
  }
  return offset;
}

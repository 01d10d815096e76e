import { setTimeout as sleep } from 'node:timers/promises';
import type { SSEStreamingApi } from 'hono/streaming';
import { readLogPiece } from './read';
import { logEvent } from './sse';
import { PIECE_BYTES, SKIP_BYTES, type LogTail, type LogTails } from './tail';

// A live view is sent at most this fast (with bursts of a few pieces): far more than a browser can
// show, and a client that reads slower would otherwise fill the connection's kernel buffers, which
// delay every later line by their size over the client's rate.
const LIVE_BYTES_PER_S = 8 * 1024 * 1024;
const LIVE_BURST_BYTES = 4 * PIECE_BYTES;

/** A viewer's sending allowance for the live view (a token bucket). */
type Pace = { at: number; allowance: number };

/**
 * One viewer's stream of a run's log as `log` events from a byte offset. While the run goes on it
 * follows the run's shared tail at its own pace: a viewer more than SKIP_BYTES behind the newest
 * output is not waited for, it skips ahead with a `skipped` event `{"from", "to", "bytes"}` (id: `to`).
 * Once the run has ended, the rest of the log is sent whole, at the client's pace.
 */
export class LogViewer {
  private tail: LogTail | undefined;
  private readonly pace: Pace = { at: performance.now(), allowance: LIVE_BURST_BYTES };

  /** `wake` is called when the tail has new events; `closed` says the client has gone. */
  constructor(
    private readonly sse: SSEStreamingApi,
    private readonly tails: LogTails,
    private readonly file: string,
    private offset: number,
    private readonly wake: () => void,
    private readonly closed: () => boolean,
  ) {}

  /** While the run is going: sends what its tail has beyond this viewer's offset. */
  async live(): Promise<void> {
    this.tail ??= this.tails.acquire(this.file, this.wake);
    this.offset = await follow(this.sse, this.file, this.tail, this.offset, this.closed, this.pace);
  }

  /** Once the run has ended (its log is complete): the rest, including a last line without a line break. */
  async rest(): Promise<void> {
    if (this.tail) {
      await this.tail.finish();
      this.offset = await follow(this.sse, this.file, this.tail, this.offset, this.closed);
    }
    // A finished tail has read the file to its end (and `follow` sent it); otherwise this viewer reads the rest itself.
    if (!this.tail?.complete) this.offset = await sendLog(this.sse, this.file, this.offset, Number.MAX_SAFE_INTEGER);
  }

  release(): void {
    this.tail?.release();
  }
}

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

// Sends what the shared tail has beyond `offset`, at this viewer's own pace; returns the new offset.
async function follow(
  sse: SSEStreamingApi,
  file: string,
  tail: LogTail,
  offset: number,
  closed: () => boolean,
  pace?: Pace,
): Promise<number> {
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
  await sse.writeSSE({ event: 'skipped', data: JSON.stringify({ from, to, bytes: to - from }), id: String(to) });
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

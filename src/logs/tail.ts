import fsp from 'node:fs/promises';
import { lineStartNear, readPiece } from './read';
import { logEvent } from './sse';

export const PIECE_BYTES = 256 * 1024; // one log event at most
/**
 * A viewer of a running run this far behind the newest output skips ahead (see `viewer.ts`), and so
 * does the tail itself when the file is this far ahead of it. A line's delay to a viewer is bounded by
 * about twice this over the rate it is sent at.
 */
export const SKIP_BYTES = 256 * 1024;
/** How much recent output a tail keeps ready, as encoded events: more than a viewer may lag. */
const WINDOW_BYTES = 2 * SKIP_BYTES + PIECE_BYTES;
const WINDOW_EVENTS = 2048;
const IDLE_POLL_MS = 50; // the bound on a line's delay to a viewer of a quiet log

/** Bytes `from` to `to` of the log as one `log` event, or, without `sse`, bytes the tail skipped. */
export type TailEvent = { from: number; to: number; sse?: Buffer };

/** One running run's log as read once and encoded once, for all its viewers in this process. */
export type LogTail = {
  /** Offset after the newest event; a line boundary while the run is going. */
  readonly end: number;
  /** The event starting at `offset`, if the tail still has it. */
  at: (offset: number) => TailEvent | undefined;
  /** The first event boundary after `offset` (or `end`): where a viewer outside the window joins the shared events. */
  boundaryAfter: (offset: number) => number;
  /** Where a lagging viewer skips to: the start of the newest event, so it still gets the newest output. */
  newest: () => number;
  /** Said by a viewer that has sent everything up to `end`: the tail reads on only for viewers that want more. */
  want: () => void;
  /** Reads the rest of the log, partial last line included; for when the run has ended. */
  finish: () => Promise<void>;
  /** True once finish() has read the log to its end: `end` is then the size of the complete log. */
  readonly complete: boolean;
  release: () => void;
};

type Tail = LogTail & { refs: number; listeners: Set<() => void> };

/** The tails of the running runs that this web process is streaming: one per process, passed down. */
export class LogTails {
  private readonly tails = new Map<string, Tail>();

  /**
   * The shared tail of a running run's log file, created by its first viewer and ended after its last;
   * `onData` is called whenever new events are ready. Viewers start from any offset: the tail starts at
   * the last SKIP_BYTES / 2 or so (at a line start), and older bytes are read by the viewer itself.
   */
  acquire(file: string, onData: () => void): LogTail {
    let tail = this.tails.get(file);
    if (!tail) {
      tail = createTail(file, () => this.tails.delete(file));
      this.tails.set(file, tail);
    }
    tail.refs++;
    tail.listeners.add(onData);
    const t = tail;
    let released = false;
    return {
      get end() {
        return t.end;
      },
      get complete() {
        return t.complete;
      },
      at: t.at,
      boundaryAfter: t.boundaryAfter,
      newest: t.newest,
      want: t.want,
      finish: t.finish,
      release: () => {
        if (released) return;
        released = true;
        t.listeners.delete(onData);
        t.release();
      },
    };
  }
}

// `unused` is called once the last viewer has released it.
function createTail(file: string, unused: () => void): Tail {
  let handle: fsp.FileHandle | undefined;
  let started = false;
  let end = 0;
  let finished: Promise<void> | undefined;
  let complete = false;
  let stopped = false;
  let events: TailEvent[] = [];
  let head = 0; // events[head..] are kept; trimmed lazily
  let windowBytes = 0;
  // One read at a time: the poll loop and finish() take turns.
  let reading: Promise<unknown> = Promise.resolve();
  let poke: () => void = () => undefined;
  // Set by a viewer that has caught up. Reading only on demand keeps the tail at the pace of its
  // fastest viewer: a firehose is read (and encoded) only as far as anyone can be sent it.
  let demand = false;
  // Pieces are read into one buffer: each is copied into its encoded event at once.
  const readBuffer = Buffer.allocUnsafe(PIECE_BYTES);

  const notify = () => {
    for (const fn of tail.listeners) fn();
  };
  const push = (ev: TailEvent) => {
    events.push(ev);
    end = ev.to;
    windowBytes += ev.to - ev.from;
    while (events.length - head > 1 && (windowBytes > WINDOW_BYTES || events.length - head > WINDOW_EVENTS)) {
      windowBytes -= events[head].to - events[head].from;
      head++;
    }
    if (head > 1024) {
      events = events.slice(head);
      head = 0;
    }
  };

  // Opens the file when it exists, then picks a line start near its end: what came before is read by
  // the viewers that want it. An empty or short log starts at 0.
  const open = async (): Promise<boolean> => {
    if (handle) return true;
    try {
      handle = await fsp.open(file, 'r');
    } catch {
      return false;
    }
    if (!started) {
      started = true;
      end = await lineStartNear(handle, (await handle.stat()).size - SKIP_BYTES / 2);
    }
    return true;
  };

  // Reads the next piece beyond `end`, or with `whole` the rest of a complete log. A tail more than
  // SKIP_BYTES behind the file (the task writes faster than this process can read and send) jumps
  // ahead first: nobody could be sent those bytes in time, and the viewers are told what they missed.
  const readMore = async (whole: boolean): Promise<number> => {
    if (stopped || !(await open())) return 0;
    const h = handle!;
    let got = 0;
    for (;;) {
      if (!whole) {
        const size = (await h.stat()).size;
        if (size - end > SKIP_BYTES) {
          const to = await lineStartNear(h, size - PIECE_BYTES);
          if (to > end) {
            push({ from: end, to });
            notify();
          }
        }
      }
      const piece = await readPiece(h, end, PIECE_BYTES, whole, readBuffer);
      if (piece.length === 0 || stopped) break;
      push({ from: end, to: end + piece.length, sse: logEvent(piece, end + piece.length) });
      got += piece.length;
      notify();
      if (!whole) break; // one piece per demand
    }
    return got;
  };

  const pump = async () => {
    while (!stopped && !finished) {
      if (demand) {
        demand = false;
        // A failed read counts as nothing new: it is tried again after a while, as a quiet log is.
        const job = reading.then(() => readMore(false)).catch(() => 0);
        reading = job;
        // Nothing new yet: still wanted, looked at again after a while.
        if ((await job) === 0) demand = true;
        else continue;
      }
      if (stopped || finished) break;
      await new Promise<void>((resolve) => {
        poke = resolve;
        setTimeout(resolve, IDLE_POLL_MS);
      });
    }
  };

  const tail: Tail = {
    refs: 0,
    listeners: new Set(),
    get end() {
      return end;
    },
    get complete() {
      return complete;
    },
    at(offset) {
      for (let i = events.length - 1; i >= head; i--) {
        if (events[i].from === offset) return events[i];
        if (events[i].from < offset) break;
      }
      return undefined;
    },
    boundaryAfter(offset) {
      let next = end;
      for (let i = events.length - 1; i >= head && events[i].from > offset; i--) next = events[i].from;
      return next;
    },
    newest: () => (events.length > head ? events[events.length - 1].from : end),
    want() {
      if (demand) return;
      demand = true;
      poke();
    },
    finish() {
      finished ??= (async () => {
        poke();
        // Everything up to the end of the file, as it is now complete (readMore reads on to a read of nothing).
        const job = reading.then(async () => {
          await readMore(true);
          // It stops early only when released, or when there is no file to read.
          complete = !stopped && handle !== undefined;
        });
        // A failed read leaves `complete` false: each viewer then reads the rest of the file itself.
        reading = job.catch(() => undefined);
        await reading;
      })();
      return finished;
    },
    release() {
      if (--tail.refs > 0) return;
      stopped = true;
      unused();
      poke();
      // Nobody reads it any more: a failure to close a read-only handle leaves nothing to undo.
      void reading.finally(() => handle?.close().catch(() => undefined));
    },
  };
  void pump();
  return tail;
}

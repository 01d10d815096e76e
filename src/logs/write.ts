import fs from 'node:fs';
import { BufferPool } from './buffer-pool';
import type { OutputSink } from './output-socket';

/**
 * One step of a run's output on its way to the log (progress lines out, secrets masked, the cap).
 * Synchronous, so a chunk crosses every step in one call: a stream stage costs a hop per chunk, at a
 * firehose's rate a large share of its throughput. `end` returns what a step still held when the
 * output ended.
 */
export interface OutputStage {
  push(chunk: Buffer): Buffer | undefined;
  end(): Buffer | undefined;
}

/**
 * Counts bytes on their way to the log file and drops everything past `maxBytes`, once writing a
 * marker line; it keeps reading after the cap so the task is never blocked on a full pipe.
 */
export class LogCap implements OutputStage {
  bytes = 0;
  truncated = false;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): Buffer | undefined {
    if (this.truncated) return undefined;
    const room = this.maxBytes - this.bytes;
    if (chunk.length <= room) {
      this.bytes += chunk.length;
      return chunk;
    }
    this.truncated = true;
    const marker = Buffer.from(
      `\n[taskrun: log reached LOG_MAX_BYTES (${this.maxBytes} bytes); further output is dropped, the run goes on]\n`,
    );
    this.bytes += room + marker.length;
    return Buffer.concat([chunk.subarray(0, room), marker]);
  }

  end(): undefined {
    return undefined;
  }
}

// How many bytes of output a run holds while its log file catches up (and the size of one write).
const LOG_BUFFER_BYTES = 1024 * 1024;

/** Opens runs' log files for writing; one per runner process, holding the buffers they are written from. */
export class LogFiles {
  private readonly buffers = new BufferPool(LOG_BUFFER_BYTES);

  /** Opens (creates or empties) a run's log file; fails before the spawn when LOGS_DIR cannot take it. */
  async open(file: string): Promise<LogFile> {
    const fd = await new Promise<number>((resolve, reject) => fs.open(file, 'w', 0o640, (err, fd) => (err ? reject(err) : resolve(fd))));
    return new LogFile(fd, this.buffers);
  }
}

/**
 * A run's log file, written from reused buffers: output is copied into one while others are being
 * written, so a read never waits for a write and nothing is allocated per chunk.
 */
export class LogFile {
  private fill: Buffer | undefined;
  private used = 0;
  // Full buffers waiting for their turn, in order; one write is in flight at a time.
  private full: Buffer[] = [];
  private writing = false;
  private closing: (() => void) | undefined;
  private drained: (() => void)[] = [];
  private failure: Error | undefined;
  private onError: ((err: Error) => void) | undefined;
  private fdClosed = false;

  constructor(
    private readonly fd: number,
    private readonly buffers: BufferPool,
  ) {}

  /** Takes a copy of `buf`; false once a buffer's worth waits unwritten (wait for `whenDrained`). */
  write(buf: Buffer): boolean {
    if (this.failure || this.closing) return false;
    for (let from = 0; from < buf.length; ) {
      this.fill ??= this.buffers.take();
      const fill = this.fill;
      const n = buf.copy(fill, this.used, from);
      from += n;
      this.used += n;
      if (this.used === fill.length) {
        this.full.push(fill);
        this.fill = undefined;
        this.used = 0;
      }
    }
    this.flush();
    return this.waiting() < LOG_BUFFER_BYTES;
  }

  /** Calls `fn` once there is room again (at once if there is). */
  whenDrained(fn: () => void): void {
    if (this.waiting() < LOG_BUFFER_BYTES) fn();
    else this.drained.push(fn);
  }

  /** Called once if a write fails; nothing is written after. */
  set errorHandler(fn: (err: Error) => void) {
    this.onError = fn;
    if (this.failure) fn(this.failure);
  }

  /** Writes what is held, then closes the file (rejects with the write's error if one failed). */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => this.closeFd((err) => (this.failure ? reject(this.failure) : err ? reject(err) : resolve()));
      if (this.failure || (!this.writing && this.waiting() === 0)) return done();
      this.closing = done;
    });
  }

  // Bytes held and not yet being written.
  private waiting(): number {
    return this.full.length * LOG_BUFFER_BYTES + this.used;
  }

  // Once: a failed file is closed at once, so a full disk gets its space back when the log is removed.
  private closeFd(then: (err: Error | null) => void): void {
    for (const b of this.full.splice(0)) this.buffers.give(b);
    if (this.fill) this.buffers.give(this.fill);
    this.fill = undefined;
    this.used = 0;
    if (this.fdClosed) {
      then(null);
      return;
    }
    this.fdClosed = true;
    fs.close(this.fd, then);
  }

  private flush(): void {
    if (this.writing || this.failure) return;
    let next = this.full.shift();
    let length = LOG_BUFFER_BYTES;
    if (!next && this.fill && this.used > 0) {
      next = this.fill;
      length = this.used;
      this.fill = undefined;
      this.used = 0;
    }
    if (!next) return;
    this.writing = true;
    this.writeAll(next, 0, length);
  }

  private writeAll(buf: Buffer, from: number, to: number): void {
    fs.write(this.fd, buf, from, to - from, null, (err, written) => {
      if (err) return this.fail(err);
      if (from + written < to) return this.writeAll(buf, from + written, to);
      this.writing = false;
      this.buffers.give(buf);
      this.flush();
      if (this.waiting() < LOG_BUFFER_BYTES) for (const fn of this.drained.splice(0)) fn();
      if (!this.writing && this.closing) this.closing();
    });
  }

  private fail(err: Error): void {
    this.failure = err;
    this.writing = false;
    this.onError?.(err);
    if (this.closing) this.closing();
    else this.closeFd(() => undefined); // the write's error is the one reported; a close error adds nothing
  }
}

/** Appends one line written by taskrun itself (why a run could not start), then closes the file. */
export async function writeLineAndClose(file: LogFile, line: string): Promise<number> {
  const buf = Buffer.from(`[taskrun] ${line}\n`);
  file.write(buf);
  await file.close();
  return buf.length;
}

/** A run's output on its way to its log file. */
export type LogPump = OutputSink & {
  /** Settles once the output has ended; rejects when writing the file fails. */
  done: Promise<void>;
  /** Writes a line of taskrun's own, through the last stage only (the cap), until the file is closed. */
  note: (line: string) => void;
  /**
   * Closes the file once the output has ended, after a last line of taskrun's own when given (why the
   * run ended, known only after its processes are gone); rejects when writing the file failed.
   */
  close: (line?: string) => Promise<void>;
};

/**
 * Carries a run's output through `stages` to `out`. A chunk is used only during `push` (the stages
 * copy what they keep, the file copies what it writes), so the reader may reuse its buffer. When the
 * file falls behind, `push` says so and the reader stops until there is room: the task then blocks
 * on its full socket and nothing piles up in memory beyond the file's buffers.
 */
export function pumpToLog(stages: OutputStage[], out: LogFile): LogPump {
  let flowing = true; // the output goes on
  let failed: Error | undefined;
  let closed = false; // nothing more goes in: the file is being closed
  let closing: Promise<void> | undefined;
  let resolveDone: () => void = () => undefined;
  let rejectDone: (err: Error) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  out.errorHandler = (err) => {
    failed ??= err;
    flowing = false;
    rejectDone(err);
  };
  const writable = () => !failed && !closed;
  // A chunk from stage `from` on; what a stage drops goes no further. True while the file has room.
  const through = (chunk: Buffer | undefined, from = 0): boolean => {
    let buf = chunk;
    for (let i = from; i < stages.length && buf; i++) buf = stages[i]!.push(buf);
    return !writable() || !buf || buf.length === 0 || out.write(buf);
  };
  const last = Math.max(0, stages.length - 1);
  return {
    done,
    push: (chunk) => !flowing || through(chunk),
    whenRoom: (fn) => out.whenDrained(fn),
    end: () => {
      if (!flowing) return;
      for (let i = 0; i < stages.length; i++) through(stages[i]!.end(), i + 1);
      flowing = false;
      resolveDone();
    },
    note: (line) => {
      if (writable()) through(Buffer.from(`[taskrun] ${line}\n`), last);
    },
    close: (line) =>
      (closing ??= (async () => {
        await done.catch(() => undefined); // a failure is `failed`, thrown below once the file is closed
        if (line !== undefined) through(Buffer.from(`[taskrun] ${line}\n`), last);
        closed = true;
        await out.close();
        if (failed) throw failed;
      })()),
  };
}
